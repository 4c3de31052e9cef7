/**
 * The event map in upstream core's own job event format: the 8 types the hand-tracked jobs
 * release (77953cd) emitted from ten `emitEvent` calls, emitted here from the service calls
 * those calls sat among, with the same fields, in the same order. Where the release was plainly
 * wrong it tells the truth instead; docs/migrate.md lists each difference.
 */

import { Effect } from "effect"
import { extendEventMap, serviceEventsByKey, withLateFields, type EventMap } from "../../instrument/EventMap.js"
import { summarizeError } from "../../instrument/failure.js"
import { reachedEvents } from "../../instrument/reachedFunctions.js"
import { watchArgCalls } from "../../instrument/watchArgCalls.js"
import { attemptOf, iso, jobFailureOf, scheduledTime, unwrapExecutionError } from "../callFacts.js"
import { batchSizeAnswered, batchSizeOf, flushReason, forgetChangingBatch, rememberBatch } from "../debounceBatch.js"
import { instanceMemory, memoryOf } from "../instanceMemory.js"
import type { JobContext } from "../JobContext.js"
import {
  continuousRunCountKey,
  jobsTagKey,
  RuntimeAdapterKey,
  StorageAdapterKey,
  type AlarmServiceShape,
  type ExecuteOptionsShape,
  type JobExecutionServiceShape,
  type JobHandlerShape,
  type JobMetadataShape,
  type JobRequestShape,
  type RetryExecutorShape,
  type RuntimeAdapterShape,
  type StorageAdapterShape
} from "../shapes.js"
import { upstreamJobEvents, type UpstreamJobEvents } from "./upstreamJobEvents.js"

// What the release's services have beyond the shapes the 20-type map reads: the user's `id` of an
// instance, a start's input, and the run's context factory (it is handed the state as loaded).
interface UpstreamMetadataServiceShape {
  initialize(type: JobMetadataShape["type"], name: string, id?: string): Effect.Effect<void, unknown>
  get(): Effect.Effect<(JobMetadataShape & { readonly id?: string }) | undefined, unknown>
}
interface UpstreamExecuteOptionsShape extends ExecuteOptionsShape {
  readonly id?: string
}
interface UpstreamJobExecutionServiceShape {
  execute(options: UpstreamExecuteOptionsShape): ReturnType<JobExecutionServiceShape["execute"]>
}
interface UpstreamRequestShape extends JobRequestShape {
  readonly id?: string
  readonly input?: unknown
}
interface UpstreamJobHandlerShape extends Omit<JobHandlerShape, "handle"> {
  handle(request: UpstreamRequestShape): ReturnType<JobHandlerShape["handle"]>
}

/** An error as upstream's events carry it: its message and, as the release sent it, its stack. */
const upstreamError = (error: unknown): { readonly message: string; readonly stack?: string } => {
  const { message, stack } = summarizeError(error, { stack: true })
  return stack === undefined ? { message } : { message, stack }
}

/** The state as loaded before the run, when the run got that far (`null` for none, as upstream sends it). */
const stateBeforeRun = (context: JobContext) =>
  context["ranWith"] === true ? { preExecutionState: context["preExecutionState"] } : {}

const runFields = (options: UpstreamExecuteOptionsShape, context: JobContext) => ({
  runCount: options.runCount ?? 0,
  attempt: attemptOf(context) ?? 1
})

const metadata = serviceEventsByKey<UpstreamMetadataServiceShape>()(
  upstreamJobEvents,
  jobsTagKey("MetadataService"),
  "MetadataService",
  {
    initialize: {
      learn: (_, [jobType, jobName]) => ({ jobType, jobName, created: true }),
      success: {
        // A continuous start, once the instance exists: before its state is set and its first run.
        "job.started": ({ args: [jobType, jobName, id], context, startedAt }) => {
          // An instance begins (of any type): nothing remembered of an earlier one with its id
          // holds, and a debounce batch begins now.
          const memory = memoryOf(context)
          memory.runCount = undefined
          if (jobType === "debounce") memory.debounceStartedAt = startedAt
          if (jobType !== "continuous") return undefined
          const input = context["input"]
          return { jobType, jobName, ...(id === undefined ? {} : { id }), ...(input === undefined ? {} : { input }) }
        }
      }
    },
    get: {
      // An alarm does not say whose it is, nor a terminate which id: the metadata it reads does.
      learn: (meta) => (meta === undefined ? undefined : { jobType: meta.type, jobName: meta.name, id: meta.id })
    }
  }
)

const alarm = serviceEventsByKey<AlarmServiceShape>()(upstreamJobEvents, jobsTagKey("AlarmService"), "AlarmService", {
  schedule: {
    success: {
      // A new debounce batch's flush alarm, set by the add that created it.
      "debounce.started": ({ args: [when], context, startedAt }) =>
        context.jobType === "debounce" &&
        context.trigger === "add" &&
        context["created"] === true &&
        context["inExecution"] !== true
          ? { flushAt: iso(scheduledTime(when, startedAt)) }
          : undefined,
      // A task's run sets its alarm; once its `onIdle` has run, the schedule is idle's.
      "task.scheduled": ({ args: [when], context, startedAt }) =>
        context.jobType === "task" && context["inExecution"] === true
          ? {
              scheduledAt: iso(scheduledTime(when, startedAt)),
              trigger:
                context["idleRan"] === true
                  ? ("idle" as const)
                  : context.trigger === "send"
                    ? ("event" as const)
                    : ("execute" as const)
            }
          : undefined
    }
  }
})

// A task's `onIdle` runs when its run leaves nothing scheduled, and its schedule is set after it.
// The handler takes it from the definition in the registry it reads, not from a service call.
const idle = reachedEvents(upstreamJobEvents, jobsTagKey("RegistryService"), "RegistryService", {
  "registry.task.*.onIdle": { learn: () => ({ idleRan: true }) }
})

// A client's terminate purges the instance. When tracking no longer remembers the job's run count
// (the isolate was evicted since its last run), it reads it first, as the release did: once,
// before the purge, never a write; a read that fails leaves the event unsent, the terminate as it is.
const storedRunCount = reachedEvents(upstreamJobEvents, StorageAdapterKey, "StorageAdapter", {
  deleteAll: {
    readBefore: (storage: StorageAdapterShape, _args, context) =>
      context.jobType === "continuous" && context.trigger === "terminate" && memoryOf(context).runCount === undefined
        ? Effect.map(storage.get(continuousRunCountKey), (count) => ({
            storedRunCount: typeof count === "number" ? count : 0
          }))
        : undefined
  }
})

const retry = serviceEventsByKey<RetryExecutorShape>()(
  upstreamJobEvents,
  jobsTagKey("RetryExecutor"),
  "RetryExecutor",
  {
    getAttempt: { learn: (attempt) => ({ attempt }) },
    executeWithRetry: {
      // The attempt fails with the job's own error; the signal that follows does not carry it.
      learnOnArgFailure: {
        0: (outcome) => (outcome.kind === "failure" ? { lastFailure: outcome } : undefined)
      },
      learnOnFailure: ({ error }) =>
        error?._tag === "RetryExhaustedSignal" && "attempts" in error
          ? { exhaustedAttempts: error.attempts, exhaustedReason: error.reason }
          : undefined
    }
  }
)

const ran = { executed: true } as const

const execution = serviceEventsByKey<UpstreamJobExecutionServiceShape>()(
  upstreamJobEvents,
  jobsTagKey("JobExecutionService"),
  "JobExecutionService",
  {
    execute: {
      context: ([options], caller) => {
        if (options.jobType === "continuous" && options.runCount !== undefined)
          memoryOf(caller).runCount = options.runCount
        return {
          jobType: options.jobType,
          jobName: options.jobName,
          ...(options.id === undefined ? {} : { id: options.id }),
          inExecution: true
        }
      },
      // The run's context is made from the state as loaded: what upstream sends as `preExecutionState`.
      learnOnArgCall: watchArgCalls({
        0: {
          createContext: ([base]) => ({
            ranWith: true,
            preExecutionState: (base as { readonly getState: () => unknown }).getState()
          })
        }
      }),
      learn: () => ran,
      learnOnFailure: () => ran,
      success: {
        "job.executed": ({ args: [options], result, context, durationMs }) =>
          result.success ? { ...runFields(options, context), durationMs, ...stateBeforeRun(context) } : undefined,
        // The attempt failed and a retry is set: with the attempt's own error.
        "job.failed": ({ args: [options], result, context }) => {
          const failure = jobFailureOf(context)
          return result.retryScheduled && failure !== undefined
            ? {
                error: upstreamError(failure.error),
                ...runFields(options, context),
                willRetry: true,
                ...stateBeforeRun(context)
              }
            : undefined
        },
        "job.retryExhausted": ({ result, context }) => {
          const attempts = context["exhaustedAttempts"]
          return result.retryExhausted && typeof attempts === "number"
            ? {
                attempts,
                reason:
                  context["exhaustedReason"] === "max_duration_exceeded"
                    ? ("max_duration" as const)
                    : ("max_attempts" as const)
              }
            : undefined
        },
        // A flush ran: the batch's size and age when it began, by the runtime's clock.
        "debounce.flushed": ({ args: [options], result, context, startedAt }) => {
          if (options.jobType !== "debounce" || !result.success) return undefined
          const memory = memoryOf(context)
          const durationMs = memory.debounceStartedAt === undefined ? 0 : startedAt - memory.debounceStartedAt
          const reason = flushReason(context.trigger)
          if (reason === "flushAfter") {
            // The alarm's request answers nothing: the count is the one remembered from the adds.
            return memory.batchSize === undefined
              ? undefined
              : { eventCount: memory.batchSize, reason: "timeout" as const, durationMs }
          }
          // The add or flush answers with the count when its request ends; the event waits for
          // it (a request that fails after its flush sends it without).
          return withLateFields({ reason, durationMs }, (known) =>
            batchSizeOf(known) === undefined ? undefined : { eventCount: batchSizeOf(known)! }
          ) as { readonly reason: typeof reason; readonly durationMs: number; readonly eventCount: number }
        }
      },
      failure: {
        // The job's own failure, without a retry: not a failure to load its state.
        "job.failed": (call) => {
          const [options] = call.args
          if (call.kind !== "failure" || call.context["ranWith"] !== true) return undefined
          return {
            error: upstreamError(unwrapExecutionError(call).error),
            ...runFields(options, call.context),
            willRetry: false,
            ...stateBeforeRun(call.context)
          }
        }
      }
    }
  }
)

const handlerContext = ([request]: readonly [UpstreamRequestShape]) => ({
  jobType: request.type,
  jobName: request.name,
  trigger: request.action,
  ...(request.id === undefined ? {} : { id: request.id }),
  ...(request.action === "start" && request.input !== undefined ? { input: request.input } : {})
})

const handler = (name: string, jobType: JobMetadataShape["type"]) =>
  serviceEventsByKey<UpstreamJobHandlerShape>()(upstreamJobEvents, jobsTagKey(name), name, {
    handle: { context: handlerContext },
    handleAlarm: { context: () => ({ jobType, trigger: "alarm" }) }
  })

const continuousHandler = serviceEventsByKey<UpstreamJobHandlerShape>()(
  upstreamJobEvents,
  jobsTagKey("ContinuousHandler"),
  "ContinuousHandler",
  {
    handle: {
      context: handlerContext,
      success: {
        // A client's terminate purges in the handler: with the run count of the job's last run
        // (read before the purge when tracking no longer remembers it).
        "job.terminated": ({ args: [request], result, context }) => {
          if (result?._type !== "continuous.terminate" || result.terminated !== true) return undefined
          const memory = memoryOf(context)
          const stored = context["storedRunCount"]
          const runCount = memory.runCount ?? (typeof stored === "number" ? stored : undefined)
          memory.runCount = undefined
          return runCount === undefined
            ? undefined
            : { runCount, ...(request.reason === undefined ? {} : { reason: request.reason }) }
        }
      }
    },
    handleAlarm: { context: () => ({ jobType: "continuous" as const, trigger: "alarm" }) }
  }
)

const debounceHandler = serviceEventsByKey<UpstreamJobHandlerShape>()(
  upstreamJobEvents,
  jobsTagKey("DebounceHandler"),
  "DebounceHandler",
  {
    handle: {
      context: (args, caller) => {
        forgetChangingBatch(args[0], caller)
        return handlerContext(args)
      },
      learn: batchSizeAnswered,
      success: {
        // Emits nothing: remembers the batch as the request left it, for the alarm's flush.
        "debounce.flushed": ({ result, context }) => {
          rememberBatch(context, result)
          return undefined
        }
      }
    },
    handleAlarm: { context: () => ({ jobType: "debounce" as const, trigger: "alarm" }) }
  }
)

/**
 * The event map in upstream core's own job event format (`upstreamJobEvents`): the 8 types the
 * hand-tracked jobs release sent, with its field names, from the service calls of a jobs runtime
 * with a `JobExecutionService` (the release's layout). What `migrate --events upstream` (the
 * default) puts in a migrated package's `src/tracking.ts`. Its events decode with upstream core's
 * `InternalTrackingEventSchema`, and on the same requests they are the events the release sent,
 * but where the release was plainly wrong (docs/migrate.md lists each difference).
 *
 * Like the release, it sends the job's `input` (`job.started`) and its state as loaded before each
 * run (`preExecutionState`): `omitEventFields(upstreamJobsEventMap, ["input", "preExecutionState"])`
 * sends neither.
 *
 * @category Upstream job events
 */
export const upstreamJobsEventMap: EventMap<UpstreamJobEvents> = {
  ...extendEventMap(
    metadata,
    alarm,
    retry,
    execution,
    continuousHandler,
    debounceHandler,
    handler("TaskHandler", "task"),
    handler("WorkerPoolHandler", "workerPool"),
    idle,
    storedRunCount
  ),
  ambient: {
    [RuntimeAdapterKey]: (runtime: RuntimeAdapterShape) => ({
      instanceId: runtime.instanceId,
      memory: instanceMemory(runtime.instanceId)
    })
  },
  clock: { tagKey: RuntimeAdapterKey, now: (runtime: RuntimeAdapterShape) => runtime.now() }
}
