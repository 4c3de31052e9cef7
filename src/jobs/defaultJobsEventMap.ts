import type { ErrorSummary } from "../event/ErrorSummary.js"
import type { JobType } from "./events/JobEvent.js"
import { jobEvents, type JobEvents } from "./events/jobEvents.js"
import {
  serviceEventsByKey,
  withLateFields,
  type EventMap,
  type FailureOutcome,
  type MethodEntriesOf
} from "../instrument/EventMap.js"
import { summarizeFailure } from "../instrument/failure.js"
import type { JobContext } from "./JobContext.js"
import {
  jobsTagKey,
  RuntimeAdapterKey,
  type AlarmServiceShape,
  type CleanupServiceShape,
  type DispatcherShape,
  type ExecutionResultShape,
  type JobExecutionServiceShape,
  type JobHandlerShape,
  type JobRequestShape,
  type JobResponseShape,
  type MetadataServiceShape,
  type RetryExecutorShape,
  type RuntimeAdapterShape
} from "./shapes.js"
import { instanceMemory, memoryOf } from "./instanceMemory.js"
import {
  attemptOf,
  errorOptions,
  iso,
  jobFailureOf,
  scheduledTime,
  signalTags,
  tagOf,
  unwrapExecutionError
} from "./callFacts.js"
import { batchSizeAnswered, batchSizeOf, flushReason, forgetChangingBatch, rememberBatch } from "./debounceBatch.js"

const metadata = serviceEventsByKey<MetadataServiceShape>()(
  jobEvents,
  jobsTagKey("MetadataService"),
  "MetadataService",
  {
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
      success: {
        "job.started": ({ args: [status], context }) =>
          status === "running" && context["created"] === true ? {} : undefined
      }
    }
  }
)

const alarm = serviceEventsByKey<AlarmServiceShape>()(jobEvents, jobsTagKey("AlarmService"), "AlarmService", {
  schedule: {
    learn: () => ({ alarmPending: true }),
    success: {
      "alarm.scheduled": ({ args: [when], startedAt, context }) => {
        const at = scheduledTime(when, startedAt)
        memoryOf(context).alarmAt = at
        return { scheduledAt: iso(at) }
      }
    }
  },
  cancel: {
    learn: () => ({ alarmPending: false, alarmCancelled: true }),
    success: {
      "alarm.cancelled": ({ context }) => {
        memoryOf(context).alarmAt = undefined
        return {}
      }
    }
  },
  getScheduled: {
    learn: (scheduledAt) => ({ alarmPending: scheduledAt !== undefined })
  }
})

/** Why the instance ended, from what the request learnt (and the run's own result). */
const terminatedFields = (context: JobContext, result?: ExecutionResultShape) => {
  const reason = result?.terminateReason ?? context["terminateReason"]
  const source =
    context["terminateSource"] === "retryExhausted" || result?.retryExhausted === true ? "retryExhausted" : "job"
  return { reason: typeof reason === "string" ? reason : undefined, source } as const
}

const cleanup = serviceEventsByKey<CleanupServiceShape>()(jobEvents, jobsTagKey("CleanupService"), "CleanupService", {
  terminate: {
    learn: () => ({ terminated: true, cleanedUp: true, alarmPending: false }),
    success: {
      // Inside a run, the run ends first: its outcome, then job.terminated (from execute).
      "job.terminated": ({ context }) => (context["inExecution"] === true ? undefined : terminatedFields(context))
    }
  }
})

const failureFields = (context: JobContext, fallback: FailureOutcome<unknown>) => {
  const failure = jobFailureOf(context) ?? fallback
  return { error: summarizeFailure(failure, errorOptions(context)), failure: failure.kind }
}

const placeholder = (tag: string, message: string): FailureOutcome<unknown> => ({
  kind: "failure",
  error: { _tag: tag, message },
  defect: undefined
})

const executionEnded = (result: ExecutionResultShape) => result.success || (result.terminated && !result.retryExhausted)

const ran = { executed: true } as const

const execution = serviceEventsByKey<JobExecutionServiceShape>()(
  jobEvents,
  jobsTagKey("JobExecutionService"),
  "JobExecutionService",
  {
    execute: {
      context: ([options]) => ({
        jobType: options.jobType,
        jobName: options.jobName,
        runCount: options.runCount,
        inExecution: true
      }),
      learn: () => ran,
      learnOnFailure: () => ran,
      before: {
        // A full batch flushes inside `add`: the event that filled it comes first. Its count is
        // the one the `add` answers with, known when the request ends.
        "debounce.event.added": ({ args: [options], context }) =>
          options.jobType === "debounce" && context.trigger === "add"
            ? withLateFields({}, (known) =>
                batchSizeOf(known) === undefined ? undefined : { eventCount: batchSizeOf(known) }
              )
            : undefined,
        "debounce.flush.triggered": ({ args: [options], context }) => {
          if (options.jobType !== "debounce") return undefined
          const reason = flushReason(context.trigger)
          // The alarm's request answers nothing: the count is the one remembered from the adds.
          if (reason === "flushAfter") return { reason, eventCount: memoryOf(context).batchSize }
          return withLateFields({ reason }, (known) =>
            batchSizeOf(known) === undefined ? undefined : { eventCount: batchSizeOf(known) }
          )
        },
        "task.event.received": ({ args: [options], context }) =>
          options.jobType === "task" && context.trigger === "send" ? {} : undefined,
        "execution.started": ({ args: [options] }) =>
          withLateFields({ runCount: options.runCount }, (known) =>
            attemptOf(known) === undefined ? undefined : { attempt: attemptOf(known) }
          )
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
                ...failureFields(
                  context,
                  placeholder("RetryScheduledSignal", "the attempt failed; a retry is scheduled")
                )
              }
            : undefined,
        "task.event.processed": ({ args: [options], result, context, durationMs }) =>
          options.jobType === "task" && context.trigger === "send"
            ? { durationMs, outcome: executionEnded(result) ? ("success" as const) : ("failure" as const) }
            : undefined,
        "job.completed": ({ args: [options], result, context, durationMs }) => {
          if (options.jobType !== "debounce" || !result.success) return undefined
          memoryOf(context).batchSize = undefined
          return { durationMs }
        },
        // Retries ran out and the job did not choose to run again later.
        "job.failed": ({ result, context }) =>
          result.retryExhausted && !result.rescheduled
            ? failureFields(context, placeholder("RetryExhaustedSignal", "retries exhausted"))
            : undefined,
        "job.terminated": ({ result, context }) =>
          context["cleanedUp"] === true ? terminatedFields(context, result) : undefined
      },
      failure: {
        "execution.failed": (call) => ({
          runCount: call.args[0].runCount,
          attempt: attemptOf(call.context),
          durationMs: call.durationMs,
          willRetry: false,
          error: summarizeFailure(unwrapExecutionError(call), errorOptions(call.context)),
          failure: call.kind
        }),
        "task.event.processed": ({ args: [options], context, durationMs }) =>
          options.jobType === "task" && context.trigger === "send"
            ? { durationMs, outcome: "failure" as const }
            : undefined,
        "job.failed": (call) =>
          call.kind === "interrupted"
            ? undefined
            : { error: summarizeFailure(unwrapExecutionError(call), errorOptions(call.context)), failure: call.kind },
        "job.terminated": ({ context }) => (context["cleanedUp"] === true ? terminatedFields(context) : undefined)
      }
    }
  }
)

const retry = serviceEventsByKey<RetryExecutorShape>()(jobEvents, jobsTagKey("RetryExecutor"), "RetryExecutor", {
  getAttempt: {
    learn: (attempt) => ({ attempt })
  },
  executeWithRetry: {
    // The user's effect fails with the job's own error; the signals that follow do not carry it.
    learnOnArgFailure: {
      0: (outcome) =>
        outcome.kind === "interrupted" || signalTags.has(tagOf(outcome.error) ?? "")
          ? undefined
          : { lastFailure: outcome }
    },
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
          lastFailure: { kind: "failure", error: error.lastError, defect: undefined } satisfies FailureOutcome<unknown>,
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
      "retry.scheduled": ({ error, context }) =>
        error?._tag === "RetryScheduledSignal" && "resumeAt" in error
          ? {
              attempt: error.attempt,
              resumeAt: iso(error.resumeAt),
              ...(jobFailureOf(context) === undefined
                ? {}
                : { error: summarizeFailure(jobFailureOf(context)!, errorOptions(context)) })
            }
          : undefined,
      "retry.exhausted": ({ error, context }) =>
        error?._tag === "RetryExhaustedSignal" && "attempts" in error
          ? {
              attempts: error.attempts,
              totalDurationMs: error.totalDurationMs,
              reason: error.reason,
              error: summarizeFailure(
                { kind: "failure", error: error.lastError, defect: undefined },
                errorOptions(context)
              )
            }
          : undefined
    }
  }
})

/**
/**
 * The run did not end the task. Only `CleanupService.terminate` shows an ending; where the
 * runtime has no CleanupService (the older layout) an idle task and one that cleared itself
 * look alike, and nothing is claimed.
 */
const notEnded = (context: JobContext) => context["cleanupService"] === true && context["terminated"] !== true

/**
 * The task ran, cancelled its schedule and set none after, and was not ended: then the package
 * counts it idle (its stored schedule is cleared and `onIdle` runs). Without a cancel the map
 * cannot tell: whether the stored schedule of an alarm or trigger run is cleared is the
 * package's internal storage, and a package that keeps it reports the task active.
 */
const taskIdle = (context: JobContext) =>
  context["executed"] === true &&
  context["alarmCancelled"] === true &&
  context["alarmPending"] === false &&
  notEnded(context)

type HandlerEntries = MethodEntriesOf<JobHandlerShape, JobEvents>

/** A handler's entries: each call runs for the job its request (or, for an alarm, its type) names. */
const handler = (
  name: string,
  jobType: JobType,
  entries: { readonly handle?: HandlerEntries["handle"]; readonly handleAlarm?: HandlerEntries["handleAlarm"] } = {}
) =>
  serviceEventsByKey<JobHandlerShape>()(jobEvents, jobsTagKey(name), name, {
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
const clientTerminate: NonNullable<NonNullable<HandlerEntries["handle"]>["success"]>["job.terminated"] = ({
  args: [request],
  result
}) =>
  result?._type.endsWith(".terminate") && result.terminated === true
    ? { reason: result.reason ?? request.reason, source: "client" }
    : undefined

const continuousHandler = handler("ContinuousHandler", "continuous", {
  handle: { success: { "job.terminated": clientTerminate } }
})

const debounceHandler = handler("DebounceHandler", "debounce", {
  handle: {
    context: ([request], caller) => {
      forgetChangingBatch(request, caller)
      return { jobType: request.type, jobName: request.name, trigger: request.action }
    },
    learn: batchSizeAnswered,
    success: {
      "debounce.event.added": ({ result, context }) => {
        rememberBatch(context, result)
        // A flush inside this add already told of the event, before the flush.
        return result?._type === "debounce.add" && context["executed"] !== true
          ? { eventCount: result.eventCount }
          : undefined
      },
      "debounce.cleared": ({ result }) =>
        result?._type === "debounce.clear" && result.cleared === true
          ? { discardedEvents: result.discardedEvents }
          : undefined
    }
  }
})

const taskHandler = handler("TaskHandler", "task", {
  handle: {
    success: {
      "job.terminated": clientTerminate,
      // A send answers with what is scheduled; a trigger only shows it if it changed the alarm.
      "task.idle": ({ result, context }) =>
        (result?._type === "task.send" && result.scheduledAt === null && notEnded(context)) ||
        (result?._type === "task.trigger" && taskIdle(context))
          ? {}
          : undefined
    }
  },
  handleAlarm: { success: { "task.idle": ({ context }) => (taskIdle(context) ? {} : undefined) } }
})

const workerPoolHandler = handler("WorkerPoolHandler", "workerPool")

const dispatcher = serviceEventsByKey<DispatcherShape>()(jobEvents, jobsTagKey("Dispatcher"), "Dispatcher", {
  handle: {
    context: ([request]) => ({ jobType: request.type, jobName: request.name, trigger: request.action })
  },
  handleAlarm: {
    // An alarm that fires is no longer set. The event waits for the metadata read to say
    // whose alarm it is; on an empty instance it is never emitted.
    context: () => ({ trigger: "alarm", alarmPending: false }),
    before: {
      "alarm.fired": ({ context, startedAt }) => {
        const memory = memoryOf(context)
        const at = memory.alarmAt
        memory.alarmAt = undefined
        // An alarm never fires before its time: a later one was set where tracking did not see it.
        return { scheduledAt: at !== undefined && at <= startedAt ? iso(at) : undefined }
      }
    }
  }
})

/**
 * The default event map for the durable-effect jobs package: all 20 job event types, at the
 * integration points of the seed design. docs/events.md says, for each type, when it is emitted.
 *
 * Besides the instance, job type and name, the job context carries what calls have learnt:
 * - `created`: this call created the instance (`MetadataService.initialize` succeeded)
 * - `attempt`: the attempt the current execution is (`RetryExecutor.getAttempt`)
 * - `alarmPending`: whether an alarm is set, as far as this call has seen; `alarmCancelled`: one was cancelled
 * - `inExecution`, `executed`: a call runs inside `JobExecutionService.execute`; one ran
 * - `cleanedUp`, `terminated`, `terminateReason`, `terminateSource`: why an instance ends
 * - `lastFailure`: the job's own failure (its error, as the user's effect failed with it)
 * - `batchSize`: the debounce batch a request's response reports
 * - `memory`: what tracking remembers of the instance between its calls (see instanceMemory.ts)
 *
 * What its recipes rely on in a package, which only `coverage` reads, is not in the map (a Worker
 * would bundle it): see `defaultJobsEventMapRequirements`.
 *
 * @category Instrumentation
 */
export const defaultJobsEventMap: EventMap<JobEvents> = {
  vocabulary: jobEvents,
  // Each part has the entries of services no other part has: side by side they are what
  // `extendEventMap` would make of them, without bundling it into every jobs Worker.
  services: Object.assign(
    {},
    ...[
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
    ].map((part) => part.services)
  ),
  ambient: {
    [RuntimeAdapterKey]: (runtime: RuntimeAdapterShape) => ({
      instanceId: runtime.instanceId,
      memory: instanceMemory(runtime.instanceId)
    }),
    // Whether endings can be seen at all (see `notEnded`).
    [jobsTagKey("CleanupService")]: () => ({ cleanupService: true })
  },
  clock: { tagKey: RuntimeAdapterKey, now: (runtime: RuntimeAdapterShape) => runtime.now() }
}
