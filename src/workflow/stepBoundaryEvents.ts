/**
 * The step-level events of the workflow package as its service boundaries show them: what
 * `Workflow.step`, `Workflow.sleep` and `Workflow.sleepUntil` do to core's storage and scheduler
 * adapters during a run, read with the run's memory (runMemory.ts), and the retry exhaustion a
 * failed run reports. Kept apart from the workflow-level entries so that a map built on a seam
 * around the combinators themselves can replace this module whole.
 */

import { isoTimestamp } from "../event/timestamp.js"
import { extendEventMap, serviceEventsByKey, type BlindSpots, type EventMap } from "../instrument/EventMap.js"
import { workflowEvents, type WorkflowEvents } from "./events/workflowEvents.js"
import { lastNowOf, lastNowRead, runOf, stepNameIn } from "./runMemory.js"
import {
  workflowTagKey,
  type RunOutcomeRecipes,
  type WorkflowRuntimeShape,
  type WorkflowSchedulerShape,
  type WorkflowStorageShape
} from "./shapes.js"

/** Where a sleep keeps its wake time while the workflow is paused. */
const pendingResumeAtKey = "workflow:pendingResumeAt"

/** What a step stores with its result: when, on which attempt, and how long since its first start. */
interface StepResultMeta {
  readonly completedAt: number
  readonly attempt: number
  readonly durationMs: number
}

const metaOf = (value: unknown): StepResultMeta | undefined => {
  const meta = typeof value === "object" && value !== null ? (value as { meta?: unknown }).meta : undefined
  if (typeof meta !== "object" || meta === null) return undefined
  const { attempt, durationMs } = meta as Partial<StepResultMeta>
  return typeof attempt === "number" && typeof durationMs === "number" ? (meta as StepResultMeta) : undefined
}

// A step and a sleep count their times from the package's own clock read: tracking learns each.
const runtime = serviceEventsByKey<WorkflowRuntimeShape>()(
  workflowEvents,
  workflowTagKey("RuntimeAdapter"),
  "RuntimeAdapter",
  {
    now: { learn: (now) => lastNowRead(now) }
  }
)

const storage = serviceEventsByKey<WorkflowStorageShape>()(
  workflowEvents,
  workflowTagKey("StorageAdapter"),
  "StorageAdapter",
  {
    get: {
      success: {
        // A step that runs reads its cached result (missing), the time, its first start and then
        // its attempt counter: that read starts the attempt, at the time the step read. A cached
        // step reads no counter.
        "step.started": ({ args: [key], result, context, startedAt }) => {
          const run = runOf(context)
          if (run === undefined) return undefined
          const missed = stepNameIn(key, "result")
          if (missed !== undefined) {
            if (result === undefined) run.missed.add(missed)
            return undefined
          }
          const stepName = stepNameIn(key, "attempt")
          if (stepName === undefined || !run.missed.delete(stepName)) return undefined
          run.attemptStartedAt.set(stepName, lastNowOf(context) ?? startedAt)
          return { stepName, attempt: typeof result === "number" ? result : 1 }
        }
      }
    },
    put: {
      // A failed attempt that will be retried raises the step's counter before the run pauses.
      context: ([key, value], caller) => {
        const run = runOf(caller)
        const stepName = stepNameIn(key, "attempt")
        if (run !== undefined && stepName !== undefined && typeof value === "number" && value > 1)
          run.retries.push({ stepName, attempt: value - 1 })
        return undefined
      },
      success: {
        "step.completed": ({ args: [key, value], context }) => {
          const stepName = stepNameIn(key, "result")
          const meta = metaOf(value)
          return runOf(context) === undefined || stepName === undefined || meta === undefined
            ? undefined
            : { stepName, attempt: meta.attempt, durationMs: meta.durationMs, cached: false }
        },
        // The wake time is stored just after the sleep read the time: its duration is the gap.
        "sleep.started": ({ args: [key, value], context, startedAt }) =>
          runOf(context) !== undefined && key === pendingResumeAtKey && typeof value === "number"
            ? { durationMs: value - (lastNowOf(context) ?? startedAt), resumeAt: isoTimestamp(value) }
            : undefined
      }
    }
  }
)

const scheduler = serviceEventsByKey<WorkflowSchedulerShape>()(
  workflowEvents,
  workflowTagKey("SchedulerAdapter"),
  "SchedulerAdapter",
  {
    schedule: {
      success: {
        // The executor sets the alarm for the pause the run ended with: after one step raised its
        // attempt counter, that is the step's retry, its delay counted from the attempt's start.
        // Steps run concurrently may raise several: the alarm is for one of them, which the
        // scheduler call does not tell, so none is claimed.
        "retry.scheduled": ({ args: [resumeAt], context, startedAt }) => {
          const run = runOf(context)
          const retry = run?.retries.length === 1 ? run.retries[0] : undefined
          if (run === undefined || retry === undefined) return undefined
          run.retries.length = 0
          const from = run.attemptStartedAt.get(retry.stepName) ?? startedAt
          return {
            stepName: retry.stepName,
            attempt: retry.attempt,
            nextAttemptAt: isoTimestamp(resumeAt),
            delayMs: resumeAt - from
          }
        }
      }
    }
  }
)

/** The error `Workflow.step` fails with when a step's retries ran out (or its max duration passed). */
interface RetryExhaustedShape {
  readonly _tag: "RetryExhaustedError"
  readonly stepName: string
  readonly attempts: number
}

const isRetryExhausted = (error: unknown): error is RetryExhaustedShape =>
  typeof error === "object" &&
  error !== null &&
  (error as { _tag?: unknown })._tag === "RetryExhaustedError" &&
  typeof (error as { stepName?: unknown }).stepName === "string" &&
  typeof (error as { attempts?: unknown }).attempts === "number"

/**
 * Step events a run's result shows, for the executor's entry (ahead of the workflow's outcome):
 * a run that failed with `RetryExhaustedError` had a step whose retries ran out.
 */
export const stepOutcomesOfRun: RunOutcomeRecipes = {
  "retry.exhausted": ({ result }) =>
    result._tag === "Failed" && isRetryExhausted(result.error)
      ? { stepName: result.error.stepName, attempts: result.error.attempts }
      : undefined
}

/** What `stepOutcomesOfRun` sees of retry exhaustion, for static coverage. */
export const stepOutcomesRequirements = {
  "retry.exhausted": {
    classes: ["RetryExhaustedError"],
    seesOnly: "exhausted retries that fail the run (a workflow that catches RetryExhaustedError goes on unseen)"
  }
} as const

/** Where the combinators' seam is the one place an event can be seen. */
const combinatorSeam = "a wrapper of the exported combinators (Workflow.step, Workflow.sleep, Workflow.sleepUntil)"

/**
 * The step-level event types no service boundary shows, with why: they happen inside the
 * combinators, between service calls that carry none of their fields.
 */
export const stepBlindSpots: BlindSpots<WorkflowEvents> = {
  "step.failed": {
    reason:
      "a step's failure that is not retried (no retry, or not retryable) leaves the step with no storage write or service call: only the run's failure (workflow.failed) shows, not the step's attempt",
    at: "Workflow.step",
    hint: combinatorSeam
  },
  "sleep.completed": {
    reason:
      "the resuming run's completedPauseIndex put shows that a sleep ended, but no service call of that run carries the sleep's duration (durationMs)",
    at: "Workflow.sleep",
    hint: combinatorSeam
  },
  "timeout.set": {
    reason: "a step's timeout (timeoutMs, and the deadline from it) reaches no service: the step applies it itself",
    at: "Workflow.step",
    hint: combinatorSeam
  },
  "timeout.exceeded": {
    reason: "a step's deadline is checked inside the step, with no service call that carries its timeoutMs",
    at: "Workflow.step",
    hint: combinatorSeam
  }
}

/**
 * The runtime, storage and scheduler entries of the step-level events: step.started,
 * step.completed, sleep.started and retry.scheduled (retry.exhausted is in
 * {@link stepOutcomesOfRun}).
 */
export const stepBoundaryEvents: EventMap<WorkflowEvents> = extendEventMap(runtime, storage, scheduler)
