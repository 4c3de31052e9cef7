import { Effect, Layer } from "effect"
import { createTestRuntime, type RuntimeLayer } from "@durable-effect/core"
import { createJobRegistry } from "../fixtures/jobs/src/registry/index.js"
import type { AnyUnregisteredDefinition } from "../fixtures/jobs/src/registry/types.js"
import { JobHandlersLayer, RetryExecutorLayer } from "../fixtures/jobs/src/handlers/index.js"
import { Dispatcher, DispatcherLayer } from "../fixtures/jobs/src/runtime/dispatcher.js"
import { createJobsRuntimeFromLayer } from "../fixtures/jobs/src/runtime/runtime.js"
import type { JobRequest, JobResponse } from "../fixtures/jobs/src/runtime/types.js"
import {
  CleanupServiceLayer,
  JobExecutionServiceLayer,
  RegistryServiceLayer,
  RuntimeServicesLayer
} from "../fixtures/jobs/src/services/index.js"
import type { EventMap } from "../../src/instrument/EventMap.js"
import { withTracking, type EventMaps } from "../../src/instrument/withTracking.js"
import { defaultJobsEventMap } from "../../src/jobs/defaultJobsEventMap.js"
// The boundary flush is this library's: it never fails, whatever the tracker does (the jobs
// core's own flushEvents passes a tracker's failure on to the run).
import { flushEvents } from "../../src/tracker/EventTracker.js"
import { InMemoryTracker } from "../../src/tracker/InMemoryTracker.js"
import { addTracker, type TrackerOption } from "../../src/instrument/addTracker.js"
import type { JobEvent } from "../../src/jobs/events/JobEvent.js"
import { forgetInstanceMemory } from "../../src/jobs/instanceMemory.js"

export interface JobsRuntimeUnderTest {
  readonly handle: (request: JobRequest) => Promise<JobResponse>
  readonly handleAlarm: () => Promise<void>
}

/** A change to a layer that keeps its type, such as wrapping it with `withTracking`. */
export type LayerWrap = <A, E, R>(layer: Layer.Layer<A, E, R>) => Layer.Layer<A, E, R>

/**
 * The fixture's composition (its createDispatcherLayer) with every service layer the default
 * map names passed through `wrap`, over `core` (which may carry a tracker).
 */
export const composeJobs = (
  core: RuntimeLayer,
  definitions: Readonly<Record<string, AnyUnregisteredDefinition>>,
  wrap: LayerWrap
): Layer.Layer<Dispatcher> => {
  const registryLayer = RegistryServiceLayer(createJobRegistry(definitions))
  const servicesLayer = wrap(RuntimeServicesLayer).pipe(Layer.provideMerge(core))
  const cleanupLayer = wrap(CleanupServiceLayer).pipe(Layer.provideMerge(servicesLayer))
  const retryLayer = wrap(RetryExecutorLayer).pipe(Layer.provideMerge(servicesLayer))
  const executionLayer = wrap(JobExecutionServiceLayer).pipe(
    Layer.provideMerge(retryLayer),
    Layer.provideMerge(cleanupLayer),
    Layer.provideMerge(core)
  )
  const handlersLayer = wrap(JobHandlersLayer).pipe(
    Layer.provideMerge(registryLayer),
    Layer.provideMerge(servicesLayer),
    Layer.provideMerge(retryLayer),
    Layer.provideMerge(executionLayer)
  )
  return wrap(DispatcherLayer).pipe(Layer.provideMerge(handlersLayer))
}

/**
 * The fixture's composition tracked as the codemod writes it: every mapped service layer
 * wrapped, the tracker under it, a flush per run. Without a tracker nothing is wrapped: the
 * runtime knows when it is created that tracking is off.
 */
export const trackedDispatcherLayer = (
  coreLayer: RuntimeLayer,
  tracker: TrackerOption | undefined,
  definitions: Readonly<Record<string, AnyUnregisteredDefinition>>,
  options: { readonly eventMap?: EventMap | EventMaps; readonly errorStack?: boolean; readonly spans?: boolean } = {}
): Layer.Layer<Dispatcher> => {
  const tracking = {
    eventMap: options.eventMap ?? defaultJobsEventMap,
    errorStack: options.errorStack,
    spans: options.spans,
    enabled: tracker !== undefined
  }
  return composeJobs(addTracker(coreLayer, tracker), definitions, (layer) => withTracking(layer, tracking))
}

/** A runtime's calls as effects (each builds the layer and flushes at its end), to run under the TestClock. */
export const callsOver = (layer: Layer.Layer<Dispatcher>) => {
  const call = <A, E>(effect: Effect.Effect<A, E, Dispatcher>) =>
    effect.pipe(Effect.ensuring(flushEvents), Effect.provide(layer))
  return {
    handle: (request: JobRequest) => call(Effect.flatMap(Dispatcher, (dispatcher) => dispatcher.handle(request))),
    handleAlarm: () => call(Effect.flatMap(Dispatcher, (dispatcher) => dispatcher.handleAlarm()))
  }
}

export const runtimeOver = (layer: Layer.Layer<Dispatcher>): JobsRuntimeUnderTest => {
  const calls = callsOver(layer)
  return {
    handle: (request) => Effect.runPromise(calls.handle(request)),
    handleAlarm: () => Effect.runPromise(calls.handleAlarm())
  }
}

/** Fires the pending alarm (moving the test clock to it) and runs the alarm handler. */
export const alarmFirer =
  (handles: ReturnType<typeof createTestRuntime>["handles"], runtime: Pick<JobsRuntimeUnderTest, "handleAlarm">) =>
  async () => {
    const firedAt = handles.scheduler.fire()
    if (firedAt === undefined) throw new Error("no alarm is scheduled")
    await runtime.handleAlarm()
    return firedAt
  }

/** A tracked jobs runtime on the in-memory core, with the events it emitted. */
export const trackedJobs = (
  definitions: Readonly<Record<string, AnyUnregisteredDefinition>>,
  options: {
    readonly instanceId?: string
    readonly eventMap?: EventMap | EventMaps
    readonly errorStack?: boolean
  } = {}
) => {
  const instanceId = options.instanceId ?? "instance-1"
  // A fresh instance: nothing remembered of an earlier test's instance of the same id.
  forgetInstanceMemory(instanceId)
  const { layer, handles } = createTestRuntime({ instanceId })
  const tracker = InMemoryTracker.make<JobEvent>()
  const { instanceId: _instanceId, ...tracking } = options
  const runtime = runtimeOver(trackedDispatcherLayer(layer, tracker.tracker, definitions, tracking))
  const events = (): Promise<ReadonlyArray<JobEvent>> => Effect.runPromise(tracker.handle.getEvents())
  const types = async () => (await events()).map((event) => event.type)
  const clear = () => Effect.runPromise(tracker.handle.clear())
  return { runtime, handles, fireAlarm: alarmFirer(handles, runtime), events, types, clear }
}

/** The same definitions on the fixture's own, untracked runtime. */
export const plainJobs = (
  definitions: Readonly<Record<string, AnyUnregisteredDefinition>>,
  options: { readonly instanceId?: string } = {}
) => {
  const { layer, handles } = createTestRuntime({ instanceId: options.instanceId ?? "instance-1" })
  const runtime = createJobsRuntimeFromLayer(layer, createJobRegistry(definitions))
  return { runtime, handles, fireAlarm: alarmFirer(handles, runtime) }
}

/** A step of a scenario: a request, or the alarm firing. */
export type StepOf<Request> = Request | "alarm"

/**
 * What a caller and the storage can observe of a run: every response (or failure), the storage
 * after each step, the alarm and the clock. `afterStep` sees each step's index once it is done.
 */
export const observeSteps = async <Request>(
  run: { readonly handle: (request: Request) => Promise<unknown>; readonly handleAlarm: () => Promise<void> },
  handles: ReturnType<typeof createTestRuntime>["handles"],
  steps: ReadonlyArray<StepOf<Request>>,
  afterStep?: (index: number) => Promise<void>
): Promise<Array<unknown>> => {
  const trace: Array<unknown> = []
  for (const [index, step] of steps.entries()) {
    let outcome: unknown
    try {
      if (step === "alarm") {
        const firedAt = handles.scheduler.fire()
        outcome = firedAt === undefined ? "no alarm" : (await run.handleAlarm(), `alarm at ${firedAt}`)
      } else {
        outcome = await run.handle(step)
      }
    } catch (error) {
      outcome = { failed: String(error) }
    }
    trace.push({
      outcome,
      storage: handles.storage.snapshot(),
      alarm: handles.scheduler.scheduledAt(),
      now: handles.clock.now()
    })
    if (afterStep !== undefined) await afterStep(index)
  }
  return trace
}
