import { Duration } from "effect"
import type { ErrorSummary, JobType } from "../tracker/JobEvent.js"
import { extendEventMap, serviceEventsByKey, type EventMap } from "../instrument/EventMap.js"
import { summarizeError, summarizeFailure } from "../instrument/failure.js"
import type { JobContext } from "../instrument/JobContext.js"
import {
  jobsTagKey,
  RuntimeAdapterKey,
  type AlarmServiceShape,
  type CleanupServiceShape,
  type DispatcherShape,
  type ExecutionResultShape,
  type JobExecutionServiceShape,
  type JobHandlerShape,
  type MetadataServiceShape,
  type RetryExecutorShape,
  type RuntimeAdapterShape
} from "./shapes.js"

/**
 * The default event map for the durable-effect jobs package: all 20 job event types, at the
 * integration points of the seed design. docs/events.md says, for each type, when it is emitted.
 *
 * Besides the instance, job type and name, the job context carries what calls have learnt:
 * - `created`: this call created the instance (`MetadataService.initialize` succeeded)
 * - `attempt`: the attempt the current execution is (`RetryExecutor.getAttempt`)
 * - `alarmPending`: whether an alarm is set, as far as this call has seen
 * - `terminated`, `terminateReason`, `terminateSource`, `lastError`: why an instance ends
 */

const iso = (ms: number) => new Date(ms).toISOString()

const scheduledTime = (when: Duration.DurationInput | number | Date, now: number): number =>
  typeof when === "number" ? when : when instanceof Date ? when.getTime() : now + Duration.toMillis(Duration.decode(when))

const attemptOf = (context: JobContext): number | undefined => (typeof context["attempt"] === "number" ? context["attempt"] : undefined)

/** Which request started a debounce flush: a full batch inside `add`, the alarm, or a client. */
const flushReason = (trigger: string | undefined) =>
  trigger === "add" ? ("maxEvents" as const) : trigger === "alarm" ? ("flushAfter" as const) : ("manual" as const)

const metadata = serviceEventsByKey<MetadataServiceShape>()(jobsTagKey("MetadataService"), "MetadataService", {
  initialize: {
    learn: (_, [jobType, jobName]) => ({ jobType, jobName, created: true }),
    success: { "job.created": ({ args: [jobType, jobName] }) => ({ jobType, jobName }) }
  },
  get: {
    // An alarm does not say whose it is: the metadata it reads does.
    learn: (meta) => (meta === undefined ? undefined : { jobType: meta.type, jobName: meta.name })
  },
  updateStatus: {
    // The start action: the instance this very call created goes to running.
    success: { "job.started": ({ args: [status], context }) => (status === "running" && context["created"] === true ? {} : undefined) }
  }
})

const alarm = serviceEventsByKey<AlarmServiceShape>()(jobsTagKey("AlarmService"), "AlarmService", {
  schedule: {
    learn: () => ({ alarmPending: true }),
    success: { "alarm.scheduled": ({ args: [when], startedAt }) => ({ scheduledAt: iso(scheduledTime(when, startedAt)) }) }
  },
  cancel: {
    learn: () => ({ alarmPending: false }),
    success: { "alarm.cancelled": () => ({}) }
  },
  getScheduled: {
    learn: (scheduledAt) => ({ alarmPending: scheduledAt !== undefined })
  }
})

const cleanup = serviceEventsByKey<CleanupServiceShape>()(jobsTagKey("CleanupService"), "CleanupService", {
  terminate: {
    learn: () => ({ terminated: true, alarmPending: false }),
    success: {
      "job.terminated": ({ context }) => ({
        reason: typeof context["terminateReason"] === "string" ? context["terminateReason"] : undefined,
        source: context["terminateSource"] === "retryExhausted" ? "retryExhausted" : "job"
      })
    }
  }
})

const lastErrorOf = (context: JobContext, fallback: ErrorSummary): ErrorSummary =>
  (context["lastError"] as ErrorSummary | undefined) ?? fallback

const executionEnded = (result: ExecutionResultShape) => result.success || (result.terminated && !result.retryExhausted)

const execution = serviceEventsByKey<JobExecutionServiceShape>()(jobsTagKey("JobExecutionService"), "JobExecutionService", {
  execute: {
    context: ([options]) => ({ jobType: options.jobType, jobName: options.jobName, runCount: options.runCount }),
    before: {
      "debounce.flush.triggered": ({ args: [options], context }) =>
        options.jobType === "debounce" ? { reason: flushReason(context.trigger) } : undefined,
      "execution.started": ({ args: [options] }) => ({ runCount: options.runCount })
    },
    success: {
      // A run that asked to terminate (`ctx.terminate()`) ended as it meant to.
      "execution.succeeded": ({ args: [options], result, context, durationMs }) =>
        executionEnded(result) ? { runCount: options.runCount, attempt: attemptOf(context), durationMs } : undefined,
      "execution.failed": ({ args: [options], result, context, durationMs }) =>
        result.retryScheduled || result.retryExhausted
          ? {
              runCount: options.runCount,
              attempt: attemptOf(context),
              durationMs,
              willRetry: result.retryScheduled,
              error: lastErrorOf(context, { message: "the attempt failed; a retry is scheduled", tag: "RetryScheduledSignal" }),
              failure: "failure" as const
            }
          : undefined,
      "task.event.processed": ({ args: [options], result, context, durationMs }) =>
        options.jobType === "task" && context.trigger === "send"
          ? { durationMs, outcome: executionEnded(result) ? ("success" as const) : ("failure" as const) }
          : undefined,
      "job.completed": ({ args: [options], result, durationMs }) =>
        options.jobType === "debounce" && result.success ? { durationMs } : undefined,
      // Retries ran out and the job did not choose to run again later.
      "job.failed": ({ result, context }) =>
        result.retryExhausted && !result.rescheduled
          ? { error: lastErrorOf(context, { message: "retries exhausted", tag: "RetryExhaustedSignal" }), failure: "failure" as const }
          : undefined
    },
    failure: {
      "execution.failed": (call) => ({
        runCount: call.args[0].runCount,
        attempt: attemptOf(call.context),
        durationMs: call.durationMs,
        willRetry: false,
        error: summarizeFailure(call),
        failure: call.kind
      }),
      "task.event.processed": ({ args: [options], context, durationMs }) =>
        options.jobType === "task" && context.trigger === "send" ? { durationMs, outcome: "failure" as const } : undefined,
      "job.failed": (call) => (call.kind === "interrupted" ? undefined : { error: summarizeFailure(call), failure: call.kind })
    }
  }
})

const retry = serviceEventsByKey<RetryExecutorShape>()(jobsTagKey("RetryExecutor"), "RetryExecutor", {
  getAttempt: {
    learn: (attempt) => ({ attempt })
  },
  executeWithRetry: {
    before: {
      "retry.attempted": ({ context }) => {
        const attempt = attemptOf(context)
        return attempt !== undefined && attempt > 1 ? { attempt } : undefined
      }
    },
    learnOnFailure: ({ error }) => {
      if (error === undefined) return undefined
      if (error._tag === "RetryExhaustedSignal" && "attempts" in error) {
        return {
          lastError: summarizeError(error.lastError),
          terminateReason: `retries exhausted after ${error.attempts} attempts`,
          terminateSource: "retryExhausted"
        }
      }
      if (error._tag === "TerminateSignal") {
        return { terminateReason: "reason" in error ? error.reason : undefined, terminateSource: "job" }
      }
      return undefined
    },
    failure: {
      "retry.scheduled": ({ error }) =>
        error?._tag === "RetryScheduledSignal" && "resumeAt" in error ? { attempt: error.attempt, resumeAt: iso(error.resumeAt) } : undefined,
      "retry.exhausted": ({ error }) =>
        error?._tag === "RetryExhaustedSignal" && "attempts" in error
          ? { attempts: error.attempts, totalDurationMs: error.totalDurationMs, reason: error.reason, error: summarizeError(error.lastError) }
          : undefined
    }
  }
})

/** The task has nothing scheduled after its run (and was not ended by it). */
const taskIdle = (context: JobContext) => context["alarmPending"] === false && context["terminated"] !== true

type HandlerEntries = Parameters<ReturnType<typeof serviceEventsByKey<JobHandlerShape>>>[2]

/** A handler's entries: each call runs for the job its request (or, for an alarm, its type) names. */
const handler = (name: string, jobType: JobType, entries: { readonly handle?: HandlerEntries["handle"]; readonly handleAlarm?: HandlerEntries["handleAlarm"] } = {}) =>
  serviceEventsByKey<JobHandlerShape>()(jobsTagKey(name), name, {
    handle: {
      context: ([request]) => ({ jobType: request.type, jobName: request.name, trigger: request.action }),
      ...entries.handle
    },
    handleAlarm: {
      context: () => ({ jobType, trigger: "alarm" }),
      ...entries.handleAlarm
    }
  })

// A client's terminate purges in the handler itself, not through CleanupService.
const clientTerminate: NonNullable<NonNullable<HandlerEntries["handle"]>["success"]>["job.terminated"] = ({ args: [request], result }) =>
  result?._type.endsWith(".terminate") && result.terminated === true ? { reason: result.reason ?? request.reason, source: "client" } : undefined

const continuousHandler = handler("ContinuousHandler", "continuous", {
  handle: { success: { "job.terminated": clientTerminate } }
})

const debounceHandler = handler("DebounceHandler", "debounce", {
  handle: {
    success: {
      "debounce.event.added": ({ result }) => (result?._type === "debounce.add" ? { eventCount: result.eventCount } : undefined),
      "debounce.cleared": ({ result }) =>
        result?._type === "debounce.clear" && result.cleared === true ? { discardedEvents: result.discardedEvents } : undefined
    }
  }
})

const taskHandler = handler("TaskHandler", "task", {
  handle: {
    before: { "task.event.received": ({ args: [request] }) => (request.action === "send" ? {} : undefined) },
    success: {
      "job.terminated": clientTerminate,
      // A send answers with what is scheduled; a trigger only shows it if it changed the alarm.
      "task.idle": ({ result, context }) =>
        (result?._type === "task.send" && result.scheduledAt === null && context["terminated"] !== true) ||
        (result?._type === "task.trigger" && taskIdle(context))
          ? {}
          : undefined
    }
  },
  handleAlarm: { success: { "task.idle": ({ context }) => (taskIdle(context) ? {} : undefined) } }
})

const workerPoolHandler = handler("WorkerPoolHandler", "workerPool")

const dispatcher = serviceEventsByKey<DispatcherShape>()(jobsTagKey("Dispatcher"), "Dispatcher", {
  handle: {
    context: ([request]) => ({ jobType: request.type, jobName: request.name, trigger: request.action })
  },
  handleAlarm: {
    // An alarm that fires is no longer set. The event waits for the metadata read to say
    // whose alarm it is; on an empty instance it is never emitted.
    context: () => ({ trigger: "alarm", alarmPending: false }),
    before: { "alarm.fired": () => ({}) }
  }
})

export const defaultJobsEventMap: EventMap = {
  ...extendEventMap(
    metadata,
    alarm,
    cleanup,
    execution,
    retry,
    continuousHandler,
    debounceHandler,
    taskHandler,
    workerPoolHandler,
    dispatcher
  ),
  ambient: { [RuntimeAdapterKey]: (runtime: RuntimeAdapterShape) => ({ instanceId: runtime.instanceId }) },
  clock: { tagKey: RuntimeAdapterKey, now: (runtime: RuntimeAdapterShape) => runtime.now() }
}
