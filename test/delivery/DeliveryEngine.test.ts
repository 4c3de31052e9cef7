import { Deferred, Effect, Fiber, Option, Supervisor, TestClock } from "effect"
import { describe, expect, it } from "vitest"
import { type DeliveryLimits, makeDeliveryEngine } from "../../src/delivery/DeliveryEngine.js"
import type { DeliverySink, DropReason, SendOutcome } from "../../src/delivery/DeliverySink.js"
import { withinExpiry } from "../support/sendExpiry.js"
import { runTest } from "../support/tracking.js"

// The engine over a fake sink: events are `{ id, bytes }`, a batch counts the sum of its events'
// bytes, and every send is answered by `answer` (by default: delivered). No I/O, only TestClock.

interface Item {
  readonly id: number
  readonly bytes: number
}

type Failure = "down" | "timeout" | "unbuildable" | "refused" | "tooLarge"

const limits = (overrides: Partial<DeliveryLimits> = {}): DeliveryLimits => ({
  maxBufferSize: 100,
  batchSize: 10,
  maxBatchBytes: 1_000,
  timeoutMs: 1_000,
  flushTimeoutMs: 5_000,
  retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 },
  ...overrides
})

const delivered: SendOutcome<Failure> = { _tag: "Delivered" }

const fakeSink = (
  answer: (ids: ReadonlyArray<number>) => Effect.Effect<SendOutcome<Failure>> = () => Effect.succeed(delivered),
  parts: Partial<DeliverySink<Item, Item, ReadonlyArray<number>, Failure>> = {}
) => {
  const sends: Array<ReadonlyArray<number>> = []
  const sink: DeliverySink<Item, Item, ReadonlyArray<number>, Failure> = {
    admit: (event) => {
      const item = event as Partial<Item>
      return typeof item.id === "number" && typeof item.bytes === "number" ? (event as Item) : "unserializable"
    },
    encode: (item) => item,
    bytesWith: (_count, bytes, itemBytes) => bytes + itemBytes,
    body: (items) => items.map((item) => item.id),
    send: (ids, expiry) =>
      withinExpiry(
        expiry,
        Effect.suspend(() => (sends.push(ids), answer(ids)))
      ),
    timeoutFailure: "timeout",
    unbuildableFailure: "unbuildable",
    describe: (failure) => failure,
    module: "test/DeliveryEngine",
    ...parts
  }
  return { sink, sends }
}

const items = (count: number, bytes = 10, from = 1): Array<Item> =>
  Array.from({ length: count }, (_, i) => ({ id: from + i, bytes }))

/** Moves the TestClock in `stepMs` steps until the fiber is done; the elapsed test time. */
const settle = <A>(fiber: Fiber.RuntimeFiber<A>, stepMs = 100, maxSteps = 1_000) =>
  Effect.gen(function* () {
    for (let step = 0; step < maxSteps; step++) {
      if (Option.isSome(yield* Fiber.poll(fiber))) return step * stepMs
      yield* TestClock.adjust(stepMs)
    }
    throw new Error("the fiber did not finish")
  })

const flushed = (engine: { readonly flush: () => Effect.Effect<void> }) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(engine.flush())
    const elapsed = yield* settle(fiber)
    yield* Fiber.join(fiber)
    return elapsed
  })

const emitAll = (engine: { readonly emit: (event: unknown) => Effect.Effect<void> }, events: ReadonlyArray<unknown>) =>
  Effect.forEach(events, engine.emit, { discard: true })

describe("DeliveryEngine", () => {
  it("batches by count and by the bytes the sink counts, in order", async () => {
    const { sink, sends } = fakeSink()
    const engine = makeDeliveryEngine(sink, limits({ batchSize: 3, maxBatchBytes: 25 }))
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(engine, [...items(3), ...items(4, 5, 4)])
        yield* flushed(engine)
      })
    )
    // 10 + 10 > 25 - 10: two of 10 bytes; then 10 + 5 + 5; then three of 5 (batchSize).
    expect(sends).toEqual([
      [1, 2],
      [3, 4, 5],
      [6, 7]
    ])
    expect(engine.stats()).toMatchObject({ emitted: 7, sent: 7, batches: 3, requests: 3, flushes: 1, pending: 0 })
  })

  it("counts the batch in flight against maxBufferSize", async () => {
    const { sink } = fakeSink()
    const engine = makeDeliveryEngine(
      { ...sink, send: (_ids, expiry) => withinExpiry(expiry, Effect.never) },
      limits({ maxBufferSize: 3, timeoutMs: 60_000, flushTimeoutMs: 1_000 })
    )
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(engine, items(3))
        const fiber = yield* Effect.fork(engine.flush())
        yield* TestClock.adjust(10)
        // All three are in flight now; a fourth would exceed the bound once they are put back.
        yield* engine.emit({ id: 4, bytes: 10 })
        expect(engine.stats()).toMatchObject({ emitted: 3, pending: 3, dropped: { overflow: 1 } })
        yield* settle(fiber)
      })
    )
    // The flush timed out: the batch is back in front of the buffer, nothing lost beyond the bound.
    expect(engine.stats()).toMatchObject({ pending: 3, requeued: 3, dropped: { overflow: 1 } })
  })

  it("drops at emit what the sink does not admit, and at flush what it cannot encode", async () => {
    const { sink, sends } = fakeSink(undefined, {
      encode: (item): Item | DropReason => (item.id === 2 ? "tooLarge" : item.id === 3 ? "unserializable" : item)
    })
    const engine = makeDeliveryEngine(sink, limits({ maxBatchBytes: 50 }))
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(engine, ["not an item", ...items(3), { id: 9, bytes: 51 }])
        yield* flushed(engine)
      })
    )
    expect(sends).toEqual([[1]])
    expect(engine.stats()).toMatchObject({
      emitted: 4,
      sent: 1,
      pending: 0,
      // One too large for the sink, one larger than a whole batch; one not admitted, one not encodable.
      dropped: { overflow: 0, rejected: 0, tooLarge: 2, unserializable: 2 }
    })
  })

  it("retries with backoff within the flush, then gives up and keeps the batch for the next flush", async () => {
    let up = false
    const { sink, sends } = fakeSink(() => Effect.succeed(up ? delivered : { _tag: "Retry", failure: "down" }))
    const engine = makeDeliveryEngine(sink, limits())
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(engine, items(2))
        const elapsed = yield* flushed(engine)
        // Two waits of backoff: [50, 100] then [100, 200] ms.
        expect(elapsed).toBeGreaterThanOrEqual(100)
        expect(elapsed).toBeLessThanOrEqual(400)
        expect(engine.stats()).toMatchObject({
          requests: 3,
          retried: 2,
          requeued: 2,
          pending: 2,
          sent: 0,
          lastFailure: "down"
        })
        up = true
        yield* flushed(engine)
      })
    )
    expect(sends).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
      [1, 2]
    ])
    expect(engine.stats()).toMatchObject({ sent: 2, batches: 1, pending: 0, flushes: 2 })
  })

  it("defers flushes for a wait longer than a flush can take, and sends at the first flush after it", async () => {
    let answers = 0
    const { sink, sends } = fakeSink(() =>
      Effect.succeed<SendOutcome<Failure>>(
        answers++ === 0 ? { _tag: "Retry", failure: "down", askedWaitMs: () => 60_000 } : delivered
      )
    )
    const engine = makeDeliveryEngine(sink, limits())
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(engine, items(1))
        yield* flushed(engine)
        expect(engine.stats()).toMatchObject({ requests: 1, pending: 1, deferredUntil: 60_000 })
        yield* TestClock.adjust(30_000)
        yield* engine.flush()
        expect(engine.stats()).toMatchObject({ requests: 1, deferred: 1, pending: 1 })
        yield* TestClock.adjust(30_000)
        yield* flushed(engine)
      })
    )
    expect(sends).toHaveLength(2)
    expect(engine.stats()).toMatchObject({ sent: 1, pending: 0, deferredUntil: undefined })
  })

  it("halves a batch the sink finds too large, drops one event alone as too large, drops a rejected range", async () => {
    const { sink, sends } = fakeSink((ids) =>
      Effect.succeed<SendOutcome<Failure>>(
        ids.length > 2 || ids.includes(3)
          ? { _tag: "TooLarge", failure: "tooLarge" }
          : ids.includes(1)
            ? { _tag: "Reject", failure: "refused" }
            : delivered
      )
    )
    const engine = makeDeliveryEngine(sink, limits())
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(engine, items(4))
        yield* flushed(engine)
      })
    )
    expect(sends).toEqual([[1, 2, 3, 4], [1, 2], [3, 4], [3], [4]])
    expect(engine.stats()).toMatchObject({
      sent: 1,
      pending: 0,
      requeued: 0,
      dropped: { rejected: 2, tooLarge: 1 },
      lastFailure: "refused"
    })
  })

  it("splits a batch no body can carry without sending it", async () => {
    const { sink, sends } = fakeSink(undefined, {
      body: (batch) => (batch.length > 1 ? undefined : batch.map((item) => item.id))
    })
    const engine = makeDeliveryEngine(sink, limits())
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(engine, items(2))
        yield* flushed(engine)
      })
    )
    expect(sends).toEqual([[1], [2]])
    expect(engine.stats()).toMatchObject({ sent: 2, requests: 2, lastFailure: "unbuildable" })
  })

  it("bounds a send by timeoutMs and a flush by flushTimeoutMs", async () => {
    const { sink } = fakeSink(() => Effect.never)
    const engine = makeDeliveryEngine(sink, limits({ timeoutMs: 1_000, flushTimeoutMs: 2_500 }))
    const elapsed = await runTest(
      Effect.gen(function* () {
        yield* emitAll(engine, items(1))
        return yield* flushed(engine)
      })
    )
    expect(elapsed).toBe(2_500)
    expect(engine.stats()).toMatchObject({ requests: 3, pending: 1, requeued: 1, lastFailure: "timeout" })
  })

  it("runs one flush for concurrent callers, and a later caller's events go with the next one", async () => {
    const { sink, sends } = fakeSink()
    const gate = Deferred.unsafeMake<void>(undefined as never)
    const engine = makeDeliveryEngine(
      { ...sink, send: (ids, expiry) => Effect.zipRight(Deferred.await(gate), sink.send(ids, expiry)) },
      limits()
    )
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(engine, items(2))
        const first = yield* Effect.fork(engine.flush())
        const second = yield* Effect.fork(engine.flush())
        yield* TestClock.adjust(10)
        yield* engine.emit({ id: 3, bytes: 10 })
        const third = yield* Effect.fork(engine.flush())
        yield* TestClock.adjust(10)
        yield* Deferred.succeed(gate, undefined)
        yield* Effect.forEach([first, second, third], settle, { discard: true })
      })
    )
    expect(sends).toEqual([[1, 2], [3]])
    expect(engine.stats()).toMatchObject({ flushes: 2, sent: 3, pending: 0 })
  })

  it("flushes on the caller's fiber without an outbox: no fiber of its own, under the default Clock", async () => {
    const { sink, sends } = fakeSink()
    // Answered in place (the fake sink's usual send races the expiry in fibers of its own).
    const engine = makeDeliveryEngine(
      {
        ...sink,
        send: (ids, expiry) =>
          Effect.sync(() => {
            sends.push(ids)
            expiry.done()
            return delivered
          })
      },
      limits()
    )
    const started = new FibersStarted()
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* emitAll(engine, items(3))
        yield* Effect.supervised(engine.flush(), started)
      })
    )
    expect(sends).toEqual([[1, 2, 3]])
    // The send's timer is a host timer, and nothing else forks.
    expect(started.count).toBe(0)
  })

  it("gives a send only the time its flush has left", async () => {
    const aborted: Array<number> = []
    const { sink } = fakeSink(() => Effect.never)
    const engine = makeDeliveryEngine(
      {
        ...sink,
        send: (ids, expiry) =>
          Effect.flatMap(Effect.clock, (clock) => {
            expiry.controller.signal.addEventListener("abort", () => aborted.push(clock.unsafeCurrentTimeMillis()))
            return sink.send(ids, expiry)
          })
      },
      limits({ timeoutMs: 1_000, flushTimeoutMs: 1_500, retry: { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 } })
    )
    const elapsed = await runTest(Effect.zipRight(emitAll(engine, items(1)), flushed(engine)))
    // The second send had 500 ms left of the flush's 1,500, not its own 1,000; no third was tried.
    expect(aborted).toEqual([1_000, 1_500])
    expect(elapsed).toBe(1_500)
    expect(engine.stats()).toMatchObject({ requests: 2, pending: 1, requeued: 1, lastFailure: "timeout" })
  })

  it("stops a flush without an outbox when its caller is interrupted: the batch in flight goes back, the next flush sends it", async () => {
    let answers = 0
    const { sink, sends } = fakeSink(() => (answers++ === 0 ? Effect.never : Effect.succeed(delivered)))
    const engine = makeDeliveryEngine(sink, limits())
    await runTest(
      Effect.gen(function* () {
        yield* emitAll(engine, items(2))
        const flushing = yield* Effect.fork(engine.flush())
        yield* TestClock.adjust(100)
        yield* Fiber.interrupt(flushing)
        expect(engine.stats()).toMatchObject({ requests: 1, sent: 0, pending: 2, requeued: 2 })
        yield* flushed(engine)
      })
    )
    expect(sends).toEqual([
      [1, 2],
      [1, 2]
    ])
    expect(engine.stats()).toMatchObject({ requests: 2, sent: 2, pending: 0 })
  })

  it("returns at once from a flush with nothing to send", async () => {
    const { sink, sends } = fakeSink()
    const engine = makeDeliveryEngine(sink, limits())
    await runTest(engine.flush())
    expect(sends).toEqual([])
    expect(engine.stats().flushes).toBe(0)
  })
})

/** Counts the fibers started under it. */
class FibersStarted extends Supervisor.AbstractSupervisor<void> {
  count = 0
  get value() {
    return Effect.void
  }
  override onStart(): void {
    this.count++
  }
}
