/**
 * What tracking remembers during one run of a workflow (one `WorkflowExecutor.execute` call),
 * for step events that no single storage or scheduler call carries: a step starts when its
 * cached result is found missing and its attempt counter is read; a retry is scheduled when a
 * step raised its attempt counter and the run then sets the alarm.
 *
 * The executor's entry puts a fresh memory in the context it establishes for the run; every
 * call the run makes (steps and sleeps, whatever fiber they run on) sees the same object. Calls
 * outside a run see none, and the step recipes emit nothing there. It holds step names, attempt
 * numbers and times, never user data.
 */

import type { CallContext } from "../instrument/CallContext.js"

export interface RunMemory {
  /** Steps whose cached result was just read and found missing: their attempt read starts them. */
  readonly missed: Set<string>
  /** When each step's current attempt started (its attempt read), for the delay of its retry. */
  readonly attemptStartedAt: Map<string, number>
  /**
   * The steps that raised their attempt counter in this run (a failed attempt to retry), in order:
   * the alarm the run then sets is the retry of the one step there normally is.
   */
  readonly retries: Array<{ readonly stepName: string; readonly attempt: number }>
}

// The context key of the run's memory: a map's own key, not a field of any event.
const runKey = "workflowRun"

/** A context entry holding a fresh memory, for the run the executor starts. */
export const freshRun = (): { readonly [runKey]: RunMemory } => ({
  [runKey]: { missed: new Set(), attemptStartedAt: new Map(), retries: [] }
})

/** The memory of the run this call belongs to, if it belongs to one. */
export const runOf = (context: CallContext): RunMemory | undefined => context[runKey] as RunMemory | undefined

// The context key of the time the package last read (`RuntimeAdapter.now()`), learnt by the call
// chain that read it: the "now" a step's retry and a sleep's wake time are counted from.
const lastNowKey = "workflowNow"

/** What a read of the package's clock teaches its callers. */
export const lastNowRead = (now: number): { readonly [lastNowKey]: number } => ({ [lastNowKey]: now })

/** The time the package last read in this call chain, if it was seen. */
export const lastNowOf = (context: CallContext): number | undefined =>
  typeof context[lastNowKey] === "number" ? context[lastNowKey] : undefined

/** The step a storage key belongs to (`step:<name>:<part>`), when it is that part of a step. */
export const stepNameIn = (key: unknown, part: "result" | "attempt"): string | undefined => {
  if (typeof key !== "string") return undefined
  const suffix = `:${part}`
  return key.startsWith("step:") && key.endsWith(suffix) && key.length > "step:".length + suffix.length
    ? key.slice("step:".length, -suffix.length)
    : undefined
}
