/**
 * The workflow package's combinators (`Workflow.step`, `Workflow.sleep`, `Workflow.sleepUntil`)
 * as function entries: the step-level events no service boundary sees whole (step.started,
 * step.failed, timeout.*, retry.*, sleep.*). They are part of `workflowEventMap`, whose service
 * entries keep step.completed (from the put of the step's result) and the workflow.* events, and
 * give every event its context: `workflowName` and `executionId` from the traced
 * `WorkflowExecutor.execute` that runs the workflow, `workflowId` from the runtime.
 *
 * What happens inside a combinator is read from the calls its effect makes of its storage and
 * runtime (watched for that call only) and from how its effect ended:
 * - a cached step reads its result and returns: no attempt is read, nothing is emitted;
 * - `step.started` is the first read of the step's attempt (a step reads it again later);
 * - `timeout.set` is the put of the step's first start (made only on its first execution);
 * - `retry.scheduled` is a `PauseSignal` of reason "retry", which carries the wake time and the
 *   next attempt; its delay counts from the first `now()` the step read;
 * - `retry.exhausted` is a `RetryExhaustedError`, which carries the attempts;
 * - `timeout.exceeded` is a `WorkflowTimeoutError` raised before the attempt ran (its elapsed
 *   time reaches its timeout; one raised during the attempt has less);
 * - `step.failed` is any other failure of an attempt that was read (the user's own error, or a
 *   timeout during the attempt), with `willRetry: false`, as the package emits it.
 */

import type { Effect } from "effect"
import { functionEventsByName } from "../instrument/functionEvents.js"
import type { EventMap } from "../instrument/EventMap.js"
import type { ContextOf } from "../instrument/CallContext.js"
import { workflowEvents, type WorkflowEvents } from "./events/workflowEvents.js"
import { durationMs } from "./durationMs.js"
import { workflowTagKey } from "./shapes.js"
import { workflowErrorOf } from "./workflowError.js"

/** A step's configuration, as the package's `StepConfig` has it (what the entries read of it). */
export interface WorkflowStepConfigShape {
  readonly name: string
  readonly execute: Effect.Effect<unknown, unknown, unknown>
  readonly retry?: { readonly maxAttempts: number } | undefined
  readonly timeout?: string | number | undefined
}

/** The combinators of the package's `Workflow` namespace that the entries trace. */
export interface WorkflowCombinatorsShape {
  step(config: WorkflowStepConfigShape): Effect.Effect<unknown, unknown, unknown>
  sleep(duration: string | number): Effect.Effect<void, unknown, unknown>
  sleepUntil(timestamp: number): Effect.Effect<void, unknown, unknown>
}

const storageKey = workflowTagKey("StorageAdapter")
const runtimeKey = workflowTagKey("RuntimeAdapter")

/** A `PauseSignal`, as the package's executor tells it: by its tag. */
interface PauseSignalShape {
  readonly _tag: "PauseSignal"
  readonly reason: "sleep" | "retry"
  readonly resumeAt: number
  readonly stepName?: string
  readonly attempt?: number
}

const tagOf = (error: unknown): unknown =>
  typeof error === "object" && error !== null ? (error as { readonly _tag?: unknown })._tag : undefined

const pauseSignal = (error: unknown, reason: PauseSignalShape["reason"]): PauseSignalShape | undefined =>
  tagOf(error) === "PauseSignal" && (error as PauseSignalShape).reason === reason
    ? (error as PauseSignalShape)
    : undefined

// The package's own control flow and failures that are not an attempt's: never a step.failed.
const notAnAttemptsFailure = new Set([
  "PauseSignal",
  "RetryExhaustedError",
  "StepCancelledError",
  "StepScopeError",
  "WorkflowScopeError",
  "StorageError"
])

/** A `WorkflowTimeoutError` raised before the attempt ran: its elapsed time reached its timeout. */
const timedOutBeforeAttempt = (error: unknown): { readonly timeoutMs: number } | undefined => {
  if (tagOf(error) !== "WorkflowTimeoutError") return undefined
  const { timeoutMs, elapsedMs } = error as { readonly timeoutMs: number; readonly elapsedMs: number }
  return elapsedMs >= timeoutMs ? { timeoutMs } : undefined
}

const iso = (ms: number): string => new Date(ms).toISOString()

const stepKey = (config: WorkflowStepConfigShape, part: "attempt" | "startedAt"): string =>
  `step:${config.name}:${part}`

/** The first `now()` a combinator's effect read: the time the package computes delays and wake times from. */
const firstNow = {
  [runtimeKey]: {
    now: {
      learn: ({ observed, call }: { observed: Readonly<Record<string, unknown>>; call: { result: unknown } }) =>
        observed["now"] === undefined ? { now: call.result } : undefined
    }
  }
}

/**
 * How long sleeps lasted, for `sleepUntil`'s `sleep.completed`: its argument is the wake time,
 * and the time it started is stored nowhere. Kept in this process from its `sleep.started`, by
 * instance, execution and wake time; a few hundred at most.
 */
const sleepLengths = new Map<string, number>()
const maxSleepLengths = 512

const sleepKey = (context: ContextOf<WorkflowEvents>, resumeAt: number): string =>
  `${String(context.workflowId)}\u0000${String(context.executionId ?? "")}\u0000${resumeAt}`

const rememberSleep = (key: string, length: number): void => {
  sleepLengths.delete(key)
  sleepLengths.set(key, length)
  if (sleepLengths.size > maxSleepLengths) sleepLengths.delete(sleepLengths.keys().next().value!)
}

const sleepStarted = ({
  error,
  observed,
  context
}: {
  error: unknown
  observed: Readonly<Record<string, unknown>>
  context: ContextOf<WorkflowEvents>
}) => {
  const signal = pauseSignal(error, "sleep")
  const now = observed["now"]
  if (signal === undefined || typeof now !== "number") return undefined
  const length = Math.max(0, signal.resumeAt - now)
  rememberSleep(sleepKey(context, signal.resumeAt), length)
  return { durationMs: length, resumeAt: iso(signal.resumeAt) }
}

const completedPause = "workflow:completedPauseIndex"

/**
 * The function entries of the workflow package's combinators (namespace `"Workflow"`), alone.
 * `workflowEventMap` carries them with the service entries that give their events the run's
 * frame and the instance: give that map to both seams. This part is for a map composed anew.
 *
 * @category Workflow events
 */
export const workflowCombinatorEvents: EventMap<WorkflowEvents> = functionEventsByName<WorkflowCombinatorsShape>()(
  workflowEvents,
  "Workflow",
  {
    step: {
      watch: {
        [storageKey]: {
          get: {
            // The step reads its attempt again when it completes or schedules a retry: the first read is its start.
            learn: ({ args: [config], observed, call }) =>
              call.args[0] === stepKey(config, "attempt")
                ? {
                    attemptReads: ((observed["attemptReads"] as number | undefined) ?? 0) + 1,
                    attempt: observed["attempt"] ?? (call.result as number | undefined) ?? 1
                  }
                : undefined,
            success: {
              "step.started": ({ args: [config], observed, call }) =>
                call.args[0] === stepKey(config, "attempt") && observed["attemptReads"] === 1
                  ? { stepName: config.name, attempt: observed["attempt"] as number }
                  : undefined
            }
          },
          put: {
            success: {
              "timeout.set": ({ args: [config], call }) => {
                // Put only when the step first starts, with that time.
                if (call.args[0] !== stepKey(config, "startedAt") || !config.timeout) return undefined
                const timeoutMs = durationMs(config.timeout)
                const startedAt = call.args[1]
                if (timeoutMs === undefined || typeof startedAt !== "number") return undefined
                return { stepName: config.name, deadline: iso(startedAt + timeoutMs), timeoutMs }
              }
            }
          }
        },
        ...firstNow
      },
      failure: {
        "timeout.exceeded": ({ args: [config], error, observed }) => {
          const exceeded = observed["attempt"] === undefined ? undefined : timedOutBeforeAttempt(error)
          return exceeded === undefined ? undefined : { stepName: config.name, timeoutMs: exceeded.timeoutMs }
        },
        "step.failed": ({ args: [config], error, observed, context }) =>
          observed["attempt"] === undefined ||
          notAnAttemptsFailure.has(tagOf(error) as string) ||
          timedOutBeforeAttempt(error) !== undefined
            ? undefined
            : {
                stepName: config.name,
                attempt: observed["attempt"] as number,
                error: workflowErrorOf(error),
                willRetry: false
              },
        "retry.scheduled": ({ args: [config], error, observed }) => {
          const signal = pauseSignal(error, "retry")
          const now = observed["now"]
          if (signal === undefined || signal.stepName !== config.name || typeof now !== "number") return undefined
          return {
            stepName: config.name,
            attempt: (signal.attempt ?? 2) - 1,
            nextAttemptAt: iso(signal.resumeAt),
            delayMs: signal.resumeAt - now
          }
        },
        "retry.exhausted": ({ args: [config], error }) =>
          tagOf(error) === "RetryExhaustedError"
            ? { stepName: config.name, attempts: (error as { readonly attempts: number }).attempts }
            : undefined
      },
      requires: {
        "step.failed": {
          seesOnly:
            "failures other than the package's StorageError: one the step's own effect raises is not told apart from the step's storage failing"
        }
      }
    },
    sleep: {
      watch: {
        [storageKey]: {
          put: {
            success: {
              "sleep.completed": ({ args: [duration], call }) => {
                const length = call.args[0] === completedPause ? durationMs(duration) : undefined
                return length === undefined ? undefined : { durationMs: length }
              }
            }
          }
        },
        ...firstNow
      },
      failure: { "sleep.started": sleepStarted }
    },
    sleepUntil: {
      watch: {
        [storageKey]: {
          put: {
            success: {
              // The length of the sleep (upstream sends 0 here, always): known when this process saw it start.
              "sleep.completed": ({ args: [resumeAt], call, context }) => {
                if (call.args[0] !== completedPause) return undefined
                const key = sleepKey(context, resumeAt)
                const length = sleepLengths.get(key)
                sleepLengths.delete(key)
                return { durationMs: length ?? 0 }
              }
            }
          }
        },
        ...firstNow
      },
      failure: { "sleep.started": sleepStarted },
      requires: {
        "sleep.completed": {
          seesOnly:
            "the length of a sleep that started in this process; one that started in another (the Durable Object was evicted while it slept) completes with durationMs 0"
        }
      }
    }
  }
)
