/**
 * The delivery engine of the buffering trackers, whatever their sink: a bounded buffer `emit`
 * puts events in (O(1)), batches by count and by the bytes the sink counts, flushes that run
 * one at a time within `flushTimeoutMs` (BatchDelivery.ts retries, splits and defers), drop
 * accounting (the first drop of each cause logged, DropNotice.ts), and the seams where a durable outbox saves, deletes and restores events.
 */

import { Effect } from "effect"
import * as Clock from "effect/Clock"
import * as FiberRef from "effect/FiberRef"
import { type DeliverBatch, type DeliveryCounters, type InFlightBatch, makeBatchDelivery } from "./BatchDelivery.js"
import { afterOn } from "./ClockTimer.js"
import { makeDeliveryDeferral } from "./DeliveryDeferral.js"
import type { DeliverySink, DropReason, Sized } from "./DeliverySink.js"
import { makeDropNotice } from "./DropNotice.js"
import { makeEventRing } from "./EventRing.js"
import { boundedFlush, makeSerialFlush } from "./SerialFlush.js"

export interface DeliveryLimits {
  /** Most events held undelivered (buffered or in flight); newer ones beyond it are dropped. */
  readonly maxBufferSize: number
  /** Most events per send. */
  readonly batchSize: number
  /** Most bytes per send, as the sink's `bytesWith` counts them. */
  readonly maxBatchBytes: number
  /** Bound on one send. */
  readonly timeoutMs: number
  /** Bound on one `flush()`, retries and waits included. */
  readonly flushTimeoutMs: number
  /** How long a flush may leave less than a batch buffered for a later send (0 or absent: every flush sends). */
  readonly lingerMs?: number
  readonly retry: { readonly maxAttempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number }
}

/**
 * The durable outbox as the engine drives it (Outbox.ts's `TrackerOutbox` is one): it is told
 * what is accepted and settled, and asked to save, delete and restore around flushes.
 */
export interface DeliveryOutbox<A> {
  readonly wantsRestore: boolean
  readonly savedNotBefore: number | undefined
  accepted(event: A): void
  settled(events: ReadonlyArray<unknown>): void
  restore(held: ReadonlyArray<A>, room: number): Effect.Effect<ReadonlyArray<unknown>>
  holdsUnsaved(held: ReadonlyArray<A>): boolean
  writeAccepted(): Effect.Effect<void>
  deleteSettled(): Effect.Effect<void>
  finishFlush(gaveUp: boolean, held: ReadonlyArray<A>, notBefore: number | undefined): Effect.Effect<void>
}

interface EngineCounters<F> extends DeliveryCounters<F> {
  emitted: number
  truncated: number
  requeued: number
  flushes: number
  lingered: number
  readonly dropped: { overflow: number; rejected: number; tooLarge: number; unserializable: number }
}

/** The engine's counters since it was created, and its state now; a snapshot. Trackers report the fields they document. */
export type DeliveryStats<F> = Readonly<Omit<EngineCounters<F>, "dropped">> & {
  readonly dropped: Readonly<EngineCounters<F>["dropped"]>
  /** Flushes that returned without a send: a receiver's wait had not run out. */
  readonly deferred: number
  /** Epoch ms before which no flush sends; undefined when none. */
  readonly deferredUntil: number | undefined
  /** Events held now, buffered or in flight. */
  readonly pending: number
}

export interface DeliveryEngine<F> {
  /** Buffers the event (never fails); a full buffer or an event that cannot be sent is counted. */
  readonly emit: (event: unknown) => Effect.Effect<void>
  /** Sends what is buffered, within `flushTimeoutMs`; never fails. */
  readonly flush: () => Effect.Effect<void>
  /** Events held now, buffered or in flight. */
  readonly pending: () => number
  readonly stats: () => DeliveryStats<F>
  /** Puts the events the outbox saved in front of the buffer (once; nothing without an outbox). */
  readonly restoreSaved: Effect.Effect<void>
}

export const makeDeliveryEngine = <A, B extends Sized, Body, F>(
  sink: DeliverySink<A, B, Body, F>,
  limits: DeliveryLimits,
  // The sink alone says what an event is held as.
  outbox?: DeliveryOutbox<NoInfer<A>>
): DeliveryEngine<F> => {
  const counters: EngineCounters<F> = {
    emitted: 0,
    truncated: 0,
    sent: 0,
    batches: 0,
    requests: 0,
    retried: 0,
    requeued: 0,
    flushes: 0,
    lingered: 0,
    dropped: { overflow: 0, rejected: 0, tooLarge: 0, unserializable: 0 },
    lastFailure: undefined
  }
  const deferral = makeDeliveryDeferral()
  const drop = makeDropNotice(counters.dropped, sink.module, sink.logAnnotations)
  const deliver: DeliverBatch<A, B> = makeBatchDelivery(sink, limits, counters, deferral, drop)
  const ring = makeEventRing<A>(limits.maxBufferSize)
  let inFlight: InFlightBatch<A, B> | undefined
  const { admit, truncated } = sink

  const held = (): number => ring.size + (inFlight === undefined ? 0 : inFlight.held.length - inFlight.settled)

  /** The event as held, or undefined after counting why it cannot be sent. */
  const admitted = (event: unknown): A | undefined => {
    if (admit === undefined) return event as A
    const ready = admit(event)
    if (typeof ready !== "string") return ready
    drop(ready as DropReason, 1)
    return undefined
  }

  const accept = (event: unknown): void => {
    // The oldest events are kept: a full buffer refuses the newest one (before any work on it).
    // The bound counts the batch in flight, so putting an undelivered batch back can never exceed it.
    if (held() >= limits.maxBufferSize) {
      drop("overflow", 1)
      return
    }
    const ready = admitted(event)
    if (ready === undefined) return
    if (!ring.pushBack(ready)) {
      drop("overflow", 1)
      return
    }
    counters.emitted++
    if (truncated?.(ready) === true) counters.truncated++
    outbox?.accepted(ready)
  }

  // Buffered events the flush running now has yet to take (flushes run one at a time).
  let budget = 0

  /** Moves up to one batch of the next `budget` buffered events in flight. */
  const takeBatch = (): InFlightBatch<A, B> | undefined => {
    const taken: Array<A> = []
    const items: Array<B> = []
    let bytes = 0
    while (budget > 0 && taken.length < limits.batchSize && ring.size > 0) {
      const next = ring.peek()!
      const item = sink.encode(next)
      const withItem = typeof item === "string" ? 0 : sink.bytesWith(taken.length, bytes, item.bytes)
      if (withItem > limits.maxBatchBytes && taken.length > 0) break
      ring.shift()
      budget--
      // What the sink cannot take alone is dropped here, at flush (sinks that size at `emit`
      // have refused it there).
      if (typeof item === "string" || withItem > limits.maxBatchBytes) {
        drop(typeof item === "string" ? item : "tooLarge", 1)
        outbox?.settled([next])
        continue
      }
      taken.push(next)
      items.push(item)
      bytes = withItem
    }
    inFlight = taken.length === 0 ? undefined : { held: taken, items, settled: 0 }
    return inFlight
  }

  /** Puts the unsettled rest of the batch in flight back in front; false when none was in flight. */
  const requeueInFlight = (): boolean => {
    const batch = inFlight
    inFlight = undefined
    if (batch === undefined) return false
    outbox?.settled(batch.held.slice(0, batch.settled))
    const rest = batch.held.slice(batch.settled)
    const kept = ring.unshiftAll(rest)
    counters.requeued += kept
    drop("overflow", rest.length - kept)
    return true
  }

  // Outbox seam: the saved events go in front of the buffer, once per tracker. The tracker's
  // layer does it when first built with a storage, before the call's own work can delete that
  // storage (a termination or a debounce purge); a flush does it if the layer could not.
  const restoreSaved: Effect.Effect<void> = Effect.suspend(() =>
    outbox?.wantsRestore === true
      ? Effect.zipWith(
          outbox.restore(ring.toArray(), limits.maxBufferSize - held()),
          Clock.currentTimeMillis,
          (saved, now) => {
            const ready: Array<A> = []
            for (const event of saved) {
              const one = admitted(event)
              if (one === undefined) outbox.settled([event])
              else ready.push(one)
            }
            ring.unshiftAll(ready)
            deferral.restore(outbox.savedNotBefore, now)
          }
        )
      : Effect.void
  )

  // Outbox seam: a flush that gave up (or was deferred) saves what it could not deliver; any
  // flush deletes the saved events it delivered. Runs as the flush ends, also when its timeout
  // interrupts it. A deferral still set after a run was set or honoured by it.
  const endFlush: Effect.Effect<void> = Effect.suspend(() => {
    const gaveUp = requeueInFlight() || deferral.until !== undefined
    return outbox === undefined ? Effect.void : outbox.finishFlush(gaveUp, gaveUp ? ring.toArray() : [], deferral.until)
  })

  /** Sends the events buffered now; stops at the first batch it cannot deliver. */
  const runFlush = (deadline: number): Effect.Effect<void> =>
    Effect.gen(function* () {
      // Outbox seam: the first flush puts the events an earlier instance saved in front.
      yield* restoreSaved
      // Checked again here: the restore may have brought a saved deferral, and a flush this
      // one waited for may have just set one.
      if (deferral.defers(yield* Clock.currentTimeMillis)) return
      counters.flushes++
      budget = ring.size
      while (budget > 0) {
        const batch = yield* Effect.sync(takeBatch)
        // Nothing taken: the rest of the budget was dropped (too large, unserialisable).
        if (batch === undefined) break
        const result = yield* deliver(batch, 0, batch.held.length, deadline)
        if (result === "gaveUp") return
        // Delivered: settled, and no longer in flight.
        outbox?.settled(batch.held)
        inFlight = undefined
        // Outbox seam: delivered keys go now, not only as the flush ends.
        if (outbox !== undefined) yield* outbox.deleteSettled()
      }
    }).pipe(Effect.ensuring(endFlush))

  // Nothing buffered, nothing saved to restore: a jobs runtime flushes at the end of every
  // call, and calls that emit nothing should not pay for a fiber and a timer.
  const nothingToSend = (): boolean => ring.size === 0 && outbox?.wantsRestore !== true
  const serial = makeSerialFlush({ emitted: () => counters.emitted, idle: nothingToSend, run: runFlush })

  // Outbox seam: in mode "always", the events of a call are stored by its flush at the latest.
  const writeAccepted: Effect.Effect<void> =
    outbox === undefined ? Effect.void : Effect.suspend(() => outbox.writeAccepted())

  // Without an outbox, everything a flush waits on ends by its deadline: each send (its timer is
  // set for the time the flush has left), each retry's wait (taken only when it ends before the
  // deadline) and a running flush it joins (which started earlier with the same bound). So it
  // runs on the caller's fiber, also an uninterruptible one (a finalizer): no fiber, timer or hop
  // of its own, where a jobs runtime flushes at the end of every call. It never fails: a sink
  // that throws or dies costs the flush, not the caller. An interruptible caller interrupted
  // meanwhile stops it, and what was in flight goes back to the buffer for the next flush.
  //
  // Outbox seam: storage may take any time, and a save or delete begun is finished. So with an
  // outbox the flush runs in a fiber of its own, and its caller waits at most `flushTimeoutMs`
  // (see `boundedFlush`); in mode "always", this call's events are stored before anything else.
  const sendNow: Effect.Effect<void> =
    outbox === undefined
      ? Effect.catchAllCause(
          Effect.flatMap(Clock.currentTimeMillis, (now) => serial.upTo(counters.emitted, now + limits.flushTimeoutMs)),
          () => Effect.void
        )
      : boundedFlush(
          limits.flushTimeoutMs,
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.zipRight(
              Effect.uninterruptible(writeAccepted),
              serial.upTo(counters.emitted, now + limits.flushTimeoutMs)
            )
          )
        )

  // Outbox seam: a deferred flush saves the events emitted since the last save, so that they
  // outlive the object as those of a flush that gave up do; nothing when all are saved.
  const keepDeferred: Effect.Effect<void> = Effect.suspend(() => {
    if (outbox === undefined) return Effect.void
    const buffered = ring.toArray()
    return outbox.holdsUnsaved(buffered) ? outbox.finishFlush(true, buffered, deferral.until) : Effect.void
  })

  // A deferred flush sends nothing; with an outbox its saves are bounded as a flush is (the
  // caller waits `flushTimeoutMs` at most; a save begun is finished in the background).
  const saveDeferred: Effect.Effect<void> =
    outbox === undefined
      ? Effect.void
      : boundedFlush(limits.flushTimeoutMs, Effect.uninterruptible(Effect.zipRight(writeAccepted, keepDeferred)))

  // Linger: a jobs runtime flushes at the end of every call, and a request per call of a few
  // events costs more than the events do. With `lingerMs`, a flush that finds less than a batch
  // buffered sends nothing until `lingerMs` after the first flush that left events waiting; a
  // timer (one per wait, not per call) then flushes, so the call that emitted an object's last
  // events needs no later call. Waiting events are saved as a deferred flush's
  // are, with an outbox, so that they outlive the object. A lingering caller never waits.
  const lingerMs = limits.lingerMs ?? 0
  let lingerSince: number | undefined
  let lingerTimer = false
  /** How long the events buffered now may still wait; 0 when this flush sends. */
  const lingerLeft = (now: number): number => {
    if (lingerMs > 0 && ring.size < limits.batchSize) {
      const left = (lingerSince ??= now) + lingerMs - now
      if (left > 0) return left
    }
    lingerSince = undefined
    return 0
  }
  const linger = (left: number): Effect.Effect<void> => {
    counters.lingered++
    if (lingerTimer) return saveDeferred
    lingerTimer = true
    // The timer's flush is a fiber of its own that keeps only the caller's Clock, loggers and log
    // level: a daemon forked from the caller would hold the call's whole context until it
    // fires, and would make the flush a child of the call's span long after the call ended.
    const wake = Effect.suspend(() => {
      lingerTimer = false
      return flush()
    })
    const timer = Effect.flatMap(
      Effect.all([Effect.clock, FiberRef.get(FiberRef.currentLoggers), FiberRef.get(FiberRef.currentMinimumLogLevel)]),
      ([clock, loggers, level]) =>
        afterOn(clock, left, () => {
          Effect.runFork(
            Effect.withClock(wake, clock).pipe(
              Effect.locally(FiberRef.currentLoggers, loggers),
              Effect.locally(FiberRef.currentMinimumLogLevel, level)
            )
          )
        })
    )
    return Effect.zipRight(timer, saveDeferred)
  }

  // A deferred flush returns at once too, before any fiber or timer (without an outbox): every
  // call of a jobs runtime flushes, and none should wait on (or send to) a receiver that asked
  // for a pause.
  const flush = (): Effect.Effect<void> =>
    Effect.suspend(() =>
      !serial.running() && nothingToSend()
        ? Effect.void
        : Effect.flatMap(Clock.currentTimeMillis, (now) => {
            if (deferral.defers(now)) return saveDeferred
            // Only events in flight (a running flush has them): nothing of this caller's waits.
            if (lingerMs > 0 && nothingToSend()) return Effect.void
            const left = lingerLeft(now)
            return left > 0 ? linger(left) : sendNow
          })
    )

  return {
    emit: (event) => Effect.sync(() => accept(event)),
    flush,
    pending: held,
    restoreSaved,
    stats: () => ({
      ...counters,
      deferred: deferral.deferred,
      deferredUntil: deferral.until,
      pending: held(),
      dropped: { ...counters.dropped }
    })
  }
}
