import { Effect, Fiber, Layer, TestClock } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { createTestRuntime } from "../../fixtures/core/index.js"
import {
  durableOutbox,
  EventTracker,
  HttpBatchTracker,
  OutboxDefaults,
  resolveTrackerLayer
} from "durable-effect-tracking"
import type { HttpBatchTrackerConfig, JobEvent } from "durable-effect-tracking"
import { type Collector, startCollector } from "../../support/collector.js"
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

// A collector's Retry-After longer than a flush may wait: the flush stops at once and no flush
// sends before the time asked for. The collector is a real server; time is the TestClock's,
// which nothing here moves unless a test says so: a flush that waited would never return.

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
  ...overrides,
  retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 500, ...overrides.retry }
})

const tracker = (overrides: Partial<HttpBatchTrackerConfig> = {}): HttpBatchTracker<JobEvent> =>
  HttpBatchTracker.make<JobEvent>(config(overrides))

describe("Retry-After longer than a flush may wait", () => {
  it("Retry-After: 2 with maxDelayMs 500: no request before 2 s across several flushes, all delivered at the first flush after", async () => {
    collector.enqueue({ status: 429, headers: { "retry-after": "2" } })
    const t = tracker()
    const first = jobEvents(2, "first")
    const later = jobEvents(4, "later")
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(t, first)
        yield* withoutWaiting(t.flush())
        // It stopped at once: the clock was never moved, so it cannot have waited.
        expect(collector.requests.map((r) => r.status)).toEqual([429])
        expect(yield* t.stats()).toMatchObject({
          requests: 1,
          pending: 2,
          requeued: 2,
          deferred: 0,
          deferredUntil: 2_000
        })

        for (const [i, at] of [0, 700, 1_400, 1_999].entries()) {
          yield* TestClock.setTime(at)
          yield* t.emit(later[i]!)
          yield* withoutWaiting(t.flush())
          yield* settle
          expect(collector.requests).toHaveLength(1)
        }
        expect(yield* t.stats()).toMatchObject({ requests: 1, flushes: 1, deferred: 4, deferredUntil: 2_000 })

        yield* TestClock.setTime(2_000)
        yield* withoutWaiting(t.flush())
        expect(yield* t.stats()).toMatchObject({
          requests: 2,
          flushes: 2,
          deferred: 4,
          deferredUntil: undefined,
          pending: 0
        })
      })
    )
    expect(deliveredIds(collector)).toEqual([...idsOf(first), ...idsOf(later)])
  })

  it("still waits a Retry-After that fits in maxDelayMs and the flush's deadline, within the flush", async () => {
    collector.enqueue({ status: 503, headers: { "retry-after": "1" } })
    const t = tracker({ retry: { maxDelayMs: 1_000 } })
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(t, jobEvents(1))
        const flushing = yield* Effect.fork(t.flush())
        yield* untilRequests(collector, 1)
        yield* untilSleepAt(1_000)
        yield* TestClock.adjust(1_000)
        yield* Fiber.join(flushing)
        expect(yield* t.stats()).toMatchObject({ requests: 2, sent: 1, deferred: 0, deferredUntil: undefined })
      })
    )
  })

  it("defers when the wait fits maxDelayMs but not what is left of flushTimeoutMs, or when no attempt is left", async () => {
    collector.setFallback({ status: 503, headers: { "retry-after": "2" } })
    const shortFlush = tracker({ flushTimeoutMs: 1_500, retry: { maxDelayMs: 5_000 } })
    const lastAttempt = tracker({ retry: { maxAttempts: 1, maxDelayMs: 5_000 } })
    await runTest(
      Effect.gen(function* () {
        for (const t of [shortFlush, lastAttempt]) {
          yield* emitAll(t, jobEvents(1))
          yield* withoutWaiting(t.flush())
          yield* withoutWaiting(t.flush())
          expect(yield* t.stats()).toMatchObject({ requests: 1, deferred: 1, deferredUntil: 2_000, pending: 1 })
        }
      })
    )
    expect(collector.requests).toHaveLength(2)
  })

  it("caps a very long Retry-After (delay-seconds or HTTP-date) at 10 minutes", async () => {
    const start = Date.parse("2026-03-01T12:00:00Z")
    collector.enqueue(
      { status: 429, headers: { "retry-after": "86400" } },
      { status: 503, headers: { "retry-after": new Date(start + 600_000 + 3_600_000).toUTCString() } }
    )
    const t = tracker()
    const events = jobEvents(2)
    await runTest(
      Effect.gen(function* () {
        yield* TestClock.setTime(start)
        yield* emitAll(t, events)
        yield* withoutWaiting(t.flush())
        expect((yield* t.stats()).deferredUntil).toBe(start + 600_000)
        yield* TestClock.setTime(start + 599_999)
        yield* withoutWaiting(t.flush())
        expect(collector.requests).toHaveLength(1)
        yield* TestClock.setTime(start + 600_000)
        yield* withoutWaiting(t.flush())
        expect(collector.requests).toHaveLength(2)
        // The HTTP-date, read at start + 10 min, asks for 1 h more: capped again.
        expect((yield* t.stats()).deferredUntil).toBe(start + 1_200_000)
        yield* TestClock.setTime(start + 1_200_000)
        yield* withoutWaiting(t.flush())
      })
    )
    expect(collector.requests.map((r) => r.status)).toEqual([429, 503, 200])
    expect(deliveredIds(collector)).toEqual(idsOf(events))
  })

  it("ignores an HTTP-date in the past, a negative or an unreadable value, as before: retried within the flush", async () => {
    const start = Date.parse("2026-03-01T12:00:00Z")
    collector.enqueue(
      { status: 503, headers: { "retry-after": new Date(start - 60_000).toUTCString() } },
      { status: 503, headers: { "retry-after": "-5" } },
      { status: 503, headers: { "retry-after": "later, please" } }
    )
    const t = tracker({ retry: { maxAttempts: 4, initialDelayMs: 0, maxDelayMs: 0 } })
    await runTest(
      Effect.gen(function* () {
        yield* TestClock.setTime(start)
        yield* emitAll(t, jobEvents(1))
        yield* t.flush()
        expect(yield* t.stats()).toMatchObject({ requests: 4, sent: 1, deferred: 0, deferredUntil: undefined })
      })
    )
  })

  it("a flush waiting on the one that was deferred returns without a request of its own", async () => {
    collector.enqueue({ hold: { status: 429, headers: { "retry-after": "30" } } })
    const t = tracker()
    await runTest(
      Effect.gen(function* () {
        yield* t.emit(jobEvents(1)[0]!)
        const first = yield* Effect.fork(t.flush())
        yield* untilRequests(collector, 1)
        yield* t.emit(jobEvents(1)[0]!)
        const second = yield* Effect.fork(t.flush())
        yield* settle
        collector.release()
        yield* withoutWaiting(Fiber.join(first))
        yield* withoutWaiting(Fiber.join(second))
        yield* settle
        expect(collector.requests).toHaveLength(1)
        expect(yield* t.stats()).toMatchObject({
          requests: 1,
          flushes: 1,
          deferred: 1,
          pending: 2,
          deferredUntil: 30_000
        })
      })
    )
  })
})

describe("Retry-After with the durable outbox", () => {
  const prefix = OutboxDefaults.keyPrefix
  const notBeforeKey = `${prefix}~notBefore`
  const outboxConfig = () => ({ ...config(), outbox: durableOutbox() })

  /** An object's storage as an earlier tracker left it: one saved event, and `notBefore` as stored. */
  const savedByAnEarlierTracker = (notBefore: string) => {
    const core = createTestRuntime()
    const saved = jobEvents(1)
    core.handles.storage.put(prefix, "outbox")
    core.handles.storage.put(prefix + saved[0]!.eventId, JSON.stringify(saved[0]))
    core.handles.storage.put(notBeforeKey, notBefore)
    return { core, saved }
  }

  it("keeps 'not before' with the saved events: a new tracker over the same storage honours it, then sends and clears it", async () => {
    collector.enqueue({ status: 429, headers: { "retry-after": "2" } })
    const core = createTestRuntime()
    const before = jobEvents(2, "before")
    const during = jobEvents(1, "during")
    const after = jobEvents(1, "after")
    await runTest(
      Effect.gen(function* () {
        const firstLife = resolveTrackerLayer(outboxConfig())
        yield* trackerCall(firstLife, core.layer, (t) => Effect.zipRight(emitAll(t, before), t.flush()))
        expect(core.handles.storage.get(notBeforeKey)).toBe("2000")
        // A call during the deferral: no request, and what it emitted is saved too.
        yield* TestClock.setTime(500)
        const stats = yield* trackerCall(firstLife, core.layer, (t) =>
          Effect.zipRight(Effect.zipRight(emitAll(t, during), t.flush()), t.stats())
        )
        expect(stats).toMatchObject({ requests: 1, deferred: 1 })
        expect(core.handles.storage.keys()).toContain(prefix + during[0]!.eventId)

        // The object restarts: a new tracker, the same storage.
        const secondLife = resolveTrackerLayer(outboxConfig())
        yield* TestClock.setTime(1_000)
        const restarted = yield* trackerCall(secondLife, core.layer, (t) =>
          Effect.zipRight(Effect.zipRight(emitAll(t, after), t.flush()), t.stats())
        )
        yield* settle
        expect(collector.requests).toHaveLength(1)
        expect(restarted).toMatchObject({ requests: 0, flushes: 0, deferred: 1, deferredUntil: 2_000, pending: 4 })

        yield* TestClock.setTime(2_000)
        const done = yield* trackerCall(secondLife, core.layer, (t) => Effect.zipRight(t.flush(), t.stats()))
        expect(done).toMatchObject({ requests: 1, deferredUntil: undefined, pending: 0 })
      })
    )
    expect(deliveredIds(collector)).toEqual(idsOf([...before, ...during, ...after]))
    expect(core.handles.storage.keys()).toEqual([])
  })

  it("a saved time later than 10 minutes from now (a bad value, a clock gone back) is capped", async () => {
    const { core, saved } = savedByAnEarlierTracker(String(10 * 3_600_000))
    await runTest(
      Effect.gen(function* () {
        const layer = resolveTrackerLayer(outboxConfig())
        const stats = yield* trackerCall(layer, core.layer, (t) => Effect.zipRight(t.flush(), t.stats()))
        expect(stats).toMatchObject({ requests: 0, deferred: 1, deferredUntil: 600_000 })
        yield* TestClock.setTime(600_000)
        yield* trackerCall(layer, core.layer, (t) => t.flush())
      })
    )
    expect(deliveredIds(collector)).toEqual(idsOf(saved))
    expect(core.handles.storage.keys()).toEqual([])
  })

  it("an unreadable saved time is ignored, and its key deleted by the next flush", async () => {
    const { core, saved } = savedByAnEarlierTracker("soon")
    await runTest(trackerCall(resolveTrackerLayer(outboxConfig()), core.layer, (t) => t.flush()))
    expect(deliveredIds(collector)).toEqual(idsOf(saved))
    expect(core.handles.storage.keys()).toEqual([])
  })
})
