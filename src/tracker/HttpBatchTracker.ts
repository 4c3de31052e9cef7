import { Clock, Context, Deferred, Effect, Exit, Fiber, FiberId, Layer, Option, Random } from "effect"
import { batchBody, bodyBytesWith } from "./BatchBody.js"
import { DeliveryDeferral } from "./DeliveryDeferral.js"
import { EventRing } from "./EventRing.js"
import { type EventSizeLimits, SizedEvent, type SizingResult, sizeEvent } from "./EventSize.js"
import { EventTracker, type EventTrackerService } from "./EventTracker.js"
import {
  type HttpBatchTrackerConfig,
  type HttpRequestInit,
  InvalidTrackerConfigError,
  type ResolvedHttpBatchTrackerConfig,
  resolveHttpBatchTrackerConfig
} from "./HttpBatchTrackerConfig.js"
import { backoffDelayMs, classifyStatus, retryAfterMs } from "./HttpRetryPolicy.js"
import type { JobEvent } from "./JobEvent.js"
import { logFrom } from "../internal/log.js"
import { safeCall, safeRun, safeSite } from "../internal/safe.js"
import {
  type HttpBatchTrackerOutboxOption,
  OutboxStorage,
  type OutboxStats,
  outboxConfigIssues,
  resolveOutboxConfig,
  TrackerOutbox
} from "./Outbox.js"
import { outboxKeepingStorage } from "./TransactionalOutbox.js"

/** Why the last delivery attempt that did not succeed failed. Never carries a message or header. */
export type HttpDeliveryFailure =
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "network" }
  | { readonly kind: "timeout" }
  /** The request body could not be built (a batch too large for a string). */
  | { readonly kind: "encoding" }

/** Events given up on, by reason. */
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

/** Counters since the tracker was created; a snapshot. */
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

type AttemptOutcome =
  | { readonly _tag: "Answered"; readonly status: number; readonly retryAfter: string | null }
  | { readonly _tag: "Network" }
  | { readonly _tag: "Timeout" }
  | { readonly _tag: "Unencodable" }

/** Events taken out of the buffer for one request; `settled` leading ones are dealt with. */
interface InFlightBatch {
  readonly events: ReadonlyArray<SizedEvent>
  settled: number
}

type DeliveryResult = "settled" | "gaveUp"

// Only where the events go, never the query string or credentials it may carry.
const describeEndpoint = (endpoint: string): string => {
  try {
    const url = new URL(endpoint)
    return url.origin + url.pathname
  } catch {
    return "(invalid endpoint)"
  }
}

/** What the tracker reads of a fetch's response; whatever the fetch resolved to, unchecked. */
interface HttpResponseLike {
  readonly status: unknown
  readonly headers: { get(name: string): string | null }
  readonly body?: { cancel(): Promise<unknown> } | null
}

const logged = logFrom("tracker/HttpBatchTracker")
const fetchSite = safeSite("tracker/HttpBatchTracker", "fetch")
const retryAfterSite = safeSite("tracker/HttpBatchTracker", "response.headers.get")
const cancelSite = safeSite("tracker/HttpBatchTracker", "response.body.cancel")
const networkFailure = Effect.succeed({ _tag: "Network" } as const)
const ignore = (): undefined => undefined

const answered = (response: HttpResponseLike): AttemptOutcome => {
  const status = response.status
  if (typeof status !== "number") throw new TypeError("fetch resolved to something that is not a response")
  const retryAfter = safeCall(retryAfterSite, () => response.headers.get("retry-after"), null)
  // The body is never needed: cancel it so the connection is released (a body that cannot
  // even be cancelled is the runtime's to collect).
  safeCall(cancelSite, () => void response.body?.cancel().catch(ignore), undefined)
  return { _tag: "Answered", status, retryAfter }
}

/** A tracker, and how its layer puts the events an earlier instance saved in front of its buffer. */
interface TrackerParts<E> {
  readonly tracker: HttpBatchTracker<E>
  readonly restoreSaved: Effect.Effect<void>
}

const makeTracker = <E>(cfg: ResolvedHttpBatchTrackerConfig, outbox?: TrackerOutbox): TrackerParts<E> => {
  const ring = new EventRing<SizedEvent>(cfg.maxBufferSize)
  const logEndpoint = describeEndpoint(cfg.endpoint)
  const requestHeaders: Record<string, string> = { "content-type": "application/json" }
  for (const [name, value] of Object.entries(cfg.headers)) {
    if (name.toLowerCase() !== "content-type") requestHeaders[name] = value
  }

  const counters = {
    emitted: 0,
    truncated: 0,
    sent: 0,
    batches: 0,
    requests: 0,
    retried: 0,
    requeued: 0,
    flushes: 0,
    dropped: { overflow: 0, rejected: 0, tooLarge: 0, unserializable: 0 },
    lastFailure: undefined as HttpDeliveryFailure | undefined
  }

  const deferral = new DeliveryDeferral()
  let inFlight: InFlightBatch | undefined
  const heldCount = (): number => ring.size + (inFlight ? inFlight.events.length - inFlight.settled : 0)

  // The flush in progress and how many accepted events it covers (see `flushUpTo`).
  let current: { readonly covers: number; readonly done: Deferred.Deferred<void> } | undefined

  // Nothing buffered, nothing in flight, nothing saved to restore: a jobs runtime flushes at the
  // end of every call, and calls that emit nothing should not pay for a fiber and a timer.
  const idle = (): boolean => current === undefined && ring.size === 0 && outbox?.wantsRestore !== true

  // One batch's bytes is the most serialising one event may work through (see EventSize.ts).
  const sizeLimits: EventSizeLimits = {
    env: cfg.env,
    serviceKey: cfg.serviceKey,
    maxEventBytes: cfg.maxEventBytes,
    workBytes: cfg.maxBatchBytes
  }

  /** The sized event, or undefined after counting why it cannot be sent. */
  const sized = (result: SizingResult): SizedEvent | undefined => {
    if (result instanceof SizedEvent) return result
    counters.dropped[result]++
    return undefined
  }

  const emit = (event: E): Effect.Effect<void> =>
    Effect.sync(() => {
      // The oldest events are kept: a full buffer refuses the newest one (before any work on it).
      // The bound counts the batch in flight, so putting an undelivered batch back can never exceed it.
      if (heldCount() >= cfg.maxBufferSize) {
        counters.dropped.overflow++
        return
      }
      const ready = sized(sizeEvent(event, sizeLimits))
      if (ready === undefined) return
      if (!ring.pushBack(ready)) {
        counters.dropped.overflow++
        return
      }
      counters.emitted++
      if (ready.truncated) counters.truncated++
      outbox?.accepted(ready)
    })

  /** Moves up to one batch of the first `budget.remaining` buffered events in flight. */
  const takeBatch = (budget: { remaining: number }): InFlightBatch | undefined => {
    const events: Array<SizedEvent> = []
    let bytes = 0
    while (budget.remaining > 0 && events.length < cfg.batchSize && ring.size > 0) {
      // Every event fits a batch on its own (maxEventBytes leaves room for the envelope).
      const withEvent = bodyBytesWith(events.length, bytes, ring.peek()!.bytes)
      if (withEvent > cfg.maxBatchBytes && events.length > 0) break
      events.push(ring.shift()!)
      budget.remaining--
      bytes = withEvent
    }
    return events.length === 0 ? undefined : { events, settled: 0 }
  }

  const requeueInFlight = (): boolean => {
    const batch = inFlight
    inFlight = undefined
    if (batch === undefined) return false
    outbox?.settled(batch.events.slice(0, batch.settled))
    const rest = batch.events.slice(batch.settled)
    const kept = ring.unshiftAll(rest)
    counters.requeued += kept
    counters.dropped.overflow += rest.length - kept
    return true
  }

  // Outbox seam: a flush that gave up (or was deferred) saves what it could not deliver; any
  // flush deletes the saved events it delivered. Runs as the flush ends, also when its timeout
  // interrupts it. A deferral still set after a run was set or honoured by it.
  const endFlush = (): Effect.Effect<void> =>
    Effect.suspend(() => {
      const gaveUp = requeueInFlight() || deferral.until !== undefined
      return outbox === undefined ? Effect.void : outbox.finishFlush(gaveUp, gaveUp ? ring.toArray() : [], deferral.until)
    })

  const callFetch = (body: string, signal: AbortSignal): Promise<HttpResponseLike> => {
    const init: HttpRequestInit = { method: "POST", headers: { ...requestHeaders }, body, signal }
    const userFetch = cfg.fetch
    // Called unbound: the Workers runtime rejects a `fetch` invoked with a foreign `this`.
    return Promise.resolve(userFetch !== undefined ? userFetch(cfg.endpoint, init) : globalThis.fetch(cfg.endpoint, init))
  }

  const attempt = (events: ReadonlyArray<SizedEvent>): Effect.Effect<AttemptOutcome> =>
    Effect.suspend(() => {
      let body: string
      try {
        body = batchBody(events)
      } catch {
        // No request can carry it (a string too long for the engine): split, never swallowed.
        return Effect.succeed({ _tag: "Unencodable" } as const)
      }
      counters.requests++
      // Whatever the fetch does (rejects, throws, resolves to something that is not a
      // response), the request counts as a network failure.
      return safeRun(fetchSite, Effect.map(Effect.tryPromise((signal) => callFetch(body, signal)), answered), networkFailure)
    }).pipe(
      Effect.timeoutFail({ duration: cfg.timeoutMs, onTimeout: () => ({ _tag: "Timeout" }) as const }),
      Effect.merge
    )

  const logFailure = (failure: HttpDeliveryFailure, events: number, attemptNumber: number, willRetry: boolean) =>
    Effect.logDebug("batch not delivered").pipe(
      logged,
      Effect.annotateLogs({
        endpoint: logEndpoint,
        failure: failure.kind === "status" ? `status ${failure.status}` : failure.kind,
        events,
        attempt: attemptNumber,
        willRetry
      })
    )

  const settle = (batch: InFlightBatch, upTo: number): void => {
    batch.settled = Math.max(batch.settled, upTo)
  }

  /** Delivers `batch.events[from, to)`, retrying and splitting; they are settled unless it gives up. */
  const deliver = (batch: InFlightBatch, from: number, to: number, deadline: number): Effect.Effect<DeliveryResult> =>
    Effect.gen(function* () {
      const count = to - from
      for (let attemptNumber = 1; ; attemptNumber++) {
        if (attemptNumber > 1) counters.retried++
        const outcome = yield* attempt(batch.events.slice(from, to))
        let waitHint: string | null = null
        let failure: HttpDeliveryFailure
        if (outcome._tag === "Unencodable") {
          counters.lastFailure = { kind: "encoding" }
          if (count === 1) {
            counters.dropped.tooLarge++
            settle(batch, to)
            yield* logFailure(counters.lastFailure, count, attemptNumber, false)
            return "settled"
          }
          const middle = from + Math.floor(count / 2)
          const first = yield* deliver(batch, from, middle, deadline)
          return first === "gaveUp" ? first : yield* deliver(batch, middle, to, deadline)
        }
        if (outcome._tag === "Answered") {
          switch (classifyStatus(outcome.status)) {
            case "delivered":
              counters.sent += count
              counters.batches++
              settle(batch, to)
              return "settled"
            case "split": {
              if (count === 1) {
                counters.dropped.tooLarge++
                settle(batch, to)
                yield* logFailure({ kind: "status", status: outcome.status }, count, attemptNumber, false)
                return "settled"
              }
              const middle = from + Math.floor(count / 2)
              const first = yield* deliver(batch, from, middle, deadline)
              return first === "gaveUp" ? first : yield* deliver(batch, middle, to, deadline)
            }
            case "reject":
              counters.dropped.rejected += count
              counters.lastFailure = { kind: "status", status: outcome.status }
              settle(batch, to)
              yield* logFailure(counters.lastFailure, count, attemptNumber, false)
              return "settled"
            case "retry":
              failure = { kind: "status", status: outcome.status }
              waitHint = outcome.retryAfter
          }
        } else {
          failure = outcome._tag === "Timeout" ? { kind: "timeout" } : { kind: "network" }
        }
        counters.lastFailure = failure
        const now = yield* Clock.currentTimeMillis
        const asked = retryAfterMs(waitHint, now)
        const lastAttempt = attemptNumber >= cfg.retry.maxAttempts
        // The collector's wait is taken here only when this flush can afford it; otherwise the
        // flush stops now and no flush sends before it is over.
        if (asked !== undefined && asked > 0 && (lastAttempt || asked > cfg.retry.maxDelayMs || now + asked >= deadline)) {
          deferral.deferUntil(now + asked)
          yield* logFailure(failure, count, attemptNumber, false)
          return "gaveUp"
        }
        if (lastAttempt) {
          yield* logFailure(failure, count, attemptNumber, false)
          return "gaveUp"
        }
        const delay = asked ?? backoffDelayMs(attemptNumber, cfg.retry, yield* Random.next)
        // A wait that would outlast the flush only delays the give-up.
        const willRetry = now + delay < deadline
        yield* logFailure(failure, count, attemptNumber, willRetry)
        if (!willRetry) return "gaveUp"
        if (delay > 0) yield* Effect.sleep(delay)
      }
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
        const batch = yield* Effect.sync(() => (inFlight = takeBatch(budget)))
        // Nothing taken: the rest of the budget was dropped (too large, unserialisable).
        if (batch === undefined) break
        const result = yield* deliver(batch, 0, batch.events.length, deadline)
        if (result === "gaveUp") return
        outbox?.settled(batch.events)
        inFlight = undefined
        // Outbox seam: delivered keys go now, not only as the flush ends.
        if (outbox !== undefined) yield* outbox.deleteSettled()
      }
    }).pipe(Effect.ensuring(endFlush()))

  /**
   * Makes sure the first `target` accepted events have had a delivery attempt. A flush in
   * progress that covers them is joined; one that does not is awaited, then the next one
   * (itself shared) is run. So one request is in flight at a time, concurrent calls share
   * work, and an event emitted during a flush goes with the next one.
   */
  const flushUpTo = (target: number, deadline: number): Effect.Effect<void> =>
    Effect.suspend(() => {
      const running = current
      if (running !== undefined) {
        return Deferred.await(running.done).pipe(
          Effect.zipRight(running.covers >= target ? Effect.void : flushUpTo(target, deadline))
        )
      }
      if (idle()) return Effect.void
      const run = { covers: counters.emitted, done: Deferred.unsafeMake<void>(FiberId.none) }
      current = run
      return runFlush(deadline).pipe(
        Effect.ensuring(
          Effect.suspend(() => {
            if (current === run) current = undefined
            return Deferred.done(run.done, Exit.void)
          })
        )
      )
    })

  const boundedFlush: Effect.Effect<void> = Effect.suspend(() =>
    Clock.currentTimeMillis.pipe(
      // Outbox seam: in mode "always", this call's events are stored before anything else.
      Effect.flatMap((now) => Effect.zipRight(writeAccepted, flushUpTo(counters.emitted, now + cfg.flushTimeoutMs))),
      Effect.timeout(cfg.flushTimeoutMs),
      Effect.catchAllCause(() => Effect.void),
      // The timeouts work by interruption, and a caller may flush from an uninterruptible
      // region (a finalizer: `Effect.ensuring(flushEvents)`), where a hung request could then
      // never be cut off. So the flush runs in a fiber of its own that is always
      // interruptible, and the caller waits for it: at most `flushTimeoutMs`.
      Effect.interruptible,
      Effect.forkDaemon,
      Effect.flatMap(Fiber.join)
    )
  )

  // Outbox seam: in mode "always", the events of a call are stored by its flush at the latest.
  const writeAccepted: Effect.Effect<void> = Effect.suspend(() => (outbox === undefined ? Effect.void : outbox.writeAccepted()))

  // A deferred flush returns at once too, before any fiber or timer: every call of a jobs
  // runtime flushes, and none should wait on (or send to) a collector that asked for a pause.
  const flush = (): Effect.Effect<void> =>
    Effect.suspend(() =>
      idle() ? Effect.void : Effect.flatMap(Clock.currentTimeMillis, (now) => (deferral.defers(now) ? Effect.zipRight(writeAccepted, keepDeferred) : boundedFlush))
    )

  // Outbox seam: a deferred flush saves the events emitted since the last save, so that they
  // outlive the object as those of a flush that gave up do; nothing when all are saved.
  const keepDeferred: Effect.Effect<void> = Effect.suspend(() => {
    if (outbox === undefined) return Effect.void
    const held = ring.toArray()
    return outbox.holdsUnsaved(held) ? outbox.finishFlush(true, held, deferral.until) : Effect.void
  })

  // Outbox seam: the saved events go in front of the buffer, once per tracker. The layer does
  // it when first built with a storage, before the call's own work can delete that storage (a
  // termination or a debounce purge); a flush does it if the layer could not.
  const restoreSaved: Effect.Effect<void> = Effect.suspend(() =>
    outbox?.wantsRestore === true
      ? Effect.zipWith(outbox.restore(ring.toArray(), cfg.maxBufferSize - heldCount()), Clock.currentTimeMillis, (saved, now) => {
          const ready: Array<SizedEvent> = []
          for (const event of saved) {
            const one = sized(sizeEvent(event, sizeLimits))
            if (one === undefined) outbox.settled([event])
            else ready.push(one)
          }
          ring.unshiftAll(ready)
          deferral.restore(outbox.savedNotBefore, now)
        })
      : Effect.void
  )

  const tracker: HttpBatchTracker<E> = {
    emit,
    flush,
    pending: () => Effect.sync(heldCount),
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
        pending: heldCount(),
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
export const createHttpBatchTracker = <E = JobEvent>(config: HttpBatchTrackerConfig & HttpBatchTrackerOutboxOption): HttpBatchTracker<E> =>
  makeTrackerWithOutbox<E>(config).parts.tracker

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
        Option.isNone(storage) ? context : Context.add(context, OutboxStorage, outboxKeepingStorage(storage.value, outbox))
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
