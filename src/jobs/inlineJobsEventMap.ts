import type { ErrorSummary } from "../tracker/JobEvent.js"
import { extendEventMap, removeFromEventMap, serviceEventsByKey, withRequirements, type EventMap, type MethodEvents } from "../instrument/EventMap.js"
import type { FailureOutcome } from "../instrument/EventMap.js"
import { summarizeError, summarizeFailure } from "../instrument/failure.js"
import type { JobContext } from "../instrument/JobContext.js"
import { attemptOf, defaultJobsEventMap, flushReason, iso } from "./defaultJobsEventMap.js"
import { learnsFrom, requestAction, userFunctionCall } from "./requirements.js"
import {
  jobsTagKey,
  type JobHandlerShape,
  type JobResponseShape,
  type RetryExecutorShape,
  type RetryExhaustedErrorShape,
  type RetryExhaustedShape,
  type RetryScheduledShape,
  type TerminateShape
} from "./shapes.js"

/**
 * The event map for the older layout of the jobs package: no `JobExecutionService`, no
 * `CleanupService`; handlers run the user's function inline, through
 * `RetryExecutor.executeWithRetry` only when the job has a retry config, and end instances
 * themselves (`stop`, `clear`, `ctx.terminate()`, exhausted retries).
 *
 * It is the default map with the execution events moved to `executeWithRetry` (which is told
 * the job it runs for), exhausted retries read from `RetryExhaustedError` as well as the
 * signal, client endings read from the `stop`/`clear` answers, and `task.idle` left out: no
 * boundary tells an idle task from one that cleared itself, so it is reported, not guessed.
 */

type RetryError = RetryScheduledShape | RetryExhaustedShape | RetryExhaustedErrorShape | TerminateShape | { readonly _tag?: string } | undefined

const exhaustedOf = (error: RetryError) =>
  error !== undefined && (error._tag === "RetryExhaustedError" || error._tag === "RetryExhaustedSignal") && "attempts" in error ? error : undefined

const scheduledOf = (error: RetryError) =>
  error?._tag === "RetryScheduledSignal" && "resumeAt" in error ? error : undefined

const retryScheduledSummary: ErrorSummary = { message: "the attempt failed; a retry is scheduled", tag: "RetryScheduledSignal" }

/** A failed attempt's summary: exhausted retries carry the last error. */
const attemptError = (call: FailureOutcome<RetryError>): ErrorSummary => {
  const exhausted = exhaustedOf(call.error)
  if (exhausted !== undefined) return summarizeError(exhausted.lastError)
  return scheduledOf(call.error) !== undefined ? retryScheduledSummary : summarizeFailure(call)
}

const endedAsMeant = (error: RetryError) => error?._tag === "TerminateSignal"

const executeWithRetry = serviceEventsByKey<RetryExecutorShape>()(jobsTagKey("RetryExecutor"), "RetryExecutor", {
  executeWithRetry: {
    // The executor is told which job it runs; what it ends in teaches the handler it ran.
    context: ([, , job]) => ({ jobType: job.jobType, jobName: job.jobName }),
    learn: () => ({ executionSeen: true }),
    learnOnFailure: () => ({ executionSeen: true }),
    before: {
      "debounce.flush.triggered": ({ context }) => (context.jobType === "debounce" ? { reason: flushReason(context.trigger) } : undefined),
      "execution.started": () => ({}),
      "retry.attempted": ({ context }) => {
        const attempt = attemptOf(context)
        return attempt !== undefined && attempt > 1 ? { attempt } : undefined
      }
    },
    success: {
      "execution.succeeded": ({ context, durationMs }) => ({ attempt: attemptOf(context), durationMs }),
      "job.completed": ({ context, durationMs }) => (context.jobType === "debounce" ? { durationMs } : undefined)
    },
    failure: {
      "retry.scheduled": ({ error }) => {
        const scheduled = scheduledOf(error)
        return scheduled === undefined ? undefined : { attempt: scheduled.attempt, resumeAt: iso(scheduled.resumeAt) }
      },
      "retry.exhausted": ({ error }) => {
        const exhausted = exhaustedOf(error)
        return exhausted === undefined
          ? undefined
          : { attempts: exhausted.attempts, totalDurationMs: exhausted.totalDurationMs, reason: exhausted.reason, error: summarizeError(exhausted.lastError) }
      },
      // `ctx.terminate()` ends a run as meant.
      "execution.succeeded": ({ error, context, durationMs }) => (endedAsMeant(error) ? { attempt: attemptOf(context), durationMs } : undefined),
      "execution.failed": (call) =>
        endedAsMeant(call.error)
          ? undefined
          : {
              attempt: attemptOf(call.context),
              durationMs: call.durationMs,
              willRetry: scheduledOf(call.error) !== undefined,
              error: attemptError(call),
              failure: call.kind
            },
      "job.failed": (call) =>
        call.kind === "interrupted" || endedAsMeant(call.error) || scheduledOf(call.error) !== undefined
          ? undefined
          : { error: attemptError(call), failure: call.kind }
    }
  }
})

type HandleEntry = MethodEvents<[JobHandlerShape["handle"] extends (request: infer R) => unknown ? R : never], JobResponseShape | undefined>

const defaultEntry = (service: string, method: "handle" | "handleAlarm"): MethodEvents =>
  defaultJobsEventMap.services[jobsTagKey(service)]?.methods[method] ?? {}

/** A handler entry of the default map, its success recipes adjusted. */
const handlerEntry = (
  service: string,
  method: "handle" | "handleAlarm",
  success: (recipes: NonNullable<HandleEntry["success"]>) => HandleEntry["success"],
  before?: (recipes: NonNullable<HandleEntry["before"]>) => HandleEntry["before"]
) => {
  const base = defaultEntry(service, method) as HandleEntry
  const { "task.idle": _idle, ...kept } = base.success ?? {}
  return serviceEventsByKey<JobHandlerShape>()(jobsTagKey(service), service, {
    [method]: { ...base, success: success(kept), ...(before === undefined ? {} : { before: before(base.before ?? {}) }) }
  })
}

const ranInline = (context: JobContext) => context["executionSeen"] !== true

const continuousHandler = handlerEntry("ContinuousHandler", "handle", (recipes) => ({
  ...recipes,
  // `stop` ends the instance in the handler; so did a `terminate` where a package has one.
  "job.terminated": (call) =>
    call.result?._type === "continuous.stop" && call.result.stopped === true
      ? { reason: call.result.reason ?? call.args[0].reason, source: "client" }
      : recipes["job.terminated"]?.(call)
}))

const taskHandler = extendEventMap(
  handlerEntry("TaskHandler", "handle", (recipes) => ({
    ...recipes,
    "job.terminated": (call) =>
      call.result?._type === "task.clear" && call.result.cleared === true ? { source: "client" } : recipes["job.terminated"]?.(call),
    // The handler answered a send: its `onEvent` ran, inline.
    "task.event.processed": ({ result, durationMs }) => (result?._type === "task.send" ? { durationMs, outcome: "success" } : undefined)
  }), (recipes) => ({
    ...recipes,
    // The default map sees a send where JobExecutionService runs onEvent; here the handler runs it.
    "task.event.received": ({ args: [request] }) => (request.action === "send" ? {} : undefined)
  })),
  handlerEntry("TaskHandler", "handleAlarm", (recipes) => recipes)
)

const debounceHandler = handlerEntry("DebounceHandler", "handle", (recipes) => ({
  ...recipes,
  // A manual flush run inline (no retry config): its answer says it went through.
  "debounce.flush.triggered": ({ result, context }) =>
    result?._type === "debounce.flush" && result.flushed === true && ranInline(context) ? { reason: "manual", eventCount: result.eventCount } : undefined,
  "job.completed": ({ result, context, durationMs }) =>
    result?._type === "debounce.flush" && result.flushed === true && result.retryScheduled !== true && ranInline(context) ? { durationMs } : undefined
}))

const partial = { seesOnly: "runs of jobs with a retry config", bypass: userFunctionCall }

/**
 * The event map for the older layout of the jobs package (no JobExecutionService, no
 * CleanupService; handlers run the job inline): every event it can see at a service boundary,
 * and, declared as blind spots, what it cannot (see `coverage <package-dir>`). The codemod picks
 * it for packages of that layout.
 *
 * @category Instrumentation
 */
export const inlineJobsEventMap: EventMap = withRequirements(
  {
    ...extendEventMap(
      removeFromEventMap(removeFromEventMap(defaultJobsEventMap, jobsTagKey("JobExecutionService")), jobsTagKey("CleanupService")),
      executeWithRetry,
      continuousHandler,
      taskHandler,
      debounceHandler
    ),
    blindSpots: {
      "task.idle": {
        reason: "a task's onIdle runs inline in its handler, and no answer or service call tells an idle task from one that cleared itself",
        at: "def.onIdle",
        hint: 'if TaskHandler.handle answers a send or trigger with whether the task cleared itself, a `success: { "task.idle": ... }` entry for TaskHandler.handle reading it would cover it'
      }
    }
  },
  {
    [jobsTagKey("RetryExecutor")]: {
      executeWithRetry: {
        "execution.started": partial,
        "execution.succeeded": partial,
        "execution.failed": partial,
        "job.completed": partial,
        "job.failed": partial,
        "debounce.flush.triggered": partial,
        "retry.scheduled": { classes: ["RetryScheduledSignal"] },
        "retry.exhausted": { classes: ["RetryExhaustedError", "RetryExhaustedSignal"] },
        "retry.attempted": learnsFrom("RetryExecutor", "getAttempt")
      }
    },
    [jobsTagKey("ContinuousHandler")]: { handle: { "job.terminated": { ...requestAction("continuous", "stop", "terminate"), seesOnly: "client stops" } } },
    [jobsTagKey("TaskHandler")]: {
      handle: {
        "job.terminated": { ...requestAction("task", "clear", "terminate"), seesOnly: "client clears" },
        "task.event.received": requestAction("task", "send"),
        "task.event.processed": { ...requestAction("task", "send"), seesOnly: "sends that succeeded" }
      }
    },
    [jobsTagKey("DebounceHandler")]: {
      handle: {
        "debounce.flush.triggered": { ...requestAction("debounce", "flush"), seesOnly: "manual flushes (and, with a retry config, every flush)" },
        "job.completed": { ...requestAction("debounce", "flush"), seesOnly: "manual flushes (and, with a retry config, every flush)" }
      }
    }
  }
)
