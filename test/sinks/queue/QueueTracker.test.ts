import { Effect, Fiber, TestClock, TestContext } from "effect"
import {
  emitEvent,
  flushEvents,
  InvalidTrackerConfigError,
  type JobEventWire,
  makeJobEvent,
  type QueueProducer,
  QueueLimits,
  QueueTracker,
  vocabularyGate
} from "durable-effect-tracking"
import { describe, expect, it } from "vitest"
import { captureLogs } from "../../support/logCapture.js"
import { payment, paymentEvents, testJobEvents } from "../../support/vocabularies.js"
import { largestJobEvent } from "../../../src/jobs/events/largestJobEvent.js"
import { genericLargestEvent } from "../../../src/delivery/LargestEvent.js"

/** A Queue binding double that records what each call carried, and can refuse or hang. */
const recordingQueue = (behaviour: { refuse?: number; hang?: boolean } = {}) => {
  const calls: Array<{
    method: "send" | "sendBatch"
    bodies: Array<JobEventWire>
    contentTypes: Array<string | undefined>
  }> = []
  let refusals = behaviour.refuse ?? 0
  const answer = (): Promise<void> => {
    if (behaviour.hang === true) return new Promise(() => undefined)
    if (refusals > 0) {
      refusals--
      return Promise.reject(new Error("Queue send failed: 10503 secret-internal-detail"))
    }
    return Promise.resolve()
  }
  const queue: QueueProducer<JobEventWire> = {
    send: (body, options) => {
      calls.push({ method: "send", bodies: [body], contentTypes: [options?.contentType] })
      return answer()
    },
    sendBatch: (messages) => {
      const list = [...messages]
      calls.push({ method: "sendBatch", bodies: list.map((m) => m.body), contentTypes: list.map((m) => m.contentType) })
      return answer()
    }
  }
  return { queue, calls }
}

const options = { env: "production", serviceKey: "jobs" }
const event = (i: number, reason = "") =>
  makeJobEvent({ type: "job.terminated", instanceId: `do-${i}`, jobType: "task", jobName: "probe", reason })
/** Emits one event and flushes it on the TestClock, `adjustMs` later; the tracker's stats then. */
const statsAfterFlush = (tracker: ReturnType<typeof QueueTracker.make>, adjustMs: number) =>
  Effect.runPromise(
    Effect.gen(function* () {
      yield* tracker.emit(event(1))
      const flushing = yield* Effect.fork(tracker.flush())
      yield* TestClock.adjust(adjustMs)
      yield* Fiber.join(flushing)
      return yield* tracker.stats()
    }).pipe(Effect.provide(TestContext.TestContext))
  )

const bytesOf = (body: unknown) => new TextEncoder().encode(JSON.stringify(body)).length

describe("QueueTracker", () => {
  it("sends each event as one JSON message with env and serviceKey, in batches of at most batchSize", async () => {
    const { queue, calls } = recordingQueue()
    const tracker = QueueTracker.make(queue, options)
    const events = Array.from({ length: 250 }, (_, i) => event(i))
    await Effect.runPromise(
      Effect.all([...events.map((e) => emitEvent(e)), flushEvents]).pipe(
        Effect.provide(QueueTracker.layer(queue, options))
      )
    )
    // The layer made its own tracker; this one has seen nothing.
    expect(await Effect.runPromise(tracker.pending())).toBe(0)
    expect(calls.map((c) => [c.method, c.bodies.length])).toEqual([
      ["sendBatch", 100],
      ["sendBatch", 100],
      ["sendBatch", 50]
    ])
    expect(calls.flatMap((c) => c.contentTypes).every((t) => t === "json")).toBe(true)
    expect(calls.flatMap((c) => c.bodies)).toEqual(events.map((e) => ({ ...e, env: "production", serviceKey: "jobs" })))
  })

  it("keeps every send within Queues' byte limits, uses send for a single message, drops what no message can carry", async () => {
    const { queue, calls } = recordingQueue()
    const tracker = QueueTracker.make(queue, options)
    const large = Array.from({ length: 9 }, (_, i) => event(i, "r".repeat(60_000)))
    const tooLarge = event(99, "r".repeat(QueueLimits.maxMessageBytes))
    await Effect.runPromise(
      Effect.gen(function* () {
        for (const e of [...large.slice(0, 4), tooLarge, ...large.slice(4)]) yield* tracker.emit(e)
        yield* tracker.flush()
      })
    )
    for (const call of calls) {
      const bytes = call.bodies.reduce((sum, body) => sum + bytesOf(body) + QueueLimits.messageOverheadBytes, 0)
      expect(bytes).toBeLessThanOrEqual(QueueLimits.maxBatchBytes)
    }
    // 60 KB messages: four fit in 256 KB, the ninth goes alone (with send).
    expect(calls.map((c) => [c.method, c.bodies.length])).toEqual([
      ["sendBatch", 4],
      ["sendBatch", 4],
      ["send", 1]
    ])
    expect(calls.flatMap((c) => c.bodies.map((b) => b.eventId))).toEqual(large.map((e) => e.eventId))
    const stats = await Effect.runPromise(tracker.stats())
    expect(stats).toMatchObject({ emitted: 10, sent: 9, batches: 3, sends: 3, pending: 0, dropped: { tooLarge: 1 } })
  })

  it("retries a refused send with backoff within the flush, and keeps what it could not send for the next flush", async () => {
    const { queue, calls } = recordingQueue({ refuse: 3 })
    const tracker = QueueTracker.make(queue, {
      ...options,
      retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 100 }
    })
    const events = [event(1), event(2)]
    const stats = await Effect.runPromise(
      Effect.gen(function* () {
        for (const e of events) yield* tracker.emit(e)
        // Refused, retried after the backoff, refused again: the flush gives up, the events stay.
        const first = yield* Effect.fork(tracker.flush())
        yield* TestClock.adjust(100)
        yield* Fiber.join(first)
        const afterFirst = yield* tracker.stats()
        // The next flush is refused once more, then delivers.
        const second = yield* Effect.fork(tracker.flush())
        yield* TestClock.adjust(100)
        yield* Fiber.join(second)
        return { afterFirst, afterSecond: yield* tracker.stats() }
      }).pipe(Effect.provide(TestContext.TestContext))
    )
    expect(stats.afterFirst).toMatchObject({
      sent: 0,
      sends: 2,
      retried: 1,
      requeued: 2,
      pending: 2,
      lastFailure: { kind: "rejected" }
    })
    expect(stats.afterSecond).toMatchObject({ sent: 2, sends: 4, retried: 2, pending: 0, batches: 1 })
    // The sink's error message is never kept.
    expect(JSON.stringify(stats)).not.toContain("secret")
    expect(calls.map((c) => c.bodies.map((b) => b.eventId))).toEqual(Array(4).fill(events.map((e) => e.eventId)))
  })

  it("a send that never answers costs a flush at most flushTimeoutMs, and its events are kept", async () => {
    const { queue } = recordingQueue({ hang: true })
    const tracker = QueueTracker.make(queue, { ...options, timeoutMs: 10_000, flushTimeoutMs: 1_000 })
    const stats = await statsAfterFlush(tracker, 1_000)
    expect(stats).toMatchObject({ sent: 0, pending: 1, requeued: 1 })
  })

  it("bounds a send that never answers by timeoutMs: it counts as timed out, and the next attempt goes", async () => {
    const { queue, calls } = recordingQueue({ hang: true })
    const tracker = QueueTracker.make(queue, {
      ...options,
      timeoutMs: 1_000,
      flushTimeoutMs: 5_000,
      retry: { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0 }
    })
    const stats = await statsAfterFlush(tracker, 5_000)
    expect(calls).toHaveLength(2)
    expect(stats).toMatchObject({ sent: 0, pending: 1, retried: 1, lastFailure: { kind: "timeout" } })
  })

  it("concurrent flushes share one run; an event emitted during a flush goes with the next", async () => {
    const calls: Array<Array<string>> = []
    let release: () => void = () => undefined
    const held = new Promise<void>((resolve) => (release = resolve))
    const queue: QueueProducer<JobEventWire> = {
      send: (body) => {
        calls.push([body.eventId])
        return calls.length === 1 ? held : Promise.resolve()
      },
      sendBatch: async (messages) => void calls.push([...messages].map((m) => m.body.eventId))
    }
    const tracker = QueueTracker.make(queue, options)
    const [first, second] = [event(1), event(2)]
    const stats = await Effect.runPromise(
      Effect.gen(function* () {
        yield* tracker.emit(first)
        const a = yield* Effect.fork(tracker.flush())
        const b = yield* Effect.fork(tracker.flush())
        // Until the first send is in flight (bounded in turns, not time).
        for (let turn = 0; turn < 1_000 && calls.length === 0; turn++) yield* Effect.yieldNow()
        yield* tracker.emit(second)
        const c = yield* Effect.fork(tracker.flush())
        for (let turn = 0; turn < 100; turn++) yield* Effect.yieldNow()
        // One send at a time: the second event waits for the first send to settle.
        const whileHeld = calls.length
        release()
        yield* Fiber.joinAll([a, b, c])
        return { ...(yield* tracker.stats()), whileHeld }
      })
    )
    expect(stats.whileHeld).toBe(1)
    expect(calls).toEqual([[first.eventId], [second.eventId]])
    expect(stats).toMatchObject({ flushes: 2, sends: 2, sent: 2, pending: 0 })
  })

  it("drops the newest events beyond maxBufferSize, and events that are no JSON object, logging each cause once", async () => {
    const { queue, calls } = recordingQueue()
    const tracker = QueueTracker.make<unknown>(queue, { ...options, maxBufferSize: 2 })
    const circular: Record<string, unknown> = { type: "job.created" }
    circular.self = circular
    const { lines, provide } = captureLogs()
    const stats = await Effect.runPromise(
      provide(
        Effect.gen(function* () {
          for (const e of [circular, event(1), event(2), circular, event(3)]) yield* tracker.emit(e)
          yield* tracker.flush()
          return yield* tracker.stats()
        })
      )
    )
    expect(stats).toMatchObject({ emitted: 2, sent: 1, dropped: { overflow: 3, unserializable: 1, tooLarge: 0 } })
    expect(calls).toHaveLength(1)
    // The same engine as the HTTP tracker's: the first drop of each cause is said, at warning
    // level (overflow at emit, unserializable at flush: this sink encodes there).
    expect(lines.map((line) => [line.level, line.annotations.dropped, line.annotations.module])).toEqual([
      ["WARN", "overflow", "sinks/queue/QueueSink"],
      ["WARN", "unserializable", "sinks/queue/QueueSink"]
    ])
  })

  it("with lingerMs, the events of several flushes go in one send, lingerMs after the first flush that left them", async () => {
    const { queue, calls } = recordingQueue()
    const tracker = QueueTracker.make(queue, { ...options, lingerMs: 2_000 })
    const stats = await Effect.runPromise(
      Effect.gen(function* () {
        yield* tracker.emit(event(1))
        yield* tracker.flush()
        yield* TestClock.setTime(1_500)
        yield* tracker.emit(event(2))
        yield* tracker.flush()
        const beforeTime = calls.length
        yield* TestClock.setTime(2_000)
        // The timer's flush runs on a fiber of its own (bounded in turns, not time).
        for (let turn = 0; turn < 1_000 && (yield* tracker.stats()).pending > 0; turn++) yield* Effect.yieldNow()
        return { ...(yield* tracker.stats()), beforeTime }
      }).pipe(Effect.provide(TestContext.TestContext))
    )
    expect(stats.beforeTime).toBe(0)
    expect(calls.map((call) => call.bodies.map((body) => body.instanceId))).toEqual([["do-1", "do-2"]])
    expect(stats).toMatchObject({ lingered: 2, sends: 1, sent: 2, pending: 0 })
  })

  it("refuses options beyond Queues' limits and a binding that is not one, naming fields only", () => {
    const { queue } = recordingQueue()
    let error: unknown
    try {
      QueueTracker.make(queue, { env: "e", serviceKey: " ", batchSize: 101, maxBatchBytes: 300_000, lingerMs: 60_001 })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidTrackerConfigError)
    expect((error as InvalidTrackerConfigError).issues).toEqual([
      "serviceKey must be a non-empty string",
      "batchSize must be a positive integer of at most 100",
      "maxBatchBytes must be a positive integer of at most 256000",
      "lingerMs must be an integer from 0 to 60000"
    ])
    expect((error as Error).message).toMatch(/^Invalid Queue tracker configuration: /)
    expect(() => QueueTracker.make({} as QueueProducer, options)).toThrow(/queue must be a Queue binding/)
  })
})

describe("QueueTracker told vocabularies", () => {
  const issuesOf = (extra: object): ReadonlyArray<string> => {
    try {
      QueueTracker.make(recordingQueue().queue, { ...options, ...extra })
      return []
    } catch (error) {
      return (error as InvalidTrackerConfigError).issues
    }
  }

  it("sends the events of a vocabulary told, and refuses the others at emit: counted, said once, never sent", async () => {
    const { queue, calls } = recordingQueue()
    const tracker = QueueTracker.make<unknown>(queue, { ...options, vocabularies: vocabularyGate(paymentEvents) })
    const charged = payment("payment.charged", "acct-1", 700)
    const { lines, provide } = captureLogs()
    const stats = await Effect.runPromise(
      provide(
        Effect.gen(function* () {
          yield* tracker.emit(event(1))
          yield* tracker.emit(event(2))
          yield* tracker.emit(charged)
          yield* tracker.flush()
          return yield* tracker.stats()
        })
      )
    )
    expect(calls.flatMap((call) => call.bodies)).toEqual([{ ...charged, ...options }])
    expect(stats).toMatchObject({
      emitted: 1,
      sent: 1,
      dropped: { overflow: 0, tooLarge: 0, unserializable: 0, unknownVocabulary: 2 }
    })
    expect(lines.map((line) => [line.level, line.annotations.dropped, line.annotations.detail])).toEqual([
      ["WARN", "unknownVocabulary", 'type "job.terminated" is of none of the vocabularies payments']
    ])
  })

  it("refuses a maxBatchBytes below one message of the largest event it carries, and says whose", () => {
    const message = (event: object) => bytesOf({ ...event, ...options }) + QueueLimits.messageOverheadBytes
    const jobs = message(largestJobEvent)
    expect(issuesOf({ vocabularies: vocabularyGate(testJobEvents), maxBatchBytes: jobs - 1 })).toEqual([
      `maxBatchBytes must be at least ${jobs} (a message of the largest event of vocabulary jobs)`
    ])
    expect(issuesOf({ vocabularies: vocabularyGate(testJobEvents), maxBatchBytes: jobs })).toEqual([])
    // A payments tracker may send in much smaller batches; told none, the generic floor holds.
    expect(issuesOf({ vocabularies: vocabularyGate(paymentEvents), maxBatchBytes: 1_000 })).toEqual([])
    const floor = message(genericLargestEvent)
    expect(issuesOf({ maxBatchBytes: floor - 1 })).toEqual([
      `maxBatchBytes must be at least ${floor} (a message of the generic floor: an event with an error summary at its caps)`
    ])
    // An event larger than a Queue message can never be sent: refused whatever maxBatchBytes.
    const blobs = { ...paymentEvents, name: "blobs", largestEvent: { type: "blob.stored", data: "x".repeat(130_000) } }
    expect(issuesOf({ vocabularies: vocabularyGate(blobs) })).toEqual([
      `vocabularies: the largest event of vocabulary blobs takes ${message(blobs.largestEvent)} bytes as a message, more than Queues take (128000)`
    ])
    expect(issuesOf({ vocabularies: "payments" })).toEqual(["vocabularies must be made by vocabularyGate(...)"])
    expect(issuesOf({ vocabularies: [paymentEvents] })).toEqual(["vocabularies must be made by vocabularyGate(...)"])
  })
})
