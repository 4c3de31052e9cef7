import { Chunk, Effect, Fiber, Schema, TestClock, TestContext } from "effect"
import { JobEventBatch, type JobEvent } from "../../src/jobs/events/JobEvent.js"
import { makeJobEvent } from "../../src/jobs/events/makeJobEvent.js"
import type { Collector } from "./collector.js"

/** `count` distinct job events, in emit order. */
export const jobEvents = (count: number, jobName = "tracked"): Array<JobEvent> =>
  Array.from({ length: count }, (_, i) =>
    makeJobEvent({ type: "execution.started", instanceId: `instance-${i}`, jobType: "task", jobName, runCount: i })
  )

/** The eventIds of `events`, in order. */
export const idsOf = (events: ReadonlyArray<JobEvent>): Array<string> => events.map((event) => event.eventId)

/** Emits `events` into `tracker`, in order. */
export const emitAll = <E>(
  tracker: { readonly emit: (event: E) => Effect.Effect<void> },
  events: ReadonlyArray<E>
): Effect.Effect<void> => Effect.forEach(events, (event) => tracker.emit(event), { discard: true })

/** The batches a collector answered 2xx, decoded as the wire schema (fails the test if they do not decode). */
export const deliveredBatches = (collector: Collector): Array<JobEventBatch> =>
  collector.delivered().map((body) => Schema.decodeUnknownSync(JobEventBatch)(body))

/** The eventIds a collector answered 2xx, in arrival order. */
export const deliveredIds = (collector: Collector): Array<string> =>
  deliveredBatches(collector).flatMap((batch) => batch.events.map((event) => event.eventId))

/** Runs an effect with the test services (TestClock, seeded Random). */
export const runTest = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromise(effect.pipe(Effect.provide(TestContext.TestContext)))

/** Lets real I/O progress (a macrotask turn), for effects waiting on a real server. */
export const realTurn: Effect.Effect<void> = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** Twenty real turns: real I/O a flush might have started without waiting for it gets to happen. */
export const settle: Effect.Effect<void> = Effect.forEach(Array.from({ length: 20 }), () => realTurn, { discard: true })

/** Waits until some fiber sleeps until exactly `atMs` on the TestClock (bounded by turns, not time). */
export const untilSleepAt = (atMs: number, maxTurns = 5_000): Effect.Effect<void> =>
  Effect.gen(function* () {
    for (let turn = 0; turn < maxTurns; turn++) {
      const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
      if (sleeps.includes(atMs)) return
      yield* realTurn
    }
    const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
    return yield* Effect.dieMessage(`no sleep until ${atMs}; sleeps: ${sleeps.join(", ")}`)
  })

/** Waits until some fiber sleeps until a time in [fromMs, toMs]; returns that time. */
export const untilSleepWithin = (fromMs: number, toMs: number, maxTurns = 5_000): Effect.Effect<number> =>
  Effect.gen(function* () {
    for (let turn = 0; turn < maxTurns; turn++) {
      const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
      const found = sleeps.find((at) => at >= fromMs && at <= toMs)
      if (found !== undefined) return found
      yield* realTurn
    }
    const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
    return yield* Effect.dieMessage(`no sleep within [${fromMs}, ${toMs}]; sleeps: ${sleeps.join(", ")}`)
  })

/** Waits for a real server to have seen `count` requests. */
export const untilRequests = (collector: Collector, count: number): Effect.Effect<void> =>
  Effect.promise(() => collector.waitForRequests(count))

/**
 * Runs `effect` and fails the test unless it completes without the TestClock being moved (it
 * may do real I/O): a flush (or a call) that waited for a collector's time never completes here.
 */
export const withoutWaiting = <A, E>(effect: Effect.Effect<A, E>, maxTurns = 10_000): Effect.Effect<A, E> =>
  Effect.gen(function* () {
    // A daemon: the test's own fiber would otherwise wait for it to end, which it may never do.
    const fiber = yield* Effect.forkDaemon(effect)
    for (let turn = 0; turn < maxTurns && fiber.unsafePoll() === null; turn++) yield* realTurn
    if (fiber.unsafePoll() === null) {
      // Not awaited: a flush in a finalizer cannot be interrupted, and would hold the test.
      yield* Fiber.interruptFork(fiber)
      return yield* Effect.dieMessage("it waited on the clock")
    }
    return yield* Fiber.join(fiber)
  })
