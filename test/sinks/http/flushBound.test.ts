import { Effect, Fiber, Option, TestClock } from "effect"
import { describe, expect, it } from "vitest"
import { HttpBatchTracker } from "durable-effect-tracking"
import type { HttpFetch } from "durable-effect-tracking"
import { jobEvents, realTurn, runTest } from "../../support/tracking.js"

// A jobs runtime flushes in a finalizer (`Effect.ensuring(flushEvents)`), which Effect runs
// uninterruptibly, so no timeout can interrupt it. The flush must still end at `flushTimeoutMs`
// when the collector never answers: its send is given up when the flush's time is, and counts
// as timed out.

const neverAnswers: HttpFetch = () => new Promise(() => undefined)

describe("HttpBatchTracker flush bound", () => {
  for (const [name, wrap] of [
    ["Effect.uninterruptible", (flush: Effect.Effect<void>) => Effect.uninterruptible(flush)],
    ["a finalizer (Effect.ensuring)", (flush: Effect.Effect<void>) => Effect.ensuring(Effect.void, flush)]
  ] as const) {
    it(`returns within flushTimeoutMs from ${name}, with the events kept for the next flush`, async () => {
      const tracker = HttpBatchTracker.make({
        endpoint: "http://collector.invalid/ingest",
        env: "test",
        serviceKey: "svc",
        fetch: neverAnswers,
        timeoutMs: 10_000,
        flushTimeoutMs: 2_000,
        retry: { maxAttempts: 3, initialDelayMs: 100 }
      })
      const elapsed = await runTest(
        Effect.gen(function* () {
          yield* Effect.forEach(jobEvents(2), (event) => tracker.emit(event))
          const flushing = yield* Effect.fork(wrap(tracker.flush()))
          // Virtual time moves in 100 ms steps until the flush is over (or clearly is not).
          for (let step = 0; step < 60; step++) {
            if (Option.isSome(yield* Fiber.poll(flushing))) return step * 100
            yield* TestClock.adjust(100)
            for (let turn = 0; turn < 5; turn++) yield* realTurn
          }
          return Infinity
        })
      )
      expect(elapsed).toBeLessThanOrEqual(2_000)
      const stats = await Effect.runPromise(tracker.stats())
      expect(stats).toMatchObject({ pending: 2, requeued: 2, requests: 1, lastFailure: { kind: "timeout" } })
    })
  }
})
