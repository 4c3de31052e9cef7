import { Clock, Deferred, Effect, Fiber, FiberId, Layer, Schema, TestClock } from "effect"
import { describe, expect, it } from "vitest"
import { EventTracker, JobEventBatch, OutboxDefaults, resolveTrackerLayer } from "durable-effect-tracking"
import type { HttpBatchTracker, HttpFetch, JobEvent, OutboxMode } from "durable-effect-tracking"
import { type DeliveryEngine, type DeliveryOutbox, makeDeliveryEngine } from "../../src/delivery/DeliveryEngine.js"
import type { DeliverySink, SendOutcome } from "../../src/delivery/DeliverySink.js"
import { createTestRuntime, StorageAdapter, type StorageAdapterService } from "../fixtures/core/index.js"
import { outboxTrackerConfig } from "../support/outboxCalls.js"
import { withinExpiry } from "../support/sendExpiry.js"
import { jobEvents, realTurn, runTest, untilSleepAt } from "../support/tracking.js"

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
  send: (_body, expiry) =>
    withinExpiry(
      expiry,
      Effect.as(Effect.sleep(sendMs), {
        _tag: "Retry",
        failure: "down",
        ...(askedWaitMs === undefined ? {} : { askedWaitMs: () => askedWaitMs })
      } satisfies SendOutcome<string>)
    ),
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
      {
        ...slowSink(400),
        send: (body, expiry) => Effect.zipRight(Deferred.await(gate), slowSink(400).send(body, expiry))
      },
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

  it("with an outbox, a flush cut at its bound returns at the bound; the outbox's save goes on in the background", async () => {
    // The save runs as the flush ends (a finalizer), after the timeout cut it: the caller does
    // not wait for it, and it still runs to its end.
    const saveMs = 43
    let saved = 0
    const outbox: DeliveryOutbox<Item> = {
      wantsRestore: false,
      savedNotBefore: undefined,
      accepted: () => undefined,
      settled: () => undefined,
      restore: () => Effect.succeed([]),
      holdsUnsaved: () => true,
      writeAccepted: () => Effect.void,
      deleteSettled: () => Effect.void,
      finishFlush: () =>
        Effect.zipRight(
          Effect.sleep(saveMs),
          Effect.sync(() => void saved++)
        )
    }
    const engine = makeDeliveryEngine(
      { ...slowSink(0), send: (_body, expiry) => withinExpiry(expiry, Effect.never) },
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
    const [returnedAt, savedBy] = await runTest(
      Effect.zip(
        flushReturnsAt(engine),
        Effect.suspend(() => Effect.succeed(saved))
      )
    )
    expect(returnedAt).toBe(flushTimeoutMs)
    expect(savedBy).toBe(1)
    expect(engine.pending()).toBe(1)
  })
})

// The same bound with the HTTP tracker's own outbox over a storage whose writes or deletes take
// longer than the bound, or never end: the flush returns at the bound, and the events are kept
// (held in memory, then in the outbox once the write ends, then delivered by a later flush).

const slowMs = 3 * flushTimeoutMs

/** The core's in-memory storage, its `putBatch` and `delete` delayed by `delay` while `slow` says so. */
const slowStorage = (core: ReturnType<typeof createTestRuntime>, delay: Effect.Effect<void>, slow: { on: boolean }) =>
  Layer.effect(
    StorageAdapter,
    Effect.map(StorageAdapter, (storage): StorageAdapterService => ({
      ...storage,
      putBatch: (entries) => Effect.zipRight(slow.on ? delay : Effect.void, storage.putBatch(entries)),
      delete: (key) => Effect.zipRight(slow.on ? delay : Effect.void, storage.delete(key))
    }))
  ).pipe(Layer.provideMerge(core.layer))

/** A collector that answers `status` at once, keeping the eventIds it accepted. */
const collectorAt = (status: { code: number; headers?: Record<string, string> }) => {
  const accepted: Array<string> = []
  const fetch: HttpFetch = async (_url, init) => {
    if (status.code === 200)
      accepted.push(...Schema.decodeUnknownSync(JobEventBatch)(JSON.parse(init.body)).events.map((e) => e.eventId))
    return { status: status.code, headers: { get: (name) => status.headers?.[name.toLowerCase()] ?? null } }
  }
  return { fetch, accepted }
}

/** The virtual time `flush` returns at: started now, the clock moved on once `sleepAt` is registered. */
const timedFlush = (tracker: HttpBatchTracker<JobEvent>, sleepAt: number) =>
  Effect.gen(function* () {
    const start = yield* Clock.currentTimeMillis
    const flushing = yield* Effect.fork(Effect.zipRight(tracker.flush(), Clock.currentTimeMillis))
    // Both the storage call's delay and the bound are sleeping before the clock moves.
    yield* untilSleepAt(sleepAt)
    yield* untilSleepAt(start + flushTimeoutMs)
    yield* TestClock.adjust(flushTimeoutMs)
    return (yield* Fiber.join(flushing)) - start
  })

/** The outbox's event keys (not its marker, nor its "not before" time under `~`). */
const outboxKeys = (core: ReturnType<typeof createTestRuntime>) =>
  core.handles.storage
    .keys()
    .filter(
      (key) => key.startsWith(OutboxDefaults.keyPrefix) && !/^(~.*)?$/.test(key.slice(OutboxDefaults.keyPrefix.length))
    )

/** Runs `body` with a tracker with an outbox in `mode` over the slow storage; on virtual time. */
const withSlowOutbox = <A>(
  mode: OutboxMode,
  delay: Effect.Effect<void>,
  status: { code: number; headers?: Record<string, string> },
  body: (
    tracker: HttpBatchTracker<JobEvent>,
    parts: { core: ReturnType<typeof createTestRuntime>; slow: { on: boolean }; accepted: ReadonlyArray<string> }
  ) => Effect.Effect<A>
) => {
  const core = createTestRuntime()
  const slow = { on: false }
  const collector = collectorAt(status)
  const layer = resolveTrackerLayer({
    ...outboxTrackerConfig(collector.fetch, mode),
    timeoutMs: 100,
    flushTimeoutMs
  }).pipe(Layer.provideMerge(slowStorage(core, delay, slow)))
  return runTest(
    Effect.gen(function* () {
      const tracker = (yield* EventTracker) as unknown as HttpBatchTracker<JobEvent>
      return yield* body(tracker, { core, slow, accepted: collector.accepted })
    }).pipe(Effect.provide(layer))
  )
}

/** Real turns until `done` holds (the storage's promise-free work and fibers settle), bounded by turns. */
const settle = (done: () => boolean) =>
  Effect.gen(function* () {
    for (let turn = 0; turn < 1_000 && !done(); turn++) yield* realTurn
    expect(done()).toBe(true)
  })

describe("the flush bound held with the outbox's storage slower than the bound", () => {
  it('mode "onFailure": a save slower than the bound, then deletes slower than it; each flush returns at the bound, nothing is lost', async () => {
    const status = { code: 503 }
    const events = jobEvents(3)
    const outcome = await withSlowOutbox(
      "onFailure",
      Effect.sleep(slowMs),
      status,
      (tracker, { core, slow, accepted }) =>
        Effect.gen(function* () {
          for (const event of events) yield* tracker.emit(event)
          slow.on = true
          // Down: the flush gives up and saves; the save takes 3 bounds.
          const first = yield* timedFlush(tracker, slowMs)
          const pendingAtBound = (yield* tracker.stats()).pending
          const keysAtBound = outboxKeys(core).length
          yield* TestClock.adjust(slowMs)
          yield* settle(() => outboxKeys(core).length === events.length)
          // Up: the next flush delivers; its deletes take 3 bounds.
          status.code = 200
          const start = yield* Clock.currentTimeMillis
          const second = yield* timedFlush(tracker, start + slowMs)
          const deliveredAtBound = accepted.length
          yield* TestClock.adjust(slowMs)
          slow.on = false
          yield* tracker.flush()
          return { first, pendingAtBound, keysAtBound, second, deliveredAtBound, stats: yield* tracker.stats() }
        })
    )
    expect(outcome).toMatchObject({
      first: flushTimeoutMs,
      // The save was still going on: the events were held in memory.
      pendingAtBound: events.length,
      keysAtBound: 0,
      second: flushTimeoutMs,
      deliveredAtBound: events.length
    })
    expect(outcome.stats.pending).toBe(0)
    expect(outcome.stats.outbox?.held).toBe(0)
  })

  it('mode "always": a write of the call\'s events slower than the bound; the flush returns at the bound, the next delivers them', async () => {
    const status = { code: 200 }
    const events = jobEvents(3)
    const outcome = await withSlowOutbox("always", Effect.sleep(slowMs), status, (tracker, { core, slow, accepted }) =>
      Effect.gen(function* () {
        for (const event of events) yield* tracker.emit(event)
        slow.on = true
        const first = yield* timedFlush(tracker, slowMs)
        const pendingAtBound = (yield* tracker.stats()).pending
        yield* TestClock.adjust(slowMs)
        yield* settle(() => outboxKeys(core).length === events.length)
        slow.on = false
        yield* tracker.flush()
        return { first, pendingAtBound, delivered: [...accepted], keysLeft: outboxKeys(core) }
      })
    )
    expect(outcome.first).toBe(flushTimeoutMs)
    expect(outcome.pendingAtBound).toBe(events.length)
    expect(outcome.delivered).toEqual(events.map((e) => e.eventId))
    expect(outcome.keysLeft).toEqual([])
  })

  it("a deferred flush (the collector's Retry-After) whose save is slower than the bound returns at the bound", async () => {
    const status = { code: 429, headers: { "retry-after": "60" } }
    const events = jobEvents(4)
    const outcome = await withSlowOutbox("onFailure", Effect.sleep(slowMs), status, (tracker, { core, slow }) =>
      Effect.gen(function* () {
        yield* tracker.emit(events[0]!)
        yield* tracker.flush()
        // Deferred for a minute; new events, and a flush that only saves them, slowly.
        for (const event of events.slice(1)) yield* tracker.emit(event)
        slow.on = true
        const start = yield* Clock.currentTimeMillis
        const deferred = yield* timedFlush(tracker, start + slowMs)
        yield* TestClock.adjust(slowMs)
        yield* settle(() => outboxKeys(core).length === events.length)
        return { deferred, stats: yield* tracker.stats() }
      })
    )
    expect(outcome.deferred).toBe(flushTimeoutMs)
    expect(outcome.stats.deferred).toBeGreaterThan(0)
    expect(outcome.stats.pending).toBe(events.length)
  })

  it("a save that never ends: every flush returns at its bound, and the events stay held", async () => {
    const status = { code: 503 }
    const events = jobEvents(2)
    const outcome = await withSlowOutbox("onFailure", Effect.never, status, (tracker, { slow }) =>
      Effect.gen(function* () {
        for (const event of events) yield* tracker.emit(event)
        slow.on = true
        const returned: Array<number> = []
        for (let i = 0; i < 3; i++) {
          const start = yield* Clock.currentTimeMillis
          const flushing = yield* Effect.fork(Effect.zipRight(tracker.flush(), Clock.currentTimeMillis))
          yield* untilSleepAt(start + flushTimeoutMs)
          yield* TestClock.adjust(flushTimeoutMs)
          returned.push((yield* Fiber.join(flushing)) - start)
        }
        return { returned, stats: yield* tracker.stats() }
      })
    )
    expect(outcome.returned).toEqual([flushTimeoutMs, flushTimeoutMs, flushTimeoutMs])
    expect(outcome.stats.pending).toBe(events.length)
  })
})
