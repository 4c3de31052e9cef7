import { Context, Duration, Effect, Exit, FiberRef, Layer } from "effect"
import { RuntimeAdapter, type RuntimeAdapterService, type RuntimeLayer } from "@durable-effect/core"
import { createJobRegistry } from "../test/fixtures/jobs/src/registry/index.js"
import type { AnyUnregisteredDefinition } from "../test/fixtures/jobs/src/registry/types.js"
import {
  ContinuousHandler,
  DebounceHandler,
  JobHandlersLayer,
  RetryExecutor,
  RetryExecutorLayer,
  TaskHandler
} from "../test/fixtures/jobs/src/handlers/index.js"
import { RetryExhaustedSignal, RetryScheduledSignal } from "../test/fixtures/jobs/src/retry/index.js"
import { Dispatcher, DispatcherLayer } from "../test/fixtures/jobs/src/runtime/dispatcher.js"
import {
  AlarmService,
  CleanupService,
  CleanupServiceLayer,
  JobExecutionService,
  JobExecutionServiceLayer,
  MetadataService,
  RegistryServiceLayer,
  RuntimeServicesLayer,
  type ExecutionResult
} from "../test/fixtures/jobs/src/services/index.js"
import { TerminateSignal } from "../test/fixtures/jobs/src/errors.js"
import { summarizeError } from "../src/instrument/failure.js"
import { emitEvent } from "../src/tracker/EventTracker.js"
import type { ErrorSummary } from "../src/event/ErrorSummary.js"
import type { JobType } from "../src/jobs/events/JobEvent.js"
import { makeJobEvent, type JobEventInput } from "../src/jobs/events/makeJobEvent.js"
import { addTracker, type TrackerOption } from "../src/instrument/addTracker.js"

/**
 * The events of the default map, placed by hand: decorators of the fixture's service layers that
 * call the real services and `emitEvent(makeJobEvent(...))` around them, with the job's context
 * kept in a FiberRef the dispatcher sets per call, as a person instrumenting the package would
 * write it. Benchmark-only: it covers the paths the workload takes (and the failure paths of an
 * execution), not every corner the default map handles.
 */

/** What one dispatcher call knows about its job; the calls it makes fill it in. */
interface JobRun {
  jobType: JobType | undefined
  jobName: string | undefined
  readonly trigger: string
  created: boolean
  alarmPending: boolean | undefined
  /** The run cancelled the instance's alarm (what a task does when it goes idle). */
  alarmCancelled: boolean
  terminated: boolean
  attempt: number | undefined
  lastError: ErrorSummary | undefined
  terminateReason: string | undefined
  terminateSource: "job" | "retryExhausted" | undefined
  /** Events emitted before the run knew its job (an alarm's), sent once it does. */
  waiting: Array<{ readonly type: string; readonly fields: Record<string, unknown>; readonly at: number }>
}

const CurrentRun = FiberRef.unsafeMake<JobRun | undefined>(undefined)

const newRun = (trigger: string, jobType?: JobType, jobName?: string): JobRun => ({
  jobType,
  jobName,
  trigger,
  created: false,
  alarmPending: undefined,
  alarmCancelled: false,
  terminated: false,
  attempt: undefined,
  lastError: undefined,
  terminateReason: undefined,
  terminateSource: undefined,
  waiting: []
})

const iso = (ms: number) => new Date(ms).toISOString()

/** The emit calls a decorator makes, stamped with the job's clock. */
const emitterFor = (runtime: RuntimeAdapterService) => {
  const send = (run: JobRun, type: string, fields: Record<string, unknown>, at: number) =>
    emitEvent(
      makeJobEvent(
        {
          ...fields,
          type,
          instanceId: runtime.instanceId,
          jobType: run.jobType,
          jobName: run.jobName
        } as JobEventInput,
        at
      )
    )
  const emitAt = (type: string, fields: Record<string, unknown>, at: number): Effect.Effect<void> =>
    Effect.flatMap(FiberRef.get(CurrentRun), (run) => {
      if (run === undefined) return Effect.void
      if (run.jobType === undefined || run.jobName === undefined) {
        run.waiting.push({ type, fields, at })
        return Effect.void
      }
      return send(run, type, fields, at)
    })
  return {
    now: runtime.now(),
    emitAt,
    emit: (type: string, fields: Record<string, unknown> = {}) =>
      Effect.flatMap(runtime.now(), (at) => emitAt(type, fields, at)),
    /** The run learnt its job: send what waited for it. */
    release: (run: JobRun) =>
      Effect.suspend(() => {
        const waiting = run.waiting
        run.waiting = []
        return Effect.forEach(waiting, (event) => send(run, event.type, event.fields, event.at), { discard: true })
      }),
    run: FiberRef.get(CurrentRun)
  }
}
type Emitter = ReturnType<typeof emitterFor>

/** A layer whose built services `decorate` replaces, given the job's clock and instance. */
const decorated = <ROut, E, RIn>(
  layer: Layer.Layer<ROut, E, RIn>,
  decorate: (built: Context.Context<ROut>, emitter: Emitter) => Context.Context<ROut>
) =>
  Layer.flatMap(layer, (built) =>
    Layer.effectContext(Effect.map(RuntimeAdapter, (runtime) => decorate(built, emitterFor(runtime))))
  )

const replace =
  <I, S>(tag: Context.Tag<I, S>, decorate: (service: S) => S) =>
  <R>(context: Context.Context<R>): Context.Context<R> =>
    Context.add(context, tag, decorate(Context.unsafeGet(context, tag))) as Context.Context<R>

const metadataEmits =
  (e: Emitter) =>
  (service: Context.Tag.Service<MetadataService>): Context.Tag.Service<MetadataService> => ({
    ...service,
    initialize: (type, name) =>
      Effect.tap(service.initialize(type, name), () =>
        Effect.flatMap(e.run, (run) => {
          if (run === undefined) return Effect.void
          run.jobType = type
          run.jobName = name
          run.created = true
          return e.emit("job.created")
        })
      ),
    get: () =>
      Effect.tap(service.get(), (meta) =>
        Effect.flatMap(e.run, (run) => {
          if (run === undefined || meta === undefined) return Effect.void
          run.jobType = meta.type
          run.jobName = meta.name
          return e.release(run)
        })
      ),
    updateStatus: (status) =>
      Effect.tap(service.updateStatus(status), () =>
        Effect.flatMap(e.run, (run) =>
          status === "running" && run?.created === true ? e.emit("job.started") : Effect.void
        )
      )
  })

const scheduledTime = (when: Duration.DurationInput | number | Date, now: number): number =>
  typeof when === "number"
    ? when
    : when instanceof Date
      ? when.getTime()
      : now + Duration.toMillis(Duration.decode(when))

const alarmEmits =
  (e: Emitter) =>
  (service: Context.Tag.Service<AlarmService>): Context.Tag.Service<AlarmService> => ({
    ...service,
    schedule: (when) =>
      Effect.flatMap(e.now, (startedAt) =>
        Effect.tap(service.schedule(when), () =>
          Effect.flatMap(e.run, (run) => {
            if (run !== undefined) run.alarmPending = true
            return e.emit("alarm.scheduled", { scheduledAt: iso(scheduledTime(when, startedAt)) })
          })
        )
      ),
    cancel: () =>
      Effect.tap(service.cancel(), () =>
        Effect.flatMap(e.run, (run) => {
          if (run !== undefined) {
            run.alarmPending = false
            run.alarmCancelled = true
          }
          return e.emit("alarm.cancelled")
        })
      ),
    getScheduled: () =>
      Effect.tap(service.getScheduled(), (scheduledAt) =>
        Effect.flatMap(e.run, (run) =>
          Effect.sync(() => void (run !== undefined && (run.alarmPending = scheduledAt !== undefined)))
        )
      )
  })

const cleanupEmits =
  (e: Emitter) =>
  (service: Context.Tag.Service<CleanupService>): Context.Tag.Service<CleanupService> => ({
    ...service,
    terminate: () =>
      Effect.tap(service.terminate(), () =>
        Effect.flatMap(e.run, (run) => {
          if (run === undefined) return Effect.void
          run.terminated = true
          run.alarmPending = false
          return e.emit("job.terminated", {
            reason: run.terminateReason,
            source: run.terminateSource === "retryExhausted" ? "retryExhausted" : "job"
          })
        })
      )
  })

const ended = (result: ExecutionResult) => result.success || (result.terminated && !result.retryExhausted)

const executionEmits =
  (e: Emitter) =>
  (service: Context.Tag.Service<JobExecutionService>): Context.Tag.Service<JobExecutionService> => ({
    ...service,
    execute: (options) =>
      Effect.flatMap(e.run, (run) => {
        if (run === undefined) return service.execute(options)
        run.jobType ??= options.jobType
        run.jobName ??= options.jobName
        const taskSend = options.jobType === "task" && run.trigger === "send"
        return Effect.flatMap(e.now, (startedAt) => {
          // A task's event is received where its run begins: after the start that created it.
          const received = taskSend ? e.emitAt("task.event.received", {}, startedAt) : Effect.void
          const before = Effect.zipRight(
            Effect.zipRight(
              received,
              options.jobType === "debounce"
                ? e.emitAt(
                    "debounce.flush.triggered",
                    { reason: run.trigger === "add" ? "maxEvents" : run.trigger === "alarm" ? "flushAfter" : "manual" },
                    startedAt
                  )
                : Effect.void
            ),
            e.emitAt("execution.started", { runCount: options.runCount }, startedAt)
          )
          const after = (exit: Exit.Exit<ExecutionResult, unknown>) =>
            Effect.flatMap(e.now, (endedAt) => {
              const durationMs = Math.max(0, endedAt - startedAt)
              const common = { runCount: options.runCount, attempt: run.attempt, durationMs }
              const emits: Array<Effect.Effect<void>> = []
              if (Exit.isSuccess(exit)) {
                const result = exit.value
                if (ended(result)) emits.push(e.emitAt("execution.succeeded", common, endedAt))
                if (result.retryScheduled || result.retryExhausted) {
                  const error = run.lastError ?? { message: "the attempt failed", tag: "RetrySignal" }
                  emits.push(
                    e.emitAt(
                      "execution.failed",
                      { ...common, willRetry: result.retryScheduled, error, failure: "failure" },
                      endedAt
                    )
                  )
                }
                if (taskSend)
                  emits.push(
                    e.emitAt(
                      "task.event.processed",
                      { durationMs, outcome: ended(result) ? "success" : "failure" },
                      endedAt
                    )
                  )
                if (options.jobType === "debounce" && result.success)
                  emits.push(e.emitAt("job.completed", { durationMs }, endedAt))
                if (result.retryExhausted && !result.rescheduled) {
                  const error = run.lastError ?? { message: "retries exhausted", tag: "RetryExhaustedSignal" }
                  emits.push(e.emitAt("job.failed", { error, failure: "failure" }, endedAt))
                }
              } else {
                const error = summarizeError(exit.cause)
                emits.push(
                  e.emitAt("execution.failed", { ...common, willRetry: false, error, failure: "failure" }, endedAt)
                )
                if (taskSend) emits.push(e.emitAt("task.event.processed", { durationMs, outcome: "failure" }, endedAt))
                emits.push(e.emitAt("job.failed", { error, failure: "failure" }, endedAt))
              }
              return Effect.all(emits, { discard: true })
            })
          return Effect.zipRight(before, Effect.onExit(service.execute(options), after))
        })
      })
  })

const retryEmits =
  (e: Emitter) =>
  (service: Context.Tag.Service<RetryExecutor>): Context.Tag.Service<RetryExecutor> => ({
    ...service,
    getAttempt: () =>
      Effect.tap(service.getAttempt(), (attempt) =>
        Effect.flatMap(e.run, (run) => Effect.sync(() => void (run !== undefined && (run.attempt = attempt))))
      ),
    executeWithRetry: (effect, config, context) =>
      Effect.flatMap(e.run, (run) => {
        const attempted =
          run?.attempt !== undefined && run.attempt > 1
            ? e.emit("retry.attempted", { attempt: run.attempt })
            : Effect.void
        const run_ = service.executeWithRetry(effect, config, context).pipe(
          Effect.tapError((error: unknown) => {
            if (run === undefined) return Effect.void
            if (error instanceof RetryScheduledSignal) {
              return e.emit("retry.scheduled", { attempt: error.attempt, resumeAt: iso(error.resumeAt) })
            }
            if (error instanceof RetryExhaustedSignal) {
              run.lastError = summarizeError(error.lastError)
              run.terminateReason = `retries exhausted after ${error.attempts} attempts`
              run.terminateSource = "retryExhausted"
              return e.emit("retry.exhausted", {
                attempts: error.attempts,
                totalDurationMs: error.totalDurationMs,
                reason: error.reason,
                error: run.lastError
              })
            }
            if (error instanceof TerminateSignal) {
              run.terminateReason = error.reason
              run.terminateSource = "job"
            }
            return Effect.void
          })
        )
        return Effect.zipRight(attempted, run_)
      })
  })

const reasonOf = (request: object): string | undefined => {
  const reason = (request as { readonly reason?: unknown }).reason
  return typeof reason === "string" ? reason : undefined
}

const terminatedByClient = (
  e: Emitter,
  result: { readonly _type: string; readonly terminated?: boolean; readonly reason?: string | undefined },
  reason: string | undefined
) =>
  result._type.endsWith(".terminate") && result.terminated === true
    ? e.emit("job.terminated", { reason: result.reason ?? reason, source: "client" })
    : Effect.void

const continuousEmits =
  (e: Emitter) =>
  (service: Context.Tag.Service<ContinuousHandler>): Context.Tag.Service<ContinuousHandler> => ({
    ...service,
    handle: (request) =>
      Effect.tap(service.handle(request), (result) => terminatedByClient(e, result, reasonOf(request)))
  })

const debounceEmits =
  (e: Emitter) =>
  (service: Context.Tag.Service<DebounceHandler>): Context.Tag.Service<DebounceHandler> => ({
    ...service,
    handle: (request) =>
      Effect.tap(service.handle(request), (result) => {
        if (result._type === "debounce.add") return e.emit("debounce.event.added", { eventCount: result.eventCount })
        if (result._type === "debounce.clear" && result.cleared)
          return e.emit("debounce.cleared", { discardedEvents: result.discardedEvents })
        return Effect.void
      })
  })

// A trigger's or an alarm's run went idle only when it cancelled the schedule itself.
const taskIdle = (run: JobRun | undefined) =>
  run !== undefined && run.alarmCancelled && run.alarmPending === false && !run.terminated

const taskEmits =
  (e: Emitter) =>
  (service: Context.Tag.Service<TaskHandler>): Context.Tag.Service<TaskHandler> => ({
    ...service,
    handle: (request) =>
      Effect.tap(service.handle(request), (result) =>
        Effect.flatMap(e.run, (run) => {
          const idle =
            (result._type === "task.send" && result.scheduledAt === null && run?.terminated !== true) ||
            (result._type === "task.trigger" && taskIdle(run))
          return Effect.zipRight(
            terminatedByClient(e, result, reasonOf(request)),
            idle ? e.emit("task.idle") : Effect.void
          )
        })
      ),
    handleAlarm: () =>
      Effect.tap(service.handleAlarm(), () =>
        Effect.flatMap(e.run, (run) => (taskIdle(run) ? e.emit("task.idle") : Effect.void))
      )
  })

const dispatcherEmits =
  (e: Emitter) =>
  (service: Context.Tag.Service<Dispatcher>): Context.Tag.Service<Dispatcher> => ({
    handle: (request) =>
      Effect.locally(service.handle(request), CurrentRun, newRun(request.action, request.type, request.name)),
    handleAlarm: () =>
      Effect.suspend(() => {
        const run = newRun("alarm")
        // The alarm has fired, so none is set; whose alarm it is, the metadata read will say.
        run.alarmPending = false
        return Effect.locally(Effect.zipRight(e.emit("alarm.fired"), service.handleAlarm()), CurrentRun, run)
      })
  })

/**
 * The fixture's composition with the hand-placed decorators in place of `withTracking`, and the
 * tracker joined to the core as the tracked harness joins it (`addTracker`), so that the two
 * differ only in how the emits are placed.
 */
export const handPlacedDispatcherLayer = (
  coreLayer: RuntimeLayer,
  tracker: TrackerOption,
  definitions: Readonly<Record<string, AnyUnregisteredDefinition>>
): Layer.Layer<Dispatcher> => {
  const core = addTracker(coreLayer, tracker)
  const registryLayer = RegistryServiceLayer(createJobRegistry(definitions))
  const servicesLayer = decorated(RuntimeServicesLayer, (built, e) =>
    replace(AlarmService, alarmEmits(e))(replace(MetadataService, metadataEmits(e))(built))
  ).pipe(Layer.provideMerge(core))
  const cleanupLayer = decorated(CleanupServiceLayer, (built, e) =>
    replace(CleanupService, cleanupEmits(e))(built)
  ).pipe(Layer.provideMerge(servicesLayer))
  const retryLayer = decorated(RetryExecutorLayer, (built, e) => replace(RetryExecutor, retryEmits(e))(built)).pipe(
    Layer.provideMerge(servicesLayer)
  )
  const executionLayer = decorated(JobExecutionServiceLayer, (built, e) =>
    replace(JobExecutionService, executionEmits(e))(built)
  ).pipe(Layer.provideMerge(retryLayer), Layer.provideMerge(cleanupLayer), Layer.provideMerge(core))
  const handlersLayer = decorated(JobHandlersLayer, (built, e) =>
    replace(
      TaskHandler,
      taskEmits(e)
    )(replace(DebounceHandler, debounceEmits(e))(replace(ContinuousHandler, continuousEmits(e))(built)))
  ).pipe(
    Layer.provideMerge(registryLayer),
    Layer.provideMerge(servicesLayer),
    Layer.provideMerge(retryLayer),
    Layer.provideMerge(executionLayer)
  )
  return decorated(DispatcherLayer, (built, e) => replace(Dispatcher, dispatcherEmits(e))(built)).pipe(
    Layer.provideMerge(handlersLayer)
  )
}
