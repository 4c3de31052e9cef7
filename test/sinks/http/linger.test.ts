import { Effect, Layer, LogLevel, TestClock } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { createTestRuntime } from "../../fixtures/core/index.js"
import {
  durableOutbox,
  EventTracker,
  HttpBatchTracker,
  InvalidTrackerConfigError,
  resolveTrackerLayer,
  type HttpBatchTrackerConfig,
  type JobEvent
} from "durable-effect-tracking"
import { type Collector, startCollector } from "../../support/collector.js"
import { captureLogs } from "../../support/logCapture.js"
import { trackerCall } from "../../support/outboxCalls.js"
import {
  deliveredIds,
  emitAll,
  idsOf,
  jobEvents,
  realTurn,
  runTest,
  settle,
  untilRequests,
  untilSleepAt,
  withoutWaiting
} from "../../support/tracking.js"

// `lingerMs`: a flush with less than a batch buffered sends nothing, and one timer sends what
// waited when the time is up, so the events of several calls go in one request. The collector is
// a real server; time is the TestClock's, which nothing here moves unless a test says so.

let collector: Collector
beforeEach(async () => {
  collector = await startCollector()
})
afterEach(async () => {
  await collector.close()
})

const config = (overrides: Partial<HttpBatchTrackerConfig> = {}): HttpBatchTrackerConfig => ({
  endpoint: collector.url,
  env: "test",
  serviceKey: "s",
  lingerMs: 1_000,
  batchSize: 10,
  ...overrides
})

/** Waits (by turns, not time) until the tracker holds nothing: the timer's flush has ended. */
const untilDelivered = (t: HttpBatchTracker<JobEvent>) =>
  Effect.gen(function* () {
    for (let turn = 0; turn < 5_000; turn++) {
      if ((yield* t.stats()).pending === 0) return
      yield* realTurn
    }
    return yield* Effect.dieMessage("the waiting events were never delivered")
  })

describe("lingerMs: events wait for later calls' events", () => {
  it("flushes with less than a batch send nothing; at lingerMs after the first, one request carries them all", async () => {
    const t = HttpBatchTracker.make<JobEvent>(config())
    const first = jobEvents(2, "first")
    const second = jobEvents(3, "second")
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(t, first)
        yield* withoutWaiting(t.flush())
        yield* TestClock.setTime(600)
        yield* emitAll(t, second)
        yield* withoutWaiting(t.flush())
        yield* settle
        expect(collector.requests).toHaveLength(0)
        expect(yield* t.stats()).toMatchObject({ lingered: 2, pending: 5, requests: 0, flushes: 0 })

        // One timer, set by the first flush that left events waiting, for lingerMs after it.
        yield* untilSleepAt(1_000)
        yield* TestClock.setTime(1_000)
        yield* untilDelivered(t)
        expect(collector.requests).toHaveLength(1)
        expect(deliveredIds(collector)).toEqual([...idsOf(first), ...idsOf(second)])
        expect(yield* t.stats()).toMatchObject({ lingered: 2, requests: 1, flushes: 1, sent: 5 })
      })
    )
  })

  it("a batch's worth is sent at once, and the next events wait lingerMs from the flush that left them", async () => {
    const t = HttpBatchTracker.make<JobEvent>(config({ batchSize: 3 }))
    const full = jobEvents(3, "full")
    const later = jobEvents(1, "later")
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(t, full)
        yield* withoutWaiting(t.flush())
        expect(deliveredIds(collector)).toEqual(idsOf(full))

        yield* TestClock.setTime(2_500)
        yield* emitAll(t, later)
        yield* withoutWaiting(t.flush())
        yield* untilSleepAt(3_500)
        expect(collector.requests).toHaveLength(1)
        yield* TestClock.setTime(3_500)
        yield* untilDelivered(t)
        expect(deliveredIds(collector)).toEqual([...idsOf(full), ...idsOf(later)])
        expect(yield* t.stats()).toMatchObject({ lingered: 1, requests: 2 })
      })
    )
  })

  it("never waits longer than lingerMs from the flush that left it, also when a timer of an earlier wait is set", async () => {
    const t = HttpBatchTracker.make<JobEvent>(config({ batchSize: 2 }))
    const events = jobEvents(3)
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(t, events.slice(0, 1))
        yield* withoutWaiting(t.flush())
        yield* untilSleepAt(1_000)
        // A batch's worth at 100: sent at once; the timer set at 0 stays.
        yield* TestClock.setTime(100)
        yield* emitAll(t, events.slice(1, 2))
        yield* withoutWaiting(t.flush())
        expect(deliveredIds(collector)).toEqual(idsOf(events.slice(0, 2)))

        // Left waiting at 500: due at 1 500. The timer set at 0 wakes at 1 000 and sets one for then.
        yield* TestClock.setTime(500)
        yield* emitAll(t, events.slice(2))
        yield* withoutWaiting(t.flush())
        yield* TestClock.setTime(1_000)
        yield* untilSleepAt(1_500)
        yield* settle
        expect(collector.requests).toHaveLength(1)
        yield* TestClock.setTime(1_500)
        yield* untilDelivered(t)
        expect(deliveredIds(collector)).toEqual(idsOf(events))
        expect(yield* t.stats()).toMatchObject({ lingered: 3, requests: 2 })
      })
    )
  })

  it("with only the timer's request in flight, a flush returns at once and counts nothing as waiting", async () => {
    collector.enqueue({ hold: { status: 200 } })
    const t = HttpBatchTracker.make<JobEvent>(config())
    const events = jobEvents(2)
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(t, events)
        yield* withoutWaiting(t.flush())
        yield* untilSleepAt(1_000)
        yield* TestClock.setTime(1_000)
        yield* untilRequests(collector, 1)
        // Without lingerMs this flush would wait for the held request; it leaves nothing waiting.
        yield* withoutWaiting(t.flush())
        expect(yield* t.stats()).toMatchObject({ pending: 2, sent: 0, lingered: 1 })
        collector.release()
        yield* untilDelivered(t)
        expect(deliveredIds(collector)).toEqual(idsOf(events))
      })
    )
  })

  it("the timer's flush logs through the loggers, at the level, of the flush that set it", async () => {
    collector.enqueue({ status: 400 })
    const t = HttpBatchTracker.make<JobEvent>(config())
    const logs = captureLogs(LogLevel.Debug)
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(t, jobEvents(1))
        yield* logs.provide(withoutWaiting(t.flush()))
        yield* untilSleepAt(1_000)
        yield* TestClock.setTime(1_000)
        yield* untilDelivered(t)
      })
    )
    expect(collector.requests.map((request) => request.status)).toEqual([400])
    expect(logs.lines.filter((line) => line.level === "WARN").map((line) => line.annotations.dropped)).toEqual([
      "rejected"
    ])
    expect(logs.lines.filter((line) => line.level === "DEBUG").map((line) => line.message)).toContain(
      "batch not delivered"
    )
  })

  it("with a durable outbox, waiting events are saved to storage, and deleted once the timer's flush delivered them", async () => {
    const core = createTestRuntime()
    const prefix = "tracking:outbox:"
    const events = jobEvents(2)
    const savedOnes = () => core.handles.storage.keys().filter((key) => idsOf(events).some((id) => key === prefix + id))
    await runTest(
      Effect.gen(function* () {
        const layer = resolveTrackerLayer({ ...config(), outbox: durableOutbox() })
        const t = yield* trackerCall(layer, core.layer, (http) =>
          Effect.as(Effect.zipRight(emitAll(http, events), http.flush()), http)
        )
        yield* settle
        // The object may be evicted before its timer fires: what waits is in its storage.
        expect(collector.requests).toHaveLength(0)
        expect(savedOnes()).toHaveLength(2)

        yield* untilSleepAt(1_000)
        yield* TestClock.setTime(1_000)
        yield* untilDelivered(t)
        expect(deliveredIds(collector)).toEqual(idsOf(events))
        for (let turn = 0; turn < 5_000 && savedOnes().length > 0; turn++) yield* realTurn
        expect(savedOnes()).toEqual([])
      })
    )
  })

  it("with a durable outbox, the object's next tracker takes back what waited and sends it within lingerMs of its first flush", async () => {
    const core = createTestRuntime()
    const events = jobEvents(2)
    await runTest(
      Effect.gen(function* () {
        // The first life's timer is set for a minute: the object is evicted before it fires.
        const firstLife = resolveTrackerLayer({ ...config({ lingerMs: 60_000 }), outbox: durableOutbox() })
        yield* trackerCall(firstLife, core.layer, (t) => Effect.zipRight(emitAll(t, events), t.flush()))
        yield* settle
        expect(collector.requests).toHaveLength(0)

        const secondLife = resolveTrackerLayer({ ...config(), outbox: durableOutbox() })
        yield* TestClock.setTime(500)
        yield* trackerCall(secondLife, core.layer, (t) => t.flush())
        yield* untilSleepAt(1_500)
        yield* settle
        expect(collector.requests).toHaveLength(0)
        yield* TestClock.setTime(1_500)
        for (let turn = 0; turn < 5_000 && deliveredIds(collector).length < events.length; turn++) yield* realTurn
        expect(deliveredIds(collector)).toEqual(idsOf(events))
      })
    )
  })

  it("lingerMs must be an integer from 0 to 60000", () => {
    for (const lingerMs of [-1, 1.5, 60_001, Number.NaN, "5"]) {
      const error = (() => {
        try {
          HttpBatchTracker.make(config({ lingerMs: lingerMs as number }))
        } catch (caught) {
          return caught
        }
      })()
      expect(error).toBeInstanceOf(InvalidTrackerConfigError)
      expect((error as InvalidTrackerConfigError).issues).toEqual(["lingerMs must be an integer from 0 to 60000"])
    }
    for (const lingerMs of [0, 60_000]) expect(() => HttpBatchTracker.make(config({ lingerMs }))).not.toThrow()
  })
})
