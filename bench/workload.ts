import { Effect, Layer } from "effect"
import { createTestRuntime, type RuntimeLayer } from "@durable-effect/core"
import { createJobRegistry } from "../test/fixtures/jobs/src/registry/index.js"
import { createJobsRuntimeFromLayer } from "../test/fixtures/jobs/src/runtime/runtime.js"
import type { Dispatcher } from "../test/fixtures/jobs/src/runtime/dispatcher.js"
import type { JobRequest } from "../test/fixtures/jobs/src/runtime/types.js"
import { runtimeOver, trackedDispatcherLayer, type JobsRuntimeUnderTest } from "../test/support/jobsHarness.js"
import { clicks, heartbeat, orders, requests } from "../test/support/jobScenarios.js"
import type { EventTrackerService } from "../src/tracker/EventTracker.js"
import { InMemoryTracker } from "../src/tracker/InMemoryTracker.js"
import type { JobEvent } from "../src/jobs/events/JobEvent.js"
import { NoopTracker } from "../src/tracker/NoopTracker.js"
import { makeJobEvent } from "../src/jobs/events/makeJobEvent.js"
import type { TrackerOption } from "../src/instrument/addTracker.js"
import type { EventMap } from "../src/instrument/EventMap.js"
import { defaultJobsEventMap } from "../src/jobs/defaultJobsEventMap.js"
import type { HttpBatchTrackerConfig, HttpFetch } from "../src/sinks/http/HttpBatchTrackerConfig.js"
import { OtelLogsTracker } from "../src/sinks/otel/OtelLogsTracker.js"
import type { QueueProducer } from "../src/sinks/queue/QueueSink.js"
import { QueueTracker } from "../src/sinks/queue/QueueTracker.js"
import { noopLoggerProvider } from "./otelProviders.js"

/**
 * The fixture workload every runtime benchmark runs: one instance per job type, each on a fresh
 * in-memory core, driven through a fixed sequence of requests and alarms. 11 calls, each one a
 * full layer build and run, as in a Durable Object.
 */

export const definitions = { heartbeat, clicks: clicks(), orders }

export type Step = JobRequest | "alarm"

export const script: ReadonlyArray<ReadonlyArray<Step>> = [
  // continuous: start (runs at once), two alarm-driven runs, client terminate
  [requests.start("heartbeat"), "alarm", "alarm", requests.terminate("heartbeat", "done")],
  // debounce: three adds, then the flushAfter alarm flushes them
  [requests.add("/a"), requests.add("/b"), requests.add("/c"), "alarm"],
  // task: a send handled at once, a send that schedules, the alarm it scheduled
  [requests.send("now"), requests.send("later"), "alarm"]
]

export const callsPerWorkload = script.reduce((sum, steps) => sum + steps.length, 0)

/**
 * The lean workload: the cheapest real call the jobs runtime has, a task `send` whose handler
 * does nothing (no state change, no schedule), ten times on one instance. Each call still
 * builds the layers and runs, as the fixture's calls do.
 */
export const leanScript: ReadonlyArray<ReadonlyArray<Step>> = [Array.from({ length: 10 }, () => requests.send("now"))]

/** A jobs runtime over a core layer; the workload makes one per instance. */
export type RuntimeFactory = (coreLayer: RuntimeLayer) => JobsRuntimeUnderTest

export const runWorkload = async (
  makeRuntime: RuntimeFactory,
  steps: ReadonlyArray<ReadonlyArray<Step>> = script
): Promise<void> => {
  for (const calls of steps) {
    const { layer, handles } = createTestRuntime({ instanceId: "bench-instance" })
    const runtime = makeRuntime(layer)
    for (const step of calls) {
      if (step !== "alarm") {
        await runtime.handle(step)
        continue
      }
      if (handles.scheduler.fire() === undefined) throw new Error("the workload expected an alarm to be set")
      await runtime.handleAlarm()
    }
  }
}

/** The fixture's own runtime: no tracking anywhere. */
export const plainRuntime: RuntimeFactory = (coreLayer) =>
  createJobsRuntimeFromLayer(coreLayer, createJobRegistry(definitions))

/**
 * The tracked composition: `withTracking` around every mapped layer, the tracker joined to the
 * core with `addTracker`, a flush per run. Without a tracker, tracking is off: the runtime knows
 * it when it is created, and nothing is wrapped. `spans`: each traced call in a span of its own.
 */
export const trackedRuntime =
  (
    tracker: () => TrackerOption | undefined,
    options: { readonly spans?: boolean; readonly eventMap?: EventMap } = {}
  ): RuntimeFactory =>
  (coreLayer) =>
    runtimeOver(trackedDispatcherLayer(coreLayer, tracker(), definitions, options))

/** Tracking off, as a runtime without a tracker option is composed. */
export const offTrackedRuntime: RuntimeFactory = trackedRuntime(() => undefined)

/** An explicit no-op tracker: wrapped, but the proxies see the no-op tracker and stand aside. */
export const noopTrackedRuntime: RuntimeFactory = trackedRuntime(() => NoopTracker)

/** Tracked, each instance with a fresh in-memory tracker (so memory stays flat across iterations). */
export const inMemoryTrackedRuntime: RuntimeFactory = trackedRuntime(() => InMemoryTracker.make().tracker)

/** The same with spans: each traced call in an Effect span (Effect's own tracer). */
export const inMemorySpansTrackedRuntime: RuntimeFactory = trackedRuntime(() => InMemoryTracker.make().tracker, {
  spans: true
})

/**
 * The default map with every method entry replaced by one that learns nothing (an empty entry is
 * refused). The mapped calls are intercepted as with the default map: a proxy per traced service
 * per build, and each traced call's effect followed by one `flatMap`. But no event is made: what
 * intercepting alone costs on a runtime that builds its services on every call. `intercepted`
 * hears each traced call as it ends (for the test that checks the side does trace).
 */
export const interceptingOnlyEventMap = (intercepted: () => void = () => undefined): EventMap => ({
  ...defaultJobsEventMap,
  services: Object.fromEntries(
    Object.entries(defaultJobsEventMap.services).map(([key, entry]) => [
      key,
      {
        ...entry,
        methods: Object.fromEntries(
          Object.keys(entry.methods).map((name) => [name, { learn: () => void intercepted() }])
        )
      }
    ])
  )
})

/** Tracked with {@link interceptingOnlyEventMap}: the calls intercepted, no event emitted. */
export const interceptingOnlyTrackedRuntime: RuntimeFactory = trackedRuntime(() => InMemoryTracker.make().tracker, {
  eventMap: interceptingOnlyEventMap()
})

/** The env and service key the bench's HTTP trackers send with. */
export const benchDeployment = { env: "bench", serviceKey: "bench" }

/**
 * An HTTP batch tracker config whose `fetch` acknowledges every batch at once: the tracker's own
 * work per call (buffer, encode, flush) without a network stack, whose CPU a Worker's runtime
 * (not its JavaScript) would spend. Each runtime gets its own tracker, as `addTracker` creates one.
 */
export const acknowledgingHttpTracker = (): HttpBatchTrackerConfig => ({
  endpoint: "https://collector.invalid/events",
  ...benchDeployment,
  fetch: async (_url, init) => {
    void init.body.length
    return { status: 200, headers: { get: () => null }, body: null }
  }
})

/** Tracked, with an HTTP batch tracker that flushes at the end of every call. */
export const httpTrackedRuntime: RuntimeFactory = trackedRuntime(acknowledgingHttpTracker)

/**
 * Tracked, with the OpenTelemetry logs tracker over an SDK provider that exports into nothing,
 * one provider for all instances (as a Worker shares one); `spans`: on both `withTracking` and
 * the tracker, so each record carries its method's span. `delivered` hears each export's records.
 */
export const otelTrackedRuntime = (spans: boolean, delivered?: (events: number) => void): RuntimeFactory => {
  const loggerProvider = noopLoggerProvider(delivered)
  return trackedRuntime(() => OtelLogsTracker.make({ loggerProvider, env: benchDeployment.env, spans }), { spans })
}

/**
 * Tracked, with the Queue tracker over a producer that takes every batch at once (reading each
 * message, as a binding would); `delivered` hears how many messages each send carried.
 */
export const queueTrackedRuntime = (delivered: (events: number) => void = () => undefined): RuntimeFactory => {
  const queue: QueueProducer<unknown> = {
    send: async () => delivered(1),
    sendBatch: async (messages) => {
      let count = 0
      for (const message of messages) {
        void message.body
        count++
      }
      delivered(count)
    }
  }
  return trackedRuntime(() => QueueTracker.make(queue, benchDeployment))
}

/** The sides the analysis scripts take by name on their command line (made when named). */
const namedSides: Readonly<Record<string, () => RuntimeFactory>> = {
  plain: () => plainRuntime,
  off: () => offTrackedRuntime,
  noop: () => noopTrackedRuntime,
  "in-memory": () => inMemoryTrackedRuntime,
  "in-memory-spans": () => inMemorySpansTrackedRuntime,
  http: () => httpTrackedRuntime,
  otel: () => otelTrackedRuntime(false),
  queue: () => queueTrackedRuntime()
}

/** The runtime of the side `name` names; an unknown name throws, listing the known ones. */
export const sideNamed = (name: string): RuntimeFactory => {
  const side = namedSides[name]
  if (side === undefined) throw new Error(`unknown side ${name}; known: ${Object.keys(namedSides).join(", ")}`)
  return side()
}

/** Tracked, with an HTTP batch tracker that sends to a real collector (the runtime's own `fetch`). */
export const collectorTrackedRuntime = (endpoint: string): RuntimeFactory =>
  trackedRuntime(() => collectorTracker(endpoint))

/** An HTTP batch tracker config for a real collector at `endpoint`. */
export const collectorTracker = (endpoint: string): HttpBatchTrackerConfig => ({ endpoint, ...benchDeployment })

/** How long the bench's lingering trackers let events wait (`lingerMs`). */
export const benchLingerMs = 50

/**
 * The workload with an HTTP batch tracker per instance, run until the `events` it emits have
 * been delivered: with `lingerMs` ({@link benchLingerMs}), each call's flush leaves its events
 * waiting and a timer sends them, so a sample counts the timers' flushes too. The wait is idle
 * (the bench measures CPU time), and told by the trackers' `fetch` as each batch is answered,
 * with no poll of the trackers (see BENCHMARKS.md, issue 28's eighth round).
 */
export const runLingeringWorkload = (
  config: () => HttpBatchTrackerConfig,
  events: number,
  steps: ReadonlyArray<ReadonlyArray<Step>> = script
): Promise<void> => runUntilDelivered(() => ({ ...config(), lingerMs: benchLingerMs }), events, steps)

/**
 * The control of a lingering side: the same tracker without `lingerMs`, its deliveries counted
 * by the same `fetch` (which parses each batch), then an idle wait of {@link benchLingerMs}. A
 * process idle for a while spends CPU of its own (V8 collects garbage when idle), which the
 * lingering side's wait for its timers counts too. Only `lingerMs` differs between the two.
 */
export const runDeliveredThenIdle = async (
  config: () => HttpBatchTrackerConfig,
  events: number,
  steps: ReadonlyArray<ReadonlyArray<Step>> = script
): Promise<void> => {
  await runUntilDelivered(config, events, steps)
  await idle(benchLingerMs)
}

const runUntilDelivered = async (
  config: () => HttpBatchTrackerConfig,
  events: number,
  steps: ReadonlyArray<ReadonlyArray<Step>>
): Promise<void> => {
  let delivered = 0
  let allDelivered: () => void = () => undefined
  const done = new Promise<void>((resolve) => (allDelivered = resolve))
  const counted = (): HttpBatchTrackerConfig => {
    const given = config()
    const send: HttpFetch = given.fetch ?? ((url, init) => fetch(url, init))
    return {
      ...given,
      fetch: async (url, init) => {
        const response = await send(url, init)
        if (response.status < 300) delivered += (JSON.parse(init.body) as { events: Array<unknown> }).events.length
        if (delivered >= events) allDelivered()
        return response
      }
    }
  }
  await runWorkload(trackedRuntime(counted), steps)
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("a tracker did not deliver the workload's events within 30 s")), 30_000)
  })
  try {
    await Promise.race([done, timedOut])
  } finally {
    clearTimeout(timer)
  }
}

const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs the workload once over `build` with a recording tracker, and returns the event types in order. */
export const recordEventTypes = async (
  build: (coreLayer: RuntimeLayer, tracker: TrackerOption) => Layer.Layer<Dispatcher>,
  steps: ReadonlyArray<ReadonlyArray<Step>> = script
): Promise<ReadonlyArray<string>> => {
  const events: Array<JobEvent> = []
  const recorder: EventTrackerService<JobEvent> = {
    emit: (event) => Effect.sync(() => void events.push(event)),
    flush: () => Effect.void,
    pending: () => Effect.succeed(0)
  }
  await runWorkload((coreLayer) => runtimeOver(build(coreLayer, recorder)), steps)
  return events.map((event) => event.type)
}

/** The events one workload of `steps` emits with the default map. */
export const eventsPerWorkload = async (steps: ReadonlyArray<ReadonlyArray<Step>> = script): Promise<number> =>
  (await recordEventTypes((core, tracker) => trackedDispatcherLayer(core, tracker, definitions), steps)).length

/** A fresh job event of a common shape (its own id and time), for the tracker-only benchmarks. */
export const succeededEvent = (runCount: number): JobEvent =>
  makeJobEvent({
    type: "execution.succeeded",
    instanceId: "bench-instance",
    jobType: "continuous",
    jobName: "heartbeat",
    runCount,
    durationMs: 3
  })
