/**
 * A buffer of events and the bounded, retrying flush that hands them in batches to a sink
 * whose send either succeeds or fails as a whole (a Queue binding's `sendBatch`). Trackers
 * over such sinks are this plus their encoding and their send.
 */

import { Effect } from "effect"
import * as Clock from "effect/Clock"
import * as Random from "effect/Random"
import { EventRing } from "./EventRing.js"
import { backoffDelayMs } from "./Backoff.js"
import { boundedFlush, makeSerialFlush } from "./SerialFlush.js"
import { logFrom } from "../internal/log.js"
import { safeRun, safeSite } from "../internal/safe.js"

/** An event ready to send: what the sink takes, and the bytes it counts for it. */
export interface EncodedItem<I> {
  readonly item: I
  readonly bytes: number
}

export interface BufferedSenderConfig<I> {
  /** Most events held undelivered (buffered or in flight); newer ones beyond it are dropped. */
  readonly maxBufferSize: number
  /** Most items per send. */
  readonly batchSize: number
  /** Most bytes per send: the sum over its items of their bytes plus `itemOverheadBytes`. */
  readonly maxBatchBytes: number
  /** Most bytes of one item, its overhead included; larger ones are dropped. */
  readonly maxItemBytes: number
  /** Bytes the sink adds to each item (metadata), counted against both limits. */
  readonly itemOverheadBytes: number
  /** Bound on one send; it is then counted as failed (the sink may still complete it). */
  readonly timeoutMs: number
  /** Bound on one `flush()`, retries and waits included. */
  readonly flushTimeoutMs: number
  readonly retry: { readonly maxAttempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number }
  /** The event as sent, or undefined when it cannot be sent (not a JSON object, cycles, ...). */
  readonly encode: (event: unknown) => EncodedItem<I> | undefined
  /** Sends one batch; rejects (or throws) when the sink did not take it. */
  readonly send: (items: ReadonlyArray<I>) => Promise<unknown>
  /** The tracker's module, as its logs are annotated (`"tracker/QueueTracker"`); never a secret. */
  readonly module: string
}

/**
 * Why the last send that did not succeed failed. Never carries the sink's error message.
 *
 * @category Trackers
 */
export type SendFailure = { readonly kind: "rejected" } | { readonly kind: "timeout" }

/**
 * Counters since the sender was created; a snapshot.
 *
 * @category Trackers
 */
export interface BufferedSenderStats {
  /** Events accepted into the buffer. */
  readonly emitted: number
  /** Events the sink took. */
  readonly sent: number
  /** Sends that succeeded. */
  readonly batches: number
  /** Sends made, retries included. */
  readonly sends: number
  /** Sends that were retries of a batch within one flush. */
  readonly retried: number
  /** Events put back in the buffer after a flush could not deliver them. */
  readonly requeued: number
  /** Flush runs started (concurrent `flush()` calls share one). */
  readonly flushes: number
  /** Events held now, buffered or in flight. */
  readonly pending: number
  readonly dropped: {
    /** Emitted while `maxBufferSize` events were already held. */
    readonly overflow: number
    /** Larger than the sink takes in one item. */
    readonly tooLarge: number
    /** Not a JSON object, or not serialisable. */
    readonly unserializable: number
  }
  readonly lastFailure: SendFailure | undefined
}

export interface BufferedSender {
  readonly emit: (event: unknown) => Effect.Effect<void>
  readonly flush: () => Effect.Effect<void>
  readonly pending: () => Effect.Effect<number>
  readonly stats: () => Effect.Effect<BufferedSenderStats>
}

interface Batch<I> {
  readonly events: ReadonlyArray<unknown>
  readonly items: ReadonlyArray<I>
}

const rejected = Effect.succeed({ kind: "rejected" } as const)

export const makeBufferedSender = <I>(cfg: BufferedSenderConfig<I>): BufferedSender => {
  const sendSite = safeSite(cfg.module, "send")
  const logged = logFrom(cfg.module)
  const ring = new EventRing<unknown>(cfg.maxBufferSize)
  const counters = {
    emitted: 0,
    sent: 0,
    batches: 0,
    sends: 0,
    retried: 0,
    requeued: 0,
    flushes: 0,
    dropped: { overflow: 0, tooLarge: 0, unserializable: 0 },
    lastFailure: undefined as SendFailure | undefined
  }
  let inFlight: Batch<I> | undefined
  const heldCount = (): number => ring.size + (inFlight?.events.length ?? 0)

  const emit = (event: unknown): Effect.Effect<void> =>
    Effect.sync(() => {
      // The oldest events are kept; the bound counts the batch in flight, so putting an
      // undelivered batch back never exceeds it.
      if (heldCount() >= cfg.maxBufferSize || !ring.pushBack(event)) counters.dropped.overflow++
      else counters.emitted++
    })

  /** Moves up to one batch of the first `budget.remaining` buffered events in flight. */
  const takeBatch = (budget: { remaining: number }): Batch<I> | undefined => {
    const events: Array<unknown> = []
    const items: Array<I> = []
    let bytes = 0
    while (budget.remaining > 0 && events.length < cfg.batchSize && ring.size > 0) {
      const event = ring.peek()
      const encoded = cfg.encode(event)
      const itemBytes = encoded === undefined ? 0 : encoded.bytes + cfg.itemOverheadBytes
      if (encoded === undefined || itemBytes > cfg.maxItemBytes || itemBytes > cfg.maxBatchBytes) {
        ring.shift()
        budget.remaining--
        if (encoded === undefined) counters.dropped.unserializable++
        else counters.dropped.tooLarge++
        continue
      }
      if (bytes + itemBytes > cfg.maxBatchBytes) break
      ring.shift()
      budget.remaining--
      events.push(event)
      items.push(encoded.item)
      bytes += itemBytes
    }
    return events.length === 0 ? undefined : { events, items }
  }

  const requeueInFlight = (): void => {
    const batch = inFlight
    inFlight = undefined
    if (batch === undefined) return
    const kept = ring.unshiftAll(batch.events)
    counters.requeued += kept
    counters.dropped.overflow += batch.events.length - kept
  }

  const sendOnce = (items: ReadonlyArray<I>): Effect.Effect<SendFailure | undefined> =>
    Effect.suspend(() => {
      counters.sends++
      return safeRun(
        sendSite,
        Effect.as(
          Effect.tryPromise(() => cfg.send(items)),
          undefined
        ),
        rejected
      )
    }).pipe(
      Effect.timeoutFail({ duration: cfg.timeoutMs, onTimeout: () => ({ kind: "timeout" }) as const }),
      Effect.merge
    )

  /** Sends `batch`, retrying within the flush's deadline; false when it gave up. */
  const deliver = (batch: Batch<I>, deadline: number): Effect.Effect<boolean> =>
    Effect.gen(function* () {
      for (let attempt = 1; ; attempt++) {
        if (attempt > 1) counters.retried++
        const failure = yield* sendOnce(batch.items)
        if (failure === undefined) {
          counters.sent += batch.events.length
          counters.batches++
          return true
        }
        counters.lastFailure = failure
        const now = yield* Clock.currentTimeMillis
        const delay = backoffDelayMs(attempt, cfg.retry, yield* Random.next)
        // A wait that would outlast the flush only delays the give-up.
        const willRetry = attempt < cfg.retry.maxAttempts && now + delay < deadline
        yield* Effect.logDebug("batch not delivered").pipe(
          Effect.annotateLogs({ failure: failure.kind, events: batch.events.length, attempt, willRetry }),
          logged
        )
        if (!willRetry) return false
        if (delay > 0) yield* Effect.sleep(delay)
      }
    })

  /** Sends the events buffered now; stops at the first batch it cannot deliver. */
  const runFlush = (deadline: number): Effect.Effect<void> =>
    Effect.gen(function* () {
      counters.flushes++
      const budget = { remaining: ring.size }
      while (budget.remaining > 0) {
        const batch = yield* Effect.sync(() => (inFlight = takeBatch(budget)))
        if (batch === undefined) break
        if (!(yield* deliver(batch, deadline))) return
        inFlight = undefined
      }
    }).pipe(Effect.ensuring(Effect.sync(requeueInFlight)))

  const serial = makeSerialFlush({ emitted: () => counters.emitted, idle: () => ring.size === 0, run: runFlush })

  const flush = (): Effect.Effect<void> =>
    Effect.suspend(() =>
      ring.size === 0 && inFlight === undefined
        ? Effect.void
        : boundedFlush(
            cfg.flushTimeoutMs,
            Effect.flatMap(Clock.currentTimeMillis, (now) => serial.upTo(counters.emitted, now + cfg.flushTimeoutMs))
          )
    )

  return {
    emit,
    flush,
    pending: () => Effect.sync(heldCount),
    stats: () =>
      Effect.sync(() => ({
        emitted: counters.emitted,
        sent: counters.sent,
        batches: counters.batches,
        sends: counters.sends,
        retried: counters.retried,
        requeued: counters.requeued,
        flushes: counters.flushes,
        pending: heldCount(),
        dropped: { ...counters.dropped },
        lastFailure: counters.lastFailure
      }))
  }
}
