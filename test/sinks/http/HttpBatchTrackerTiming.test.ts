import { Effect, Fiber, TestClock } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { HttpBatchTracker } from "durable-effect-tracking"
import type { HttpBatchTrackerConfig } from "durable-effect-tracking"
import { type Collector, startCollector } from "../../support/collector.js"
import {
  deliveredIds,
  jobEvents,
  realTurn,
  runTest,
  settle,
  untilRequests,
  untilSleepAt,
  untilSleepWithin
} from "../../support/tracking.js"

// All waiting here is on the TestClock: a test that passes does not wait for real time.

let collector: Collector
beforeEach(async () => {
  collector = await startCollector()
})
afterEach(async () => {
  await collector.close()
})

const tracker = (overrides: Partial<HttpBatchTrackerConfig> = {}): HttpBatchTracker =>
  HttpBatchTracker.make({
    endpoint: collector.url,
    env: "test",
    serviceKey: "s",
    timeoutMs: 30_000,
    flushTimeoutMs: 60_000,
    ...overrides,
    retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 10_000, ...overrides.retry }
  })

describe("HttpBatchTracker timing", () => {
  it("honours Retry-After in seconds: no request before the delay, one after it", async () => {
    collector.enqueue({ status: 429, headers: { "retry-after": "2" } })
    const t = tracker()
    const events = jobEvents(2)
    await runTest(
      Effect.gen(function* () {
        yield* Effect.forEach(events, (e) => t.emit(e))
        const flushing = yield* Effect.fork(t.flush())
        yield* untilRequests(collector, 1)
        yield* untilSleepAt(2_000)
        yield* TestClock.adjust(1_999)
        yield* settle
        expect(collector.requests).toHaveLength(1)
        yield* TestClock.adjust(1)
        yield* untilRequests(collector, 2)
        yield* Fiber.join(flushing)
      })
    )
    expect(deliveredIds(collector)).toEqual(events.map((e) => e.eventId))
  })

  it("honours Retry-After as an HTTP-date", async () => {
    const start = Date.parse("2026-03-01T12:00:00Z")
    collector.enqueue({ status: 503, headers: { "retry-after": new Date(start + 3_000).toUTCString() } })
    const t = tracker()
    await runTest(
      Effect.gen(function* () {
        yield* TestClock.setTime(start)
        yield* t.emit(jobEvents(1)[0]!)
        const flushing = yield* Effect.fork(t.flush())
        yield* untilRequests(collector, 1)
        yield* untilSleepAt(start + 3_000)
        yield* TestClock.adjust(2_999)
        yield* settle
        expect(collector.requests).toHaveLength(1)
        yield* TestClock.adjust(1)
        yield* Fiber.join(flushing)
      })
    )
    expect(collector.requests.map((r) => r.status)).toEqual([503, 200])
  })

  it("backs off exponentially with jitter, capped at maxDelayMs", async () => {
    collector.enqueue({ status: 500 }, { status: 500 }, { status: 500 })
    const t = tracker({ retry: { maxAttempts: 4, initialDelayMs: 1_000, maxDelayMs: 3_000 } })
    const waits: Array<number> = []
    await runTest(
      Effect.gen(function* () {
        yield* t.emit(jobEvents(1)[0]!)
        const flushing = yield* Effect.fork(t.flush())
        // Retry n waits in [d/2, d], d = min(3000, 1000 * 2^(n-1)).
        let now = 0
        for (const [n, d] of [
          [1, 1_000],
          [2, 2_000],
          [3, 3_000]
        ] as const) {
          yield* untilRequests(collector, n)
          const wakeAt = yield* untilSleepWithin(now + d / 2, now + d)
          waits.push(wakeAt - now)
          yield* TestClock.adjust(wakeAt - now - 1)
          yield* settle
          expect(collector.requests).toHaveLength(n)
          yield* TestClock.adjust(1)
          now = wakeAt
        }
        yield* Fiber.join(flushing)
      })
    )
    expect(collector.requests.map((r) => r.status)).toEqual([500, 500, 500, 200])
    expect(waits).toHaveLength(3)
  })

  it("bounds a request to a hanging server by timeoutMs, aborting it and keeping the events", async () => {
    collector.setFallback({ hang: true })
    const t = tracker({ timeoutMs: 1_000, retry: { maxAttempts: 1 } })
    await runTest(
      Effect.gen(function* () {
        yield* Effect.forEach(jobEvents(3), (e) => t.emit(e))
        const flushing = yield* Effect.fork(t.flush())
        yield* untilRequests(collector, 1)
        yield* untilSleepAt(1_000)
        yield* settle
        expect(flushing.unsafePoll()).toBeNull()
        yield* TestClock.adjust(1_000)
        yield* Fiber.join(flushing)
      })
    )
    expect(await Effect.runPromise(t.stats())).toMatchObject({
      pending: 3,
      requeued: 3,
      lastFailure: { kind: "timeout" }
    })
  })

  it("bounds a whole flush by flushTimeoutMs, and keeps the batch that was in flight", async () => {
    collector.setFallback({ hang: true })
    const t = tracker({ timeoutMs: 30_000, flushTimeoutMs: 2_000 })
    const events = jobEvents(3)
    await runTest(
      Effect.gen(function* () {
        yield* Effect.forEach(events, (e) => t.emit(e))
        const flushing = yield* Effect.fork(t.flush())
        yield* untilRequests(collector, 1)
        yield* untilSleepAt(2_000)
        yield* TestClock.adjust(2_000)
        yield* Fiber.join(flushing)
        expect(yield* t.pending()).toBe(3)
      })
    )
    collector.setFallback({ status: 200 })
    await Effect.runPromise(t.flush())
    expect(deliveredIds(collector)).toEqual(events.map((e) => e.eventId))
  })

  it("gives up at once rather than wait past the flush deadline", async () => {
    collector.setFallback({ status: 503 })
    const t = tracker({ flushTimeoutMs: 1_000, retry: { maxAttempts: 10, initialDelayMs: 2_000, maxDelayMs: 2_000 } })
    const elapsed = await runTest(
      Effect.gen(function* () {
        yield* t.emit(jobEvents(1)[0]!)
        // No clock adjustment: the flush must end on its own.
        yield* t.flush()
        return yield* TestClock.currentTimeMillis
      })
    )
    expect(elapsed).toBe(0)
    expect(collector.requests).toHaveLength(1)
    expect(await Effect.runPromise(t.stats())).toMatchObject({ pending: 1, requeued: 1 })
  })

  it("bounds a caller waiting on another flush, then running its own, by its own flushTimeoutMs", async () => {
    collector.setFallback({ hang: true })
    const t = tracker({ timeoutMs: 30_000, flushTimeoutMs: 5_000 })
    const [early, late] = jobEvents(2)
    await runTest(
      Effect.gen(function* () {
        yield* t.emit(early!)
        const first = yield* Effect.fork(t.flush())
        yield* untilRequests(collector, 1)
        yield* TestClock.adjust(1_000)
        yield* t.emit(late!)
        const second = yield* Effect.fork(t.flush())
        // The second waits for the first, which runs on its caller's fiber: its send's timer is
        // set for the 5,000 ms the flush has (the send alone could take 30,000).
        yield* untilSleepAt(5_000)
        yield* settle
        // The first flush times out; the second then sends both events itself, its send's timer
        // set for the 1,000 ms it has left.
        yield* TestClock.adjust(4_000)
        yield* Fiber.join(first)
        yield* untilRequests(collector, 2)
        yield* settle
        expect(second.unsafePoll()).toBeNull()
        yield* TestClock.adjust(999)
        yield* settle
        expect(second.unsafePoll()).toBeNull()
        yield* TestClock.adjust(1)
        yield* Fiber.join(second)
        expect(yield* t.pending()).toBe(2)
      })
    )
    expect((collector.requests[1]?.json as { events: Array<unknown> }).events).toHaveLength(2)
  })
})
