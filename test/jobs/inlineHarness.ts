import { Effect, Layer } from "effect"
import { createTestRuntime, type RuntimeLayer } from "@durable-effect/core"
import { createJobRegistry } from "../fixtures/jobs-inline/src/registry/index.js"
import type { AnyUnregisteredDefinition } from "../fixtures/jobs-inline/src/registry/types.js"
import { JobHandlersLayer, RetryExecutorLayer } from "../fixtures/jobs-inline/src/handlers/index.js"
import { Dispatcher, DispatcherLayer } from "../fixtures/jobs-inline/src/runtime/dispatcher.js"
import { RegistryServiceLayer, RuntimeServicesLayer } from "../fixtures/jobs-inline/src/services/index.js"
import type { EventMap } from "../../src/instrument/EventMap.js"
import { withTracking } from "../../src/instrument/withTracking.js"
import { inlineJobsEventMap } from "../../src/jobs/inlineJobsEventMap.js"
import { createInMemoryTracker } from "../../src/tracker/InMemoryTracker.js"
import type { JobEvent } from "../../src/tracker/JobEvent.js"
import { forgetInstanceMemory } from "../../src/jobs/instanceMemory.js"
import { addTracker, type TrackerOption } from "../../src/tracker/TrackerOption.js"
import { flushEvents } from "../../src/tracker/EventTracker.js"
import type { JobRequest, JobResponse } from "../fixtures/jobs-inline/src/runtime/types.js"
import { alarmFirer, type LayerWrap } from "./harness.js"

/** The older layout's composition (the jobs-inline fixture's createDispatcherLayer), every service layer passed through `wrap`. */
export const composeInlineJobs = (
  core: RuntimeLayer,
  definitions: Readonly<Record<string, AnyUnregisteredDefinition>>,
  wrap: LayerWrap
): Layer.Layer<Dispatcher> => {
  const registryLayer = RegistryServiceLayer(createJobRegistry(definitions))
  const servicesLayer = wrap(RuntimeServicesLayer).pipe(Layer.provideMerge(core))
  const retryLayer = wrap(RetryExecutorLayer).pipe(Layer.provideMerge(servicesLayer))
  const handlersLayer = wrap(JobHandlersLayer).pipe(
    Layer.provideMerge(registryLayer),
    Layer.provideMerge(servicesLayer),
    Layer.provideMerge(retryLayer)
  )
  return wrap(DispatcherLayer).pipe(Layer.provideMerge(handlersLayer))
}

/** Runs requests and alarms over the composition, with a flush at the end of every run (as the codemod wires it). */
const inlineRuntimeOver = (layer: Layer.Layer<Dispatcher>) => {
  const run = <A, E>(effect: Effect.Effect<A, E, Dispatcher>) =>
    Effect.runPromise(effect.pipe(Effect.ensuring(flushEvents), Effect.provide(layer)))
  return {
    handle: (request: JobRequest): Promise<JobResponse> => run(Effect.flatMap(Dispatcher, (dispatcher) => dispatcher.handle(request))),
    handleAlarm: (): Promise<void> => run(Effect.flatMap(Dispatcher, (dispatcher) => dispatcher.handleAlarm()))
  }
}

/** The older layout's composition over `core`, every service layer tracked into `tracker` (the inline map unless told otherwise). */
export const trackedInlineRuntime = (
  core: RuntimeLayer,
  tracker: TrackerOption,
  definitions: Readonly<Record<string, AnyUnregisteredDefinition>>,
  options: { readonly eventMap?: EventMap | undefined; readonly errorStack?: boolean } = {}
) => {
  const tracking = { eventMap: options.eventMap ?? inlineJobsEventMap, errorStack: options.errorStack === true }
  return inlineRuntimeOver(composeInlineJobs(addTracker(core, tracker), definitions, (l) => withTracking(l, tracking)))
}

/** A tracked jobs-inline runtime on the in-memory core (the inline map unless told otherwise), with the events it emitted. */
export const trackedInlineJobs = (
  definitions: Readonly<Record<string, AnyUnregisteredDefinition>>,
  options: { readonly instanceId?: string; readonly eventMap?: EventMap; readonly errorStack?: boolean } = {}
) => {
  const instanceId = options.instanceId ?? "instance-1"
  // A fresh instance: nothing remembered of an earlier test's instance of the same id.
  forgetInstanceMemory(instanceId)
  const { layer, handles } = createTestRuntime({ instanceId })
  const tracker = createInMemoryTracker()
  const runtime = trackedInlineRuntime(layer, tracker.tracker, definitions, options)
  const events = (): Promise<ReadonlyArray<JobEvent>> => Effect.runPromise(tracker.handle.getEvents())
  const types = async () => (await events()).map((event) => event.type)
  return { runtime, handles, fireAlarm: alarmFirer(handles, runtime), events, types }
}
