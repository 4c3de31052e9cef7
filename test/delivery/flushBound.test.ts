import { Clock, Deferred, Effect, Fiber, FiberId, TestClock } from "effect"
import { describe, expect, it } from "vitest"
import { type DeliveryEngine, type DeliveryOutbox, makeDeliveryEngine } from "../../src/delivery/DeliveryEngine.js"
import type { DeliverySink, SendOutcome } from "../../src/delivery/DeliverySink.js"
import { runTest } from "../support/tracking.js"

// Issue 30: "a flush can overrun flushTimeoutMs". Each flush below records the virtual time it
// returns at (TestClock runs every sleep at its own time), so an overrun of 1 ms shows: sends
// that take longer than timeoutMs or than the flush has left, backoff and a receiver's wait
// that end near the deadline, and a caller that waits for a running flush first.

interface Item {
  readonly id: number
  readonly bytes: number
}

const flushTimeoutMs = 500

/** A sink whose every send takes `sendMs` of virtual time and asks for a retry. */
const slowSink = (sendMs: number, askedWaitMs?: number): DeliverySink<Item, Item, number, string> => ({
  encode: (item) => item,
  bytesWith: (_count, bytes, itemBytes) => bytes + itemBytes,
  body: (items) => items.length,
  send: () =>
    Effect.as(Effect.sleep(sendMs), {
      _tag: "Retry",
      failure: "down",
      ...(askedWaitMs === undefined ? {} : { askedWaitMs: () => askedWaitMs })
    } satisfies SendOutcome<string>),
  timeoutFailure: "timeout",
  unbuildableFailure: "unbuildable",
  describe: (failure) => failure,
  module: "test/flushBound"
})

/** Emits one event and flushes from time 0; the virtual time the flush returned at. */
const flushReturnsAt = (engine: DeliveryEngine<string>) =>
  Effect.gen(function* () {
    yield* engine.emit({ id: 1, bytes: 1 })
    const flushing = yield* Effect.fork(Effect.zipRight(engine.flush(), Clock.currentTimeMillis))
    yield* TestClock.adjust(10 * flushTimeoutMs)
    return yield* Fiber.join(flushing)
  })

describe("the flush bound on virtual time", () => {
  it("a flush returns within flushTimeoutMs, whatever the sends, timeouts and waits", async () => {
    const overruns: Array<unknown> = []
    for (const sendMs of [10, 499, 700])
      for (const timeoutMs of [50, 900])
        for (const initialDelayMs of [0, 77, 200])
          for (const askedWaitMs of [undefined, 40, 150]) {
            const engine = makeDeliveryEngine(slowSink(sendMs, askedWaitMs), {
              maxBufferSize: 100,
              batchSize: 10,
              maxBatchBytes: 1_000,
              timeoutMs,
              flushTimeoutMs,
              retry: { maxAttempts: 6, initialDelayMs, maxDelayMs: 1_000 }
            })
            const tookMs = await runTest(flushReturnsAt(engine))
            if (tookMs > flushTimeoutMs) overruns.push({ sendMs, timeoutMs, initialDelayMs, askedWaitMs, tookMs })
          }
    expect(overruns).toEqual([])
  })

  it("a caller that waits for a running flush, then runs the next, returns within its own flushTimeoutMs", async () => {
    const gate = Deferred.unsafeMake<void>(FiberId.none)
    const engine = makeDeliveryEngine(
      { ...slowSink(400), send: () => Effect.zipRight(Deferred.await(gate), slowSink(400).send(0)) },
      {
        maxBufferSize: 100,
        batchSize: 10,
        maxBatchBytes: 1_000,
        timeoutMs: 10_000,
        flushTimeoutMs,
        retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 }
      }
    )
    const [first, second] = await runTest(
      Effect.gen(function* () {
        yield* engine.emit({ id: 1, bytes: 1 })
        const timed = Effect.zipRight(engine.flush(), Clock.currentTimeMillis)
        const a = yield* Effect.fork(timed)
        yield* TestClock.adjust(300)
        yield* engine.emit({ id: 2, bytes: 1 })
        const b = yield* Effect.fork(timed)
        yield* Deferred.succeed(gate, undefined)
        yield* TestClock.adjust(10 * flushTimeoutMs)
        return [yield* Fiber.join(a), yield* Fiber.join(b)]
      })
    )
    expect(first).toBeLessThanOrEqual(flushTimeoutMs)
    expect(second).toBeLessThanOrEqual(300 + flushTimeoutMs)
  })

  it("with an outbox, a flush cut at its bound takes flushTimeoutMs plus the outbox's save, no more", async () => {
    // The save runs as the flush ends (a finalizer), after the timeout cut it, and the timeout
    // waits for it: this is the overrun left (see docs/http-tracker.md, "Time").
    const saveMs = 43
    const outbox: DeliveryOutbox<Item> = {
      wantsRestore: false,
      savedNotBefore: undefined,
      accepted: () => undefined,
      settled: () => undefined,
      restore: () => Effect.succeed([]),
      holdsUnsaved: () => true,
      writeAccepted: () => Effect.void,
      deleteSettled: () => Effect.void,
      finishFlush: () => Effect.sleep(saveMs)
    }
    const engine = makeDeliveryEngine(
      { ...slowSink(0), send: () => Effect.never },
      {
        maxBufferSize: 10,
        batchSize: 10,
        maxBatchBytes: 100,
        timeoutMs: 10_000,
        flushTimeoutMs,
        retry: { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0 }
      },
      outbox
    )
    const returnedAt = await runTest(flushReturnsAt(engine))
    expect(returnedAt).toBe(flushTimeoutMs + saveMs)
  })
})
