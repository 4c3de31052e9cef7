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
import { InMemoryTracker } from "../../src/tracker/InMemoryTracker.js"
import type { JobEvent } from "../../src/jobs/events/JobEvent.js"
import { forgetInstanceMemory } from "../../src/jobs/instanceMemory.js"
import { addTracker, type TrackerOption } from "../../src/instrument/addTracker.js"
import { flushEvents } from "../../src/tracker/EventTracker.js"
import type { JobRequest, JobResponse } from "../fixtures/jobs-inline/src/runtime/types.js"
import { alarmFirer, type LayerWrap } from "../support/jobsHarness.js"
import { batch, inbox, inline, noRetry, pool, selfTerminating, withRetry } from "./inlineScenarios.js"

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
    handle: (request: JobRequest): Promise<JobResponse> =>
      run(Effect.flatMap(Dispatcher, (dispatcher) => dispatcher.handle(request))),
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
  const tracker = InMemoryTracker.make<JobEvent>()
  const runtime = trackedInlineRuntime(layer, tracker.tracker, definitions, options)
  const events = (): Promise<ReadonlyArray<JobEvent>> => Effect.runPromise(tracker.handle.getEvents())
  const types = async () => (await events()).map((event) => event.type)
  return { runtime, handles, fireAlarm: alarmFirer(handles, runtime), events, types }
}

/**
 * A scenario over the older layout that takes every path the inline map tells (continuous runs
 * with and without a retry config, retries, endings; debounce flushes of each kind and a clear;
 * task sends, an alarm run, a task that clears itself, a client clear; a workerPool event), and
 * the events it emitted. `extra` adds runtimes of its own.
 */
export const everyInlinePath = async (
  extra: (collect: (t: ReturnType<typeof trackedInlineJobs>) => Promise<void>) => Promise<void> = async () => undefined
): Promise<ReadonlyArray<JobEvent>> => {
  const all: Array<JobEvent> = []
  const collect = async (t: ReturnType<typeof trackedInlineJobs>) => void all.push(...(await t.events()))
  // Continuous: inline runs, a stop, retries scheduled and exhausted, a run that succeeds
  // through the executor, a run that ends itself.
  const plain = trackedInlineJobs({ noRetry })
  await plain.runtime.handle(inline.start("noRetry"))
  await plain.fireAlarm()
  await plain.runtime.handle(inline.stop("noRetry"))
  await collect(plain)
  const failing = trackedInlineJobs({ failing: withRetry(true) })
  await failing.runtime.handle(inline.start("failing"))
  await failing.fireAlarm()
  await collect(failing)
  const succeeding = trackedInlineJobs({ succeeding: withRetry(false) })
  await succeeding.runtime.handle(inline.start("succeeding"))
  await collect(succeeding)
  const ending = trackedInlineJobs({ ending: selfTerminating })
  await ending.runtime.handle(inline.start("ending"))
  await collect(ending)
  // Debounce: maxEvents inside add, the flushAfter alarm, a manual flush, a clear; with and without retry config.
  for (const retry of [false, true]) {
    const name = retry ? "retried" : "plain"
    const d = trackedInlineJobs({ [name]: batch(retry) })
    for (const page of ["/a", "/b", "/c"]) await d.runtime.handle(inline.add(name, page))
    await d.runtime.handle(inline.add(name, "/d"))
    await d.fireAlarm()
    await d.runtime.handle(inline.add(name, "/e"))
    await d.runtime.handle(inline.debounce(name, "flush"))
    await d.runtime.handle(inline.add(name, "/f"))
    await d.runtime.handle(inline.debounce(name, "clear"))
    await collect(d)
  }
  // Task: an idle task, one that schedules and runs from its alarm, one that clears itself, a client clear.
  const task = trackedInlineJobs({ inbox })
  await task.runtime.handle(inline.send("now"))
  await task.runtime.handle(inline.send("later"))
  await task.fireAlarm()
  await task.runtime.handle(inline.send("done"))
  await task.runtime.handle(inline.send("again"))
  await task.runtime.handle(inline.clearTask())
  await collect(task)
  // Worker pool, with a retry config.
  const workers = trackedInlineJobs({ pool })
  await workers.runtime.handle({
    type: "workerPool",
    action: "enqueue",
    name: "pool",
    eventId: "e1",
    instanceIndex: 0,
    event: { to: "a@example.com" }
  })
  await workers.fireAlarm()
  await collect(workers)

  await extra(collect)
  return all
}
