/**
 * The Queue tracker: the delivery engine (src/delivery/DeliveryEngine.ts) over the Queue sink
 * (QueueSink.ts).
 */

import { Effect, Layer } from "effect"
import { makeDeliveryEngine } from "../../delivery/DeliveryEngine.js"
import { type AnyVocabulary, gateEmit, type VocabularyGate } from "../../delivery/EmitGate.js"
import type { EventOf, EventShape } from "../../event/Vocabulary.js"
import { EventTracker, type EventTrackerService } from "../../tracker/EventTracker.js"
import { InvalidTrackerConfigError } from "../../tracker/InvalidTrackerConfigError.js"
import { makeQueueSink, type QueueProducer, type SendFailure } from "./QueueSink.js"
import { type QueueTrackerOptions, resolveQueueTrackerOptions } from "./QueueTrackerOptions.js"

/**
 * Counters since the tracker was created; a snapshot.
 *
 * @category Trackers
 */
export interface QueueTrackerStats {
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
  /** `flush()` calls that left events waiting for later ones (`lingerMs`), without a send. */
  readonly lingered: number
  /** Events held now, buffered or in flight. */
  readonly pending: number
  readonly dropped: {
    /** Emitted while `maxBufferSize` events were already held. */
    readonly overflow: number
    /** Larger than the sink takes in one item. */
    readonly tooLarge: number
    /** Not a JSON object, or not serialisable. */
    readonly unserializable: number
    /**
     * Not an event this tracker carries, counted at `emit` (never buffered, never sent): of none
     * of the `vocabularies` it was told about, or, told none, not an object with a string `type`.
     */
    readonly unknownVocabulary: number
  }
  readonly lastFailure: SendFailure | undefined
}

/**
 * An {@link EventTrackerService} that sends each event as one JSON message to a Queue.
 *
 * @category Trackers
 */
export interface QueueTracker<E = EventShape> extends EventTrackerService<E> {
  stats(): Effect.Effect<QueueTrackerStats>
}

const isQueueProducer = (queue: unknown): queue is QueueProducer<unknown> =>
  typeof queue === "object" &&
  queue !== null &&
  typeof (queue as Partial<QueueProducer<unknown>>).send === "function" &&
  typeof (queue as Partial<QueueProducer<unknown>>).sendBatch === "function"

/**
 * A tracker that sends events to a Cloudflare Queue: each event one message, its body the
 * event as the HTTP tracker sends it (plus `env` and `serviceKey`), `contentType: "json"`.
 * `emit` only buffers; `flush` sends in batches within Queues' limits (one message with
 * `send`, more with `sendBatch`), retries a failed send with backoff while `flushTimeoutMs`
 * allows, and keeps what it could not send for the next flush. Delivery is at least once (a
 * send that timed out may still have landed): consumers deduplicate by `eventId`.
 *
 * The buffer lives in the returned object: create it once per isolate (or per Durable Object)
 * and share it across calls. Throws {@link InvalidTrackerConfigError} for options that cannot work.
 */
const makeTracker = <E>(queue: QueueProducer<any>, options: QueueTrackerOptions): QueueTracker<E> => {
  const cfg = resolveQueueTrackerOptions(options)
  if (!isQueueProducer(queue)) {
    throw new InvalidTrackerConfigError({
      tracker: "Queue",
      issues: ["queue must be a Queue binding (send, sendBatch)"]
    })
  }
  const sink = makeQueueSink(queue, { env: cfg.env, serviceKey: cfg.serviceKey })
  const engine = makeDeliveryEngine(sink, cfg)
  // Events it does not carry are refused before the engine sees them.
  const gated = gateEmit(cfg.vocabularies, engine.emit, sink.module, sink.logAnnotations)
  return {
    emit: gated.emit,
    flush: engine.flush,
    pending: () => Effect.sync(engine.pending),
    stats: () =>
      Effect.sync(() => {
        const stats = engine.stats()
        const { overflow, tooLarge, unserializable } = stats.dropped
        return {
          emitted: stats.emitted,
          sent: stats.sent,
          batches: stats.batches,
          sends: stats.requests,
          retried: stats.retried,
          requeued: stats.requeued,
          flushes: stats.flushes,
          lingered: stats.lingered,
          pending: stats.pending,
          dropped: { overflow, tooLarge, unserializable, unknownVocabulary: gated.refused() },
          lastFailure: stats.lastFailure
        }
      })
  }
}

/**
 * `make`'s signatures: told `vocabularies`, the tracker is typed by their events; else by `E`
 * (default: any event with a `type`).
 */
interface MakeQueueTracker {
  <V extends AnyVocabulary>(
    queue: QueueProducer<any>,
    options: QueueTrackerOptions & { readonly vocabularies: VocabularyGate<V> }
  ): QueueTracker<EventOf<V>>
  <E = EventShape>(queue: QueueProducer<any>, options: QueueTrackerOptions): QueueTracker<E>
}

const make: MakeQueueTracker = makeTracker

/** One Queue tracker shared by every build of the layer. See {@link QueueTracker.make}. */
const layer = (queue: QueueProducer<any>, options: QueueTrackerOptions): Layer.Layer<EventTracker> =>
  Layer.succeed(EventTracker, makeTracker<unknown>(queue, options))

/**
 * Cloudflare Queues tracker: `QueueTracker.make(env.EVENTS, options)` or `QueueTracker.layer(...)`.
 * Each event goes as one JSON message; a consumer Worker forwards them to your store.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { emitEvent, flushEvents, makeJobEvent, QueueTracker, type QueueProducer } from "durable-effect-tracking"
 *
 * interface Env {
 *   readonly EVENTS: QueueProducer // in a Worker: the Queue binding from @cloudflare/workers-types
 * }
 *
 * // Once per isolate (or Durable Object), from the binding; `layer` shares it across builds.
 * export const trackerLayer = (env: Env) => QueueTracker.layer(env.EVENTS, { env: "production", serviceKey: "orders" })
 * export const emitOne = (env: Env) =>
 *   Effect.runPromise(
 *     emitEvent(makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "orders" })).pipe(
 *       Effect.zipRight(flushEvents),
 *       Effect.provide(trackerLayer(env))
 *     )
 *   )
 * ```
 */
export const QueueTracker = { make, layer } as const
