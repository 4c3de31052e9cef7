import type { ErrorSummary } from "../event/ErrorSummary.js"
import type { JobType } from "./events/JobEvent.js"
import { jobEvents, type EventFields, type JobEvents } from "./events/jobEvents.js"
import {
  extendEventMap,
  removeFromEventMap,
  serviceEventsByKey,
  withLateFields,
  withRequirements,
  type EventMap,
  type FailureOutcome,
  type MethodEvents
} from "../instrument/EventMap.js"
import { summarizeError, summarizeFailure } from "../instrument/failure.js"
import type { JobContext } from "./JobContext.js"
import { defaultJobsEventMap } from "./defaultJobsEventMap.js"
import { attemptOf, errorOptions, iso, unwrapExecutionError } from "./callFacts.js"
import { flushReason } from "./debounceBatch.js"
import { memoryOf } from "./instanceMemory.js"
import { defaultJobsEventMapRequirements, learnsFrom, requestAction, userFunctionCall } from "./requirements.js"
import {
  jobsTagKey,
  type JobHandlerShape,
  type JobResponseShape,
  type MetadataServiceShape,
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
 * It is the default map with the execution events read where this layout shows a run: a
 * continuous or debounce run opens at the attempt read before it (`RetryExecutor.getAttempt`)
 * and closes at `executeWithRetry` (which is told the job it runs for) or, without a retry
 * config, where its handler's call ends; a task's run opens at the metadata call before it and
 * closes with its `TaskHandler` call. Exhausted retries are read from
 * `RetryExhaustedError` as well as the signal, client endings from the `stop`/`clear` answers,
 * endings no boundary shows are told at the instance's next call (`unseenEnding`), and
 * `task.idle` is left out: no boundary tells an idle task from one that cleared itself, so it
 * is reported, not guessed. The events keep the order `checkEventSequence` checks.
 */

type RetryError =
  | RetryScheduledShape
  | RetryExhaustedShape
  | RetryExhaustedErrorShape
  | TerminateShape
  | { readonly _tag?: string }
  | undefined

const exhaustedOf = (error: RetryError) =>
  error !== undefined &&
  (error._tag === "RetryExhaustedError" || error._tag === "RetryExhaustedSignal") &&
  "attempts" in error
    ? error
    : undefined

const scheduledOf = (error: RetryError) =>
  error?._tag === "RetryScheduledSignal" && "resumeAt" in error ? error : undefined

const retryScheduledSummary: ErrorSummary = {
  message: "the attempt failed; a retry is scheduled",
  tag: "RetryScheduledSignal"
}

/** The job's own failure, as the user's effect handed to the executor failed with it. */
const jobFailureOf = (context: JobContext): FailureOutcome<unknown> | undefined =>
  context["lastFailure"] as FailureOutcome<unknown> | undefined

/** A failed attempt's summary: the job's own error (exhausted retries carry the last one). */
const attemptError = (call: FailureOutcome<RetryError> & { readonly context: JobContext }): ErrorSummary => {
  const exhausted = exhaustedOf(call.error)
  if (exhausted !== undefined) return summarizeError(exhausted.lastError, errorOptions(call.context))
  const own = jobFailureOf(call.context)
  if (scheduledOf(call.error) !== undefined)
    return own === undefined ? retryScheduledSummary : summarizeFailure(own, errorOptions(call.context))
  return summarizeFailure(call, errorOptions(call.context))
}

/**
 * Continuous and debounce handlers read the attempt (`RetryExecutor.getAttempt`) right before
 * every run of the job's function, with a retry config or without: that read opens the run.
 * A run through `executeWithRetry` closes there; one run inline closes where its handler ends
 * (see `closedByHandler`). A workerPool reads it too, but runs a failing event inline without
 * failing (it dead-letters it), so its runs are told only through `executeWithRetry`.
 */
const opensAtAttempt = (context: JobContext) => context.jobType === "continuous" || context.jobType === "debounce"
const runOpened = (context: JobContext) => context["attemptRead"] === true && opensAtAttempt(context)

// The default map's entries with what they rely on written in (the default map keeps it apart):
// the entries this map takes from it carry it as their own.
const requiredDefault = withRequirements(defaultJobsEventMap, defaultJobsEventMapRequirements)

const defaultRetryEntry = (method: "getAttempt" | "executeWithRetry"): MethodEvents =>
  requiredDefault.services[jobsTagKey("RetryExecutor")]?.methods[method] ?? {}

/** The debounce batch's size, as the request's answer tells it (late: the event waits for it in its place). */
const batchSizeLater = (known: JobContext) =>
  typeof known["batchSize"] === "number" ? { eventCount: known["batchSize"] } : undefined

const getAttempt = serviceEventsByKey<RetryExecutorShape>()(jobEvents, jobsTagKey("RetryExecutor"), "RetryExecutor", {
  getAttempt: {
    // The read comes right before the run: the run happened (what `executed` means in the default map).
    learn: (attempt) => ({ attempt, attemptRead: true, executed: true }),
    success: {
      // A full batch flushes inside `add`: the event that filled it comes first.
      "debounce.event.added": ({ context }) =>
        context.jobType === "debounce" && context.trigger === "add" ? withLateFields({}, batchSizeLater) : undefined,
      "debounce.flush.triggered": ({ context }) => {
        if (context.jobType !== "debounce") return undefined
        const reason = flushReason(context.trigger)
        return reason === "flushAfter"
          ? { reason, eventCount: memoryOf(context).batchSize }
          : withLateFields({ reason }, batchSizeLater)
      },
      "execution.started": ({ result, context }) => (opensAtAttempt(context) ? { attempt: result } : undefined)
    }
  }
})

const endedAsMeant = (error: RetryError) => error?._tag === "TerminateSignal"

const executeWithRetry = serviceEventsByKey<RetryExecutorShape>()(
  jobEvents,
  jobsTagKey("RetryExecutor"),
  "RetryExecutor",
  {
    executeWithRetry: {
      // The executor is told which job it runs; what it ends in teaches the handler it ran.
      context: ([, , job]) => ({ jobType: job.jobType, jobName: job.jobName }),
      learn: () => ({ executionSeen: true }),
      // A run that ends its instance: the handler purges it next (see `runEnding`).
      learnOnFailure: ({ error }) => {
        const exhausted = exhaustedOf(error)
        if (exhausted !== undefined) {
          return {
            executionSeen: true,
            terminateSource: "retryExhausted",
            terminateReason: `retries exhausted after ${exhausted.attempts} attempts`
          }
        }
        if (endedAsMeant(error)) {
          return {
            executionSeen: true,
            terminateSource: "job",
            terminateReason: error !== undefined && "reason" in error ? error.reason : undefined
          }
        }
        return { executionSeen: true }
      },
      learnOnArgFailure: defaultRetryEntry("executeWithRetry").learnOnArgFailure,
      before: {
        "execution.started": ({ context }) => (runOpened(context) ? undefined : { attempt: attemptOf(context) }),
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
        "retry.scheduled": (call) => {
          const scheduled = scheduledOf(call.error)
          return scheduled === undefined
            ? undefined
            : {
                attempt: scheduled.attempt,
                resumeAt: iso(scheduled.resumeAt),
                ...(jobFailureOf(call.context) === undefined ? {} : { error: attemptError(call) })
              }
        },
        "retry.exhausted": (call) => {
          const exhausted = exhaustedOf(call.error)
          return exhausted === undefined
            ? undefined
            : {
                attempts: exhausted.attempts,
                totalDurationMs: exhausted.totalDurationMs,
                reason: exhausted.reason,
                error: attemptError(call)
              }
        },
        // `ctx.terminate()` ends a run as meant.
        "execution.succeeded": ({ error, context, durationMs }) =>
          endedAsMeant(error) ? { attempt: attemptOf(context), durationMs } : undefined,
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
  }
)

type HandleEntry = MethodEvents<
  [JobHandlerShape["handle"] extends (request: infer R) => unknown ? R : never],
  JobResponseShape | undefined
>

const defaultEntry = (service: string, method: "handle" | "handleAlarm"): MethodEvents =>
  requiredDefault.services[jobsTagKey(service)]?.methods[method] ?? {}

/** A handler entry of the default map without its `task.idle` recipe (see the blind spot below), and its success recipes. */
const withoutTaskIdle = (service: string, method: "handle" | "handleAlarm") => {
  const base = defaultEntry(service, method) as HandleEntry
  const { "task.idle": _idle, ...kept } = base.success ?? {}
  return { base, kept }
}

/**
 * A run through the retry executor that ended its instance (`ctx.terminate()`, or retries run
 * out): continuous and debounce handlers purge it then, so the handler's end is the instance's,
 * after the run's outcome and the purge's `alarm.cancelled`.
 */
const runEnding = (context: JobContext): EventFields<"job.terminated"> | undefined => {
  const source = context["terminateSource"]
  const reason = context["terminateReason"]
  return source === "job" || source === "retryExhausted"
    ? { reason: typeof reason === "string" ? reason : undefined, source }
    : undefined
}

/** A run the attempt read opened, and no `executeWithRetry` closed: it ran inline, and its handler's end closes it. */
const closedByHandler = (context: JobContext) => runOpened(context) && context["executionSeen"] !== true

/** A continuous run that ended its instance, as the handler's answer says (`start` or `trigger`). */
const answeredEnded = (result: JobResponseShape | undefined) =>
  (result?._type === "continuous.start" && result.status === "terminated") ||
  (result?._type === "continuous.trigger" && result.terminated === true)

/**
 * The events a handler's end tells of a run it ran inline: its outcome (the handler fails with
 * the job's error when the run failed), a debounce batch done, and an instance the run ended.
 */
const inlineRunEnd = (service: string, method: "handle" | "handleAlarm") => {
  const { base, kept } = withoutTaskIdle(service, method)
  // `handleAlarm` has no request and answers nothing: the recipes read both as possibly absent.
  const entry: HandleEntry = {
    ...base,
    success: {
      "execution.succeeded": ({ context, durationMs }) =>
        closedByHandler(context) ? { attempt: attemptOf(context), durationMs } : undefined,
      ...kept,
      "job.completed": ({ context, durationMs }) =>
        closedByHandler(context) && context.jobType === "debounce" ? { durationMs } : undefined,
      "job.terminated": (call) => {
        const { result, context } = call
        // `stop` ends the instance in the handler; so did a `terminate` where a package has one.
        if (result?._type === "continuous.stop" && result.stopped === true)
          return { reason: result.reason ?? call.args[0]?.reason, source: "client" }
        const fromBase = kept["job.terminated"]?.(call)
        if (fromBase !== undefined) return fromBase
        return runEnding(context) ?? (closedByHandler(context) && answeredEnded(result) ? { source: "job" } : undefined)
      }
    },
    failure: {
      "execution.failed": (call) =>
        closedByHandler(call.context)
          ? {
              attempt: attemptOf(call.context),
              durationMs: call.durationMs,
              willRetry: false,
              error: summarizeFailure(unwrapExecutionError(call), errorOptions(call.context)),
              failure: call.kind
            }
          : undefined,
      "job.failed": (call) =>
        call.kind !== "interrupted" && closedByHandler(call.context)
          ? { error: summarizeFailure(unwrapExecutionError(call), errorOptions(call.context)), failure: call.kind }
          : undefined
    }
  }
  return serviceEventsByKey<JobHandlerShape>()(jobEvents, jobsTagKey(service), service, { [method]: entry })
}

const continuousHandler = extendEventMap(
  inlineRunEnd("ContinuousHandler", "handle"),
  inlineRunEnd("ContinuousHandler", "handleAlarm")
)

/**
 * A task runs its functions inline, in its handler, once the handler has made sure the instance
 * exists: `onEvent` for a `send`, `execute` for a `trigger` or the alarm. The last boundary
 * before the run is a metadata call: the read that found the instance, or, on the task's first
 * send, the status update that set the instance it created running. Its success opens the run
 * (after the instance's `job.created` and `job.started`); the handler's answer, or its failure,
 * closes it. The handler reads the metadata once per request (an alarm's dispatcher reads it
 * too, outside the handler: `taskHandler` tells the handler's read apart). A send's event is
 * checked against its schema between the two, so an event the schema refuses is a failed run.
 */
const taskRunTriggers: ReadonlySet<string> = new Set(["send", "trigger", "alarm"])
const inTaskHandler = (context: JobContext) =>
  context.jobType === "task" && context["taskHandler"] === true && taskRunTriggers.has(context.trigger ?? "")
const sendsTaskEvent = (context: JobContext) => context.trigger === "send" && inTaskHandler(context)

/** The task's run was opened: the instance was found, or (a send) created and set running. */
const taskRunOpen = (context: JobContext) =>
  inTaskHandler(context) &&
  (context["found"] === true ||
    (context.trigger === "send" && context["created"] === true && context["setRunning"] === true))

// Tasks have no retry config in this layout: every run is its first and only attempt.
const onlyAttempt = 1

/**
 * An instance that ends itself without a retry config (a task's `ctx.clear()`, a continuous
 * job's `ctx.terminate()`) is purged inside its handler, where no boundary shows it. The
 * instance's memory keeps the life `job.created` told until an ending is told (see
 * `keepingLives`); when a later call finds the instance gone (its metadata read answers
 * nothing, or it is created anew) while that life is still open, the life ended unseen, and
 * `job.terminated` (source `"job"`, no reason) is told then, before anything of a new life.
 */
const unseenEnding = (context: JobContext): EventFields<"job.terminated"> | undefined => {
  const life = memoryOf(context).life
  return life === undefined ? undefined : { jobType: life.jobType, jobName: life.jobName, source: "job" }
}

const metadataEntry = (method: "initialize" | "get" | "updateStatus") =>
  requiredDefault.services[jobsTagKey("MetadataService")]?.methods[method] ?? {}

const metadata = serviceEventsByKey<MetadataServiceShape>()(
  jobEvents,
  jobsTagKey("MetadataService"),
  "MetadataService",
  {
    initialize: {
      ...metadataEntry("initialize"),
      success: { "job.terminated": ({ context }) => unseenEnding(context), ...metadataEntry("initialize").success }
    },
    get: {
      ...metadataEntry("get"),
      learn: (meta, args) =>
        meta === undefined ? undefined : { ...metadataEntry("get").learn?.(meta, args), found: true },
      success: {
        ...metadataEntry("get").success,
        "job.terminated": ({ result, context }) => (result === undefined ? unseenEnding(context) : undefined),
        "task.event.received": ({ result, context }) =>
          result !== undefined && sendsTaskEvent(context) ? {} : undefined,
        "execution.started": ({ result, context }) =>
          result !== undefined && inTaskHandler(context) ? { attempt: onlyAttempt } : undefined
      }
    },
    updateStatus: {
      ...metadataEntry("updateStatus"),
      learn: (_, [status]) => (status === "running" ? { setRunning: true } : undefined),
      success: {
        ...metadataEntry("updateStatus").success,
        "task.event.received": ({ args: [status], context }) =>
          status === "running" && context["created"] === true && sendsTaskEvent(context) ? {} : undefined,
        "execution.started": ({ args: [status], context }) =>
          status === "running" && context["created"] === true && sendsTaskEvent(context)
            ? { attempt: onlyAttempt }
            : undefined
      }
    }
  }
)

const { base: taskHandle, kept: taskHandleSuccess } = withoutTaskIdle("TaskHandler", "handle")
const taskAlarm = withoutTaskIdle("TaskHandler", "handleAlarm")

/** A task run's end: success closes it as succeeded. */
const taskRunSucceeded = (context: JobContext, durationMs: number): EventFields<"execution.succeeded"> | undefined =>
  taskRunOpen(context) ? { attempt: onlyAttempt, durationMs } : undefined

/** A handler that failed after its run opened: the run failed (and `onError` did not take it), with the job's own error. */
const taskRunFailure = {
  "execution.failed": (
    call: FailureOutcome<unknown> & { readonly context: JobContext; readonly durationMs: number }
  ): EventFields<"execution.failed"> | undefined =>
    taskRunOpen(call.context)
      ? {
          attempt: onlyAttempt,
          durationMs: call.durationMs,
          willRetry: false,
          error: summarizeFailure(unwrapExecutionError(call), errorOptions(call.context)),
          failure: call.kind
        }
      : undefined,
  "task.event.processed": ({
    context,
    durationMs
  }: {
    readonly context: JobContext
    readonly durationMs: number
  }): EventFields<"task.event.processed"> | undefined =>
    sendsTaskEvent(context) && taskRunOpen(context) ? { durationMs, outcome: "failure" } : undefined,
  "job.failed": (
    call: FailureOutcome<unknown> & { readonly context: JobContext }
  ): EventFields<"job.failed"> | undefined =>
    call.kind !== "interrupted" && taskRunOpen(call.context)
      ? { error: summarizeFailure(unwrapExecutionError(call), errorOptions(call.context)), failure: call.kind }
      : undefined
}

const taskHandler = serviceEventsByKey<JobHandlerShape>()(jobEvents, jobsTagKey("TaskHandler"), "TaskHandler", {
  handle: {
    ...taskHandle,
    context: (args, caller) => ({ ...taskHandle.context?.(args, caller), taskHandler: true }),
    success: {
      ...taskHandleSuccess,
      "job.terminated": (call) =>
        call.result?._type === "task.clear" && call.result.cleared === true
          ? { source: "client" }
          : taskHandleSuccess["job.terminated"]?.(call),
      // The handler answered the send or trigger: its run went through.
      "execution.succeeded": ({ result, context, durationMs }) =>
        result?._type === "task.send" || result?._type === "task.trigger"
          ? taskRunSucceeded(context, durationMs)
          : undefined,
      "task.event.processed": ({ result, context, durationMs }) =>
        result?._type === "task.send" && taskRunOpen(context) ? { durationMs, outcome: "success" as const } : undefined
    },
    failure: taskRunFailure
  },
  handleAlarm: {
    ...taskAlarm.base,
    context: (args, caller) => ({ ...taskAlarm.base.context?.(args as never, caller), taskHandler: true }),
    success: {
      ...taskAlarm.kept,
      "execution.succeeded": ({ context, durationMs }) => taskRunSucceeded(context, durationMs)
    },
    failure: taskRunFailure
  } as MethodEvents
})

const debounceHandler = extendEventMap(
  inlineRunEnd("DebounceHandler", "handle"),
  inlineRunEnd("DebounceHandler", "handleAlarm")
)

// Events after which an instance's life (or its batch) is over, as checkEventSequence counts them.
const lifeEndings: ReadonlySet<string> = new Set(["job.terminated", "job.completed", "job.failed", "debounce.cleared"])

type AnyRecipes = {
  readonly [type: string]: ((call: { readonly context: JobContext }) => Record<string, unknown> | undefined) | undefined
}

/** A recipe that, when it tells its event, keeps the instance's memory of its life up to date. */
const remembering =
  (type: string, recipe: NonNullable<AnyRecipes[string]>) => (call: { readonly context: JobContext }) => {
    const fields = recipe(call)
    if (fields === undefined) return fields
    const memory = memoryOf(call.context)
    if (type !== "job.created") {
      memory.life = undefined
    } else {
      const jobType = (fields["jobType"] ?? call.context.jobType) as JobType | undefined
      const jobName = (fields["jobName"] ?? call.context.jobName) as string | undefined
      memory.life = jobType === undefined || jobName === undefined ? undefined : { jobType, jobName }
    }
    return fields
  }

const rememberingAll = <R extends object | undefined>(recipes: R): R =>
  recipes === undefined
    ? recipes
    : (Object.fromEntries(
        Object.entries(recipes as AnyRecipes).map(([type, recipe]) => [
          type,
          recipe !== undefined && (type === "job.created" || lifeEndings.has(type)) ? remembering(type, recipe) : recipe
        ])
      ) as R)

/** The map with every recipe of `job.created` and of an ending keeping the instance's life in its memory (see `unseenEnding`). */
const keepingLives = (map: EventMap): EventMap => ({
  ...map,
  services: Object.fromEntries(
    Object.entries(map.services).map(([key, entry]) => [
      key,
      {
        service: entry.service,
        methods: Object.fromEntries(
          Object.entries(entry.methods).map(([name, method]) => [
            name,
            {
              ...method,
              before: rememberingAll(method.before),
              success: rememberingAll(method.success),
              failure: rememberingAll(method.failure)
            }
          ])
        )
      }
    ])
  )
})

const partial = { seesOnly: "runs of jobs with a retry config", bypass: userFunctionCall }
const inlineRun = { seesOnly: "continuous and debounce runs without a retry config (where the handler's call ends)" }
const handlerRunEnd = {
  "execution.succeeded": inlineRun,
  "execution.failed": inlineRun,
  "job.failed": inlineRun,
  "job.completed": inlineRun
}
const taskRun = { seesOnly: "a task's runs (onEvent for a send, execute for a trigger or the alarm)" }
const endedUnseen = {
  seesOnly: "ends no boundary showed, told at the instance's next call while the isolate remembers its life"
}

/**
 * The event map for the older layout of the jobs package (no JobExecutionService, no
 * CleanupService; handlers run the job inline): every event it can see at a service boundary,
 * and, declared as blind spots, what it cannot (see `coverage <package-dir>`). The codemod picks
 * it for packages of that layout.
 *
 * @category Instrumentation
 */
export const inlineJobsEventMap: EventMap<JobEvents> = withRequirements(
  {
    ...keepingLives(
      extendEventMap(
        removeFromEventMap(
          removeFromEventMap(requiredDefault, jobsTagKey("JobExecutionService")),
          jobsTagKey("CleanupService")
        ),
        getAttempt,
        executeWithRetry,
        metadata,
        continuousHandler,
        taskHandler,
        debounceHandler
      )
    ),
    blindSpots: {
      "task.idle": {
        reason:
          "a task's onIdle runs inline in its handler, and no answer or service call tells an idle task from one that cleared itself",
        at: "def.onIdle",
        hint: 'if TaskHandler.handle answers a send or trigger with whether the task cleared itself, a `success: { "task.idle": ... }` entry for TaskHandler.handle reading it would cover it'
      }
    }
  },
  {
    [jobsTagKey("RetryExecutor")]: {
      getAttempt: {
        "execution.started": { seesOnly: "continuous and debounce runs (the attempt read before each)" },
        "debounce.event.added": requestAction("debounce", "add")
      },
      executeWithRetry: {
        "execution.started": partial,
        "execution.succeeded": partial,
        "execution.failed": partial,
        "job.completed": partial,
        "job.failed": partial,
        "retry.scheduled": { classes: ["RetryScheduledSignal"] },
        "retry.exhausted": { classes: ["RetryExhaustedError", "RetryExhaustedSignal"] },
        "retry.attempted": learnsFrom("RetryExecutor", "getAttempt")
      }
    },
    [jobsTagKey("ContinuousHandler")]: {
      handle: {
        ...handlerRunEnd,
        "job.terminated": {
          ...requestAction("continuous", "stop", "terminate"),
          seesOnly: "client stops, and runs that ended the instance"
        }
      },
      handleAlarm: {
        ...handlerRunEnd,
        "job.terminated": { seesOnly: "runs through the retry executor that ended the instance" }
      }
    },
    [jobsTagKey("DebounceHandler")]: {
      handle: {
        ...handlerRunEnd,
        "job.terminated": { seesOnly: "runs through the retry executor that ended the instance" }
      },
      handleAlarm: {
        ...handlerRunEnd,
        "job.terminated": { seesOnly: "runs through the retry executor that ended the instance" }
      }
    },
    [jobsTagKey("TaskHandler")]: {
      handle: {
        "job.terminated": { ...requestAction("task", "clear", "terminate"), seesOnly: "client clears" },
        "execution.succeeded": taskRun,
        "execution.failed": taskRun,
        "job.failed": taskRun,
        "task.event.processed": requestAction("task", "send")
      },
      handleAlarm: { "execution.succeeded": taskRun, "execution.failed": taskRun, "job.failed": taskRun }
    },
    [jobsTagKey("MetadataService")]: {
      initialize: { "job.terminated": endedUnseen },
      get: {
        "job.terminated": endedUnseen,
        "task.event.received": requestAction("task", "send"),
        "execution.started": taskRun
      },
      updateStatus: {
        "task.event.received": requestAction("task", "send"),
        "execution.started": { ...requestAction("task", "send"), seesOnly: "a task's first send (its onEvent run)" }
      }
    }
  }
)
