/**
 * What tracking keeps of one run of a workflow (one `WorkflowExecutor.execute` call) for the
 * step events its service boundaries show: that a call belongs to a run. The executor's entry
 * marks the context it establishes for the run; every call the run makes (whatever fiber it
 * runs on) sees the mark, calls outside a run do not, and the step recipes emit nothing there.
 */

import type { CallContext } from "../instrument/CallContext.js"

// The context key of the mark: a map's own key, not a field of any event.
const runKey = "workflowRun"

/** A context entry marking the run the executor starts. */
export const runMark = (): { readonly [runKey]: true } => ({ [runKey]: true })

/** Whether this call belongs to a run. */
export const inRun = (context: CallContext): boolean => context[runKey] === true

/** The step a storage key belongs to (`step:<name>:<part>`), when it is that part of a step. */
export const stepNameIn = (key: unknown, part: "result"): string | undefined => {
  if (typeof key !== "string") return undefined
  const suffix = `:${part}`
  return key.startsWith("step:") && key.endsWith(suffix) && key.length > "step:".length + suffix.length
    ? key.slice("step:".length, -suffix.length)
    : undefined
}
