/**
 * The HTTP batch tracker: the delivery engine (src/delivery/DeliveryEngine.ts) over the HTTP
 * sink (HttpSink.ts), its configuration checked, with an optional durable outbox. The outbox's
 * code comes with the `outbox` option (DurableOutbox.ts): nothing here imports it.
 */

import { Context, Effect, Layer } from "effect"
import { makeDeliveryEngine } from "../../delivery/DeliveryEngine.js"
import type { DurableOutboxParts, HttpBatchTrackerOutboxOption } from "../../delivery/DurableOutbox.js"
import type { OutboxStats, TrackerOutbox } from "../../delivery/Outbox.js"
import { type AnyVocabulary, gateEmit, type VocabularyGate } from "../../delivery/EmitGate.js"
import type { EventOf, EventShape } from "../../event/Vocabulary.js"
import { EventTracker, type EventTrackerService } from "../../tracker/EventTracker.js"
import {
  type HttpBatchTrackerConfig,
  type ResolvedHttpBatchTrackerConfig,
  resolveHttpBatchTrackerConfig
} from "./HttpBatchTrackerConfig.js"
import { type HttpDeliveryFailure, makeHttpSink } from "./HttpSink.js"

export type { HttpDeliveryFailure } from "./HttpSink.js"

type Config = HttpBatchTrackerConfig & HttpBatchTrackerOutboxOption

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
  /**
   * Not an event this tracker carries, counted at `emit` (never buffered, never sent): of none
   * of the `vocabularies` it was told about, or, told none, not an object with a string `type`.
   */
  readonly unknownVocabulary: number
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
  /** `flush()` calls that left events waiting for later ones (`lingerMs`), without a request. */
  readonly lingered: number
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

/**
 * An `EventTrackerService` that POSTs batches over HTTP, with delivery counters.
 *
 * @category Trackers
 */
export interface HttpBatchTracker<E = EventShape> extends EventTrackerService<E> {
  stats(): Effect.Effect<HttpBatchTrackerStats>
}

/**
 * A tracker, how its layer puts the events an earlier instance saved in front of its buffer,
 * and, with an outbox, the storage its layer provides to the jobs (see DurableOutbox.ts).
 */
interface TrackerParts<E> {
  readonly tracker: HttpBatchTracker<E>
  readonly restoreSaved: Effect.Effect<void>
  readonly storage?: Effect.Effect<Context.Context<never>>
}

const makeParts = <E>(cfg: ResolvedHttpBatchTrackerConfig, outbox?: TrackerOutbox): TrackerParts<E> => {
  const sink = makeHttpSink(cfg)
  const engine = makeDeliveryEngine(sink, cfg, outbox)
  // Events it does not carry are refused before the engine sees them.
  const gated = gateEmit(cfg.vocabularies, engine.emit, sink.module, sink.logAnnotations)
  const tracker: HttpBatchTracker<E> = {
    emit: gated.emit,
    flush: engine.flush,
    pending: () => Effect.sync(engine.pending),
    stats: () =>
      Effect.sync(() => {
        const stats = engine.stats()
        return {
          ...stats,
          dropped: { ...stats.dropped, unknownVocabulary: gated.refused() },
          ...(outbox === undefined ? {} : { outbox: outbox.stats() })
        }
      })
  }
  return { tracker, restoreSaved: engine.restoreSaved }
}

const isDurableOutbox = (option: unknown): option is DurableOutboxParts =>
  typeof option === "object" &&
  option !== null &&
  (option as Partial<DurableOutboxParts>)._tag === "DurableOutbox" &&
  typeof (option as Partial<DurableOutboxParts>).makeOutbox === "function"

/** Problems with an `outbox` value: those of its configuration, or that it is not a durable outbox. */
const outboxIssues = (option: unknown): ReadonlyArray<string> => {
  if (option === undefined) return []
  if (isDurableOutbox(option)) return option.issues
  // The form before issue 25 (a plain configuration) would carry no outbox code: refused, not ignored.
  return ["outbox must be durableOutbox(config), not the configuration itself"]
}

/** Checks the configuration, the outbox's included (all issues in one error), and builds the parts. */
const makeWithOutbox = <E>(config: Config): TrackerParts<E> => {
  const option: unknown = typeof config === "object" && config !== null ? config.outbox : undefined
  const resolved = resolveHttpBatchTrackerConfig(config, outboxIssues(option))
  if (!isDurableOutbox(option)) return makeParts<E>(resolved)
  const outbox = option.makeOutbox()
  return { ...makeParts<E>(resolved, outbox), storage: option.storageFor(outbox) }
}

/**
 * `make`'s signatures: told `vocabularies`, the tracker is typed by their events; else by `E`
 * (default: any event with a `type`).
 */
interface MakeHttpBatchTracker {
  <V extends AnyVocabulary>(config: Config & { readonly vocabularies: VocabularyGate<V> }): HttpBatchTracker<EventOf<V>>
  <E = EventShape>(config: Config): HttpBatchTracker<E>
}

const make: MakeHttpBatchTracker = <E>(config: Config): HttpBatchTracker<E> => makeWithOutbox<E>(config).tracker

const layer = (config: Config): Layer.Layer<EventTracker> => {
  const { tracker, restoreSaved, storage } = makeWithOutbox<unknown>(config)
  if (storage === undefined) return Layer.succeed(EventTracker, tracker)
  // The layer also provides the storage the jobs use, as the outbox needs it to be (see
  // TransactionalOutbox.ts); provided over the core layer, it replaces the core's adapter.
  return Layer.effectContext(
    Effect.map(Effect.zipLeft(storage, restoreSaved), (jobsStorage) =>
      Context.add(jobsStorage, EventTracker, tracker as EventTrackerService<unknown>)
    )
  ) as Layer.Layer<EventTracker>
}

// Checked here, when the layer is created; each build makes its own tracker.
const layerPerBuild = (config: HttpBatchTrackerConfig): Layer.Layer<EventTracker> => {
  const resolved = resolveHttpBatchTrackerConfig(config)
  return Layer.sync(EventTracker, () => makeParts<unknown>(resolved).tracker)
}

/**
 * The production tracker: batched, bounded, retried delivery over HTTP, with an optional durable
 * `outbox` in the Durable Object's storage. `emit` only buffers (never fails); `flush` delivers.
 *
 * - `make(config)`: one tracker (its buffer lives in the returned object).
 * - `layer(config)`: a layer sharing one tracker across all its builds, as a jobs runtime that
 *   rebuilds its layers per call needs; with `outbox`, provide the jobs core layer to it.
 * - `layerPerBuild(config)`: a fresh tracker per build; events not flushed before the build's
 *   scope ends are lost.
 *
 * Each throws `InvalidTrackerConfigError` for a configuration that cannot work.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { emitEvent, flushEvents, HttpBatchTracker, makeJobEvent } from "durable-effect-tracking"
 *
 * const tracker = HttpBatchTracker.layer({ endpoint: "https://collector.example.com/events", env: "production", serviceKey: "orders" })
 * const program = Effect.gen(function* () {
 *   yield* emitEvent(makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "orders" }))
 *   yield* flushEvents
 * })
 * export const run = () => Effect.runPromise(program.pipe(Effect.provide(tracker)))
 * ```
 *
 * @category Trackers
 */
export const HttpBatchTracker = { make, layer, layerPerBuild } as const
