import { Context, Effect, Layer } from "effect"
import * as Clock from "effect/Clock"
import * as Option from "effect/Option"
import { bodyBytesWith } from "../../delivery/BatchBody.js"
import { DeliveryDeferral } from "../../delivery/DeliveryDeferral.js"
import { EventRing } from "../../delivery/EventRing.js"
import { type EventSizeLimits, SizedEvent, type SizingResult, sizeEvent } from "../../delivery/EventSize.js"
import { EventTracker, type EventTrackerService } from "../../tracker/EventTracker.js"
import {
  type HttpBatchTrackerConfig,
  type ResolvedHttpBatchTrackerConfig,
  resolveHttpBatchTrackerConfig
} from "./HttpBatchTrackerConfig.js"
import { InvalidTrackerConfigError } from "../../tracker/InvalidTrackerConfigError.js"
import {
  type Deliver,
  type DeliveryCounters,
  type HttpDeliveryFailure,
  type InFlightBatch,
  makeHttpDelivery
} from "./HttpDelivery.js"
import type { JobEvent } from "../../event/JobEvent.js"
import {
  type HttpBatchTrackerOutboxOption,
  OutboxStorage,
  type OutboxStats,
  outboxConfigIssues,
  resolveOutboxConfig,
  TrackerOutbox
} from "../../delivery/Outbox.js"
import { boundedFlush, makeSerialFlush } from "../../delivery/SerialFlush.js"
import { outboxKeepingStorage } from "../../delivery/TransactionalOutbox.js"

export type { HttpDeliveryFailure } from "./HttpDelivery.js"

/**
 * Events given up on, by reason.
 *
 * @category Trackers
 */
export interface HttpBatchTrackerDropped {
  /** Emitted while `maxBufferSize` events were already held. */
  readonly overflow: number
  /** Answered by a 4xx other than 408, 413 and 429 (or another non-retryable status). */
  readonly rejected: number
  /**
   * Larger than `maxEventBytes` once its strings were cut (counted at `emit`), answered 413
   * when sent alone, or whose request body could not be built when sent alone.
   */
  readonly tooLarge: number
  /** Not a JSON object, or not serialisable (cycles, BigInt, throwing `toJSON`); counted at `emit`. */
  readonly unserializable: number
}

/**
 * Counters since the tracker was created; a snapshot.
 *
 * @category Trackers
 */
export interface HttpBatchTrackerStats {
  /** Events accepted into the buffer. */
  readonly emitted: number
  /** Accepted events whose strings were cut to fit `maxEventBytes`. */
  readonly truncated: number
  /** Events delivered (answered 2xx). */
  readonly sent: number
  /** Requests answered 2xx. */
  readonly batches: number
  /** Requests made, retries included. */
  readonly requests: number
  /** Requests that were retries of a batch within one flush. */
  readonly retried: number
  /** Events put back in the buffer after a flush could not deliver them. */
  readonly requeued: number
  /** Flush runs started (concurrent `flush()` calls share one). */
  readonly flushes: number
  /** `flush()` calls that returned without a request: a collector's `Retry-After` had not run out. */
  readonly deferred: number
  /** Epoch ms before which no flush sends (a collector's `Retry-After`); undefined when none. */
  readonly deferredUntil: number | undefined
  /** Events held now, buffered or in flight. */
  readonly pending: number
  readonly dropped: HttpBatchTrackerDropped
  readonly lastFailure: HttpDeliveryFailure | undefined
  /** The durable outbox's counters; absent without the `outbox` option. */
  readonly outbox?: OutboxStats
}

/** An {@link EventTrackerService} that POSTs batches over HTTP, with delivery counters. */
export interface HttpBatchTracker<E = JobEvent> extends EventTrackerService<E> {
  stats(): Effect.Effect<HttpBatchTrackerStats>
}

/** A tracker, and how its layer puts the events an earlier instance saved in front of its buffer. */
interface TrackerParts<E> {
  readonly tracker: HttpBatchTracker<E>
  readonly restoreSaved: Effect.Effect<void>
}

interface TrackerCounters extends DeliveryCounters {
  emitted: number
  truncated: number
  requeued: number
  flushes: number
  readonly dropped: { overflow: number; rejected: number; tooLarge: number; unserializable: number }
}

/**
 * The tracker's events: buffered (in `ring`) or in flight (`inFlight`, one batch at a time),
 * never more than `maxBufferSize` of them together. `emit` sizes each event as it comes.
 */
class EventBuffer {
  readonly ring: EventRing<SizedEvent>
  inFlight: InFlightBatch | undefined
  // One batch's bytes is the most serialising one event may work through (see EventSize.ts).
  private readonly sizeLimits: EventSizeLimits

  constructor(
    private readonly cfg: ResolvedHttpBatchTrackerConfig,
    private readonly counters: TrackerCounters,
    private readonly outbox: TrackerOutbox | undefined
  ) {
    this.ring = new EventRing<SizedEvent>(cfg.maxBufferSize)
    this.sizeLimits = {
      env: cfg.env,
      serviceKey: cfg.serviceKey,
      maxEventBytes: cfg.maxEventBytes,
      workBytes: cfg.maxBatchBytes
    }
  }

  held(): number {
    const batch = this.inFlight
    return this.ring.size + (batch ? batch.events.length - batch.settled : 0)
  }

  /** The event sized for sending, or undefined after counting why it cannot be sent. */
  size(event: unknown): SizedEvent | undefined {
    const result: SizingResult = sizeEvent(event, this.sizeLimits)
    if (result instanceof SizedEvent) return result
    this.counters.dropped[result]++
    return undefined
  }

  accept(event: unknown): void {
    // The oldest events are kept: a full buffer refuses the newest one (before any work on it).
    // The bound counts the batch in flight, so putting an undelivered batch back can never exceed it.
    if (this.held() >= this.cfg.maxBufferSize) {
      this.counters.dropped.overflow++
      return
    }
    const ready = this.size(event)
    if (ready === undefined) return
    if (!this.ring.pushBack(ready)) {
      this.counters.dropped.overflow++
      return
    }
    this.counters.emitted++
    if (ready.truncated) this.counters.truncated++
    this.outbox?.accepted(ready)
  }

  /** Moves up to one batch of the first `budget.remaining` buffered events in flight. */
  takeBatch(budget: { remaining: number }): InFlightBatch | undefined {
    const events: Array<SizedEvent> = []
    let bytes = 0
    while (budget.remaining > 0 && events.length < this.cfg.batchSize && this.ring.size > 0) {
      // Every event fits a batch on its own (maxEventBytes leaves room for the envelope).
      const withEvent = bodyBytesWith(events.length, bytes, this.ring.peek()!.bytes)
      if (withEvent > this.cfg.maxBatchBytes && events.length > 0) break
      events.push(this.ring.shift()!)
      budget.remaining--
      bytes = withEvent
    }
    this.inFlight = events.length === 0 ? undefined : { events, settled: 0 }
    return this.inFlight
  }

  /** The batch in flight was delivered. */
  delivered(): void {
    this.outbox?.settled(this.inFlight?.events ?? [])
    this.inFlight = undefined
  }

  /** Puts the unsettled rest of the batch in flight back in front; false when none was in flight. */
  requeueInFlight(): boolean {
    const batch = this.inFlight
    this.inFlight = undefined
    if (batch === undefined) return false
    this.outbox?.settled(batch.events.slice(0, batch.settled))
    const rest = batch.events.slice(batch.settled)
    const kept = this.ring.unshiftAll(rest)
    this.counters.requeued += kept
    this.counters.dropped.overflow += rest.length - kept
    return true
  }
}

/**
 * Flush coordination: one flush at a time, shared by concurrent callers (see SerialFlush.ts),
 * bounded by `flushTimeoutMs`, sending batch after batch until one cannot be delivered; a
 * collector's long `Retry-After` defers flushes; and the outbox seams, where undelivered events
 * are saved, delivered ones deleted and saved ones restored.
 */
const makeFlush = (
  cfg: ResolvedHttpBatchTrackerConfig,
  buffer: EventBuffer,
  deliver: Deliver,
  deferral: DeliveryDeferral,
  counters: TrackerCounters,
  outbox: TrackerOutbox | undefined
) => {
  const ring = buffer.ring

  // Outbox seam: the saved events go in front of the buffer, once per tracker. The layer does
  // it when first built with a storage, before the call's own work can delete that storage (a
  // termination or a debounce purge); a flush does it if the layer could not.
  const restoreSaved: Effect.Effect<void> = Effect.suspend(() =>
    outbox?.wantsRestore === true
      ? Effect.zipWith(
          outbox.restore(ring.toArray(), cfg.maxBufferSize - buffer.held()),
          Clock.currentTimeMillis,
          (saved, now) => {
            const ready: Array<SizedEvent> = []
            for (const event of saved) {
              const one = buffer.size(event)
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
    const gaveUp = buffer.requeueInFlight() || deferral.until !== undefined
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
      const budget = { remaining: ring.size }
      while (budget.remaining > 0) {
        const batch = yield* Effect.sync(() => buffer.takeBatch(budget))
        // Nothing taken: the rest of the budget was dropped (too large, unserialisable).
        if (batch === undefined) break
        const result = yield* deliver(batch, 0, batch.events.length, deadline)
        if (result === "gaveUp") return
        buffer.delivered()
        // Outbox seam: delivered keys go now, not only as the flush ends.
        if (outbox !== undefined) yield* outbox.deleteSettled()
      }
    }).pipe(Effect.ensuring(endFlush))

  // Nothing buffered, nothing saved to restore: a jobs runtime flushes at the end of every
  // call, and calls that emit nothing should not pay for a fiber and a timer.
  const nothingToSend = (): boolean => ring.size === 0 && outbox?.wantsRestore !== true
  const serial = makeSerialFlush({ emitted: () => counters.emitted, idle: nothingToSend, run: runFlush })

  // Outbox seam: in mode "always", the events of a call are stored by its flush at the latest.
  const writeAccepted: Effect.Effect<void> = Effect.suspend(() =>
    outbox === undefined ? Effect.void : outbox.writeAccepted()
  )

  // Outbox seam: in mode "always", this call's events are stored before anything else. The
  // flush runs in a fiber of its own, for at most `flushTimeoutMs` (see `boundedFlush`).
  const sendNow: Effect.Effect<void> = boundedFlush(
    cfg.flushTimeoutMs,
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.zipRight(writeAccepted, serial.upTo(counters.emitted, now + cfg.flushTimeoutMs))
    )
  )

  // Outbox seam: a deferred flush saves the events emitted since the last save, so that they
  // outlive the object as those of a flush that gave up do; nothing when all are saved.
  const keepDeferred: Effect.Effect<void> = Effect.suspend(() => {
    if (outbox === undefined) return Effect.void
    const held = ring.toArray()
    return outbox.holdsUnsaved(held) ? outbox.finishFlush(true, held, deferral.until) : Effect.void
  })

  // A deferred flush returns at once too, before any fiber or timer: every call of a jobs
  // runtime flushes, and none should wait on (or send to) a collector that asked for a pause.
  const flush = (): Effect.Effect<void> =>
    Effect.suspend(() =>
      !serial.running() && nothingToSend()
        ? Effect.void
        : Effect.flatMap(Clock.currentTimeMillis, (now) =>
            deferral.defers(now) ? Effect.zipRight(writeAccepted, keepDeferred) : sendNow
          )
    )

  return { flush, restoreSaved }
}

const makeTracker = <E>(cfg: ResolvedHttpBatchTrackerConfig, outbox?: TrackerOutbox): TrackerParts<E> => {
  const counters: TrackerCounters = {
    emitted: 0,
    truncated: 0,
    sent: 0,
    batches: 0,
    requests: 0,
    retried: 0,
    requeued: 0,
    flushes: 0,
    dropped: { overflow: 0, rejected: 0, tooLarge: 0, unserializable: 0 },
    lastFailure: undefined
  }
  const buffer = new EventBuffer(cfg, counters, outbox)
  const deferral = new DeliveryDeferral()
  const { flush, restoreSaved } = makeFlush(
    cfg,
    buffer,
    makeHttpDelivery(cfg, counters, deferral),
    deferral,
    counters,
    outbox
  )
  const tracker: HttpBatchTracker<E> = {
    emit: (event) => Effect.sync(() => buffer.accept(event)),
    flush,
    pending: () => Effect.sync(() => buffer.held()),
    stats: () =>
      Effect.sync(() => ({
        emitted: counters.emitted,
        truncated: counters.truncated,
        sent: counters.sent,
        batches: counters.batches,
        requests: counters.requests,
        retried: counters.retried,
        requeued: counters.requeued,
        flushes: counters.flushes,
        deferred: deferral.deferred,
        deferredUntil: deferral.until,
        pending: buffer.held(),
        dropped: { ...counters.dropped },
        lastFailure: counters.lastFailure,
        ...(outbox === undefined ? {} : { outbox: outbox.stats() })
      }))
  }
  return { tracker, restoreSaved }
}

/**
 * An HTTP batch tracker. `emit` only buffers (O(1), never fails); `flush` delivers. The
 * buffer lives in the returned object, so one tracker can serve many layer builds:
 * `Layer.succeed(EventTracker, createHttpBatchTracker(config))`.
 * Throws {@link InvalidTrackerConfigError} for a configuration that cannot work.
 */
export const createHttpBatchTracker = <E = JobEvent>(
  config: HttpBatchTrackerConfig & HttpBatchTrackerOutboxOption
): HttpBatchTracker<E> => makeTrackerWithOutbox<E>(config).parts.tracker

const makeTrackerWithOutbox = <E>(
  config: HttpBatchTrackerConfig & HttpBatchTrackerOutboxOption
): { readonly parts: TrackerParts<E>; readonly outbox: TrackerOutbox | undefined } => {
  const outboxIssues = typeof config === "object" && config !== null ? outboxConfigIssues(config.outbox) : []
  let resolved: ResolvedHttpBatchTrackerConfig
  try {
    resolved = resolveHttpBatchTrackerConfig(config)
  } catch (error) {
    if (error instanceof InvalidTrackerConfigError && outboxIssues.length > 0) {
      throw new InvalidTrackerConfigError({ issues: [...error.issues, ...outboxIssues] })
    }
    throw error
  }
  if (outboxIssues.length > 0) throw new InvalidTrackerConfigError({ issues: outboxIssues })
  const outbox = config.outbox === undefined ? undefined : new TrackerOutbox(resolveOutboxConfig(config.outbox))
  return { parts: makeTracker<E>(resolved, outbox), outbox }
}

/**
 * One HTTP batch tracker shared by every build of the returned layer (see
 * `resolveTrackerLayer`). With the `outbox` option each build also hands the tracker the
 * `StorageAdapter` it finds (by key) in the context it is built in, so provide the jobs core
 * layer to it: `sharedHttpBatchTrackerLayer(config).pipe(Layer.provideMerge(coreLayer))`.
 * Throws {@link InvalidTrackerConfigError} for a configuration that cannot work.
 */
export const sharedHttpBatchTrackerLayer = (
  config: HttpBatchTrackerConfig & HttpBatchTrackerOutboxOption
): Layer.Layer<EventTracker> => {
  const { parts, outbox } = makeTrackerWithOutbox<unknown>(config)
  if (outbox === undefined) return Layer.succeed(EventTracker, parts.tracker)
  // The layer also provides the storage the jobs use, as the outbox needs it to be (see
  // TransactionalOutbox.ts); provided over the core layer, it replaces the core's adapter.
  return Layer.effectContext(
    Effect.flatMap(Effect.serviceOption(OutboxStorage), (storage) => {
      outbox.useStorage(storage)
      const context = Context.make(EventTracker, parts.tracker as EventTrackerService<unknown>)
      return Effect.as(
        parts.restoreSaved,
        Option.isNone(storage)
          ? context
          : Context.add(context, OutboxStorage, outboxKeepingStorage(storage.value, outbox))
      )
    })
  ) as Layer.Layer<EventTracker>
}

/**
 * A layer providing {@link EventTracker} with a fresh HTTP batch tracker per build: events
 * not flushed before the layer's scope ends are lost. To keep undelivered events across
 * builds (a jobs runtime rebuilds its layers per call), share one instance instead, with
 * `Layer.succeed(EventTracker, createHttpBatchTracker(config))`. The configuration is
 * checked here, when the layer is created (throws {@link InvalidTrackerConfigError}).
 */
export const HttpBatchTrackerLayer = (config: HttpBatchTrackerConfig): Layer.Layer<EventTracker> => {
  const resolved = resolveHttpBatchTrackerConfig(config)
  return Layer.sync(EventTracker, () => makeTracker<unknown>(resolved).tracker)
}
