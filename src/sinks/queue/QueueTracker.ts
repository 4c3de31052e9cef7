import { Effect, Layer } from "effect"
import { encodeEvent } from "../../delivery/BatchBody.js"
import { type BufferedSenderStats, makeBufferedSender } from "../../delivery/BufferedSender.js"
import { EventTracker, type EventTrackerService } from "../../tracker/EventTracker.js"
import { InvalidTrackerConfigError } from "../../tracker/InvalidTrackerConfigError.js"
import type { JobEvent, JobEventWire } from "../../event/JobEvent.js"

/**
 * The slice of a Cloudflare Queue producer binding (`Queue<Body>` in workers-types) the
 * tracker uses. Structural, so that the binding itself fits and a test double is a plain object.
 *
 * @category Trackers
 */
export interface QueueProducer<Body = JobEventWire> {
  send(body: Body, options?: { readonly contentType?: "json" }): Promise<unknown>
  sendBatch(messages: Iterable<{ readonly body: Body; readonly contentType?: "json" }>): Promise<unknown>
}

/**
 * Cloudflare Queues' documented limits on what one producer call may carry: 100 messages and
 * 256 KB per `sendBatch`, 128 KB per message, where a message's size includes about 100 bytes
 * of metadata (counted here for every message). Miniflare's queue broker declares the same
 * numbers (128 000, 100, 256 000), though Miniflare 4 as used in the tests does not refuse
 * larger sends.
 *
 * @category Trackers
 */
export const QueueLimits = {
  maxMessagesPerBatch: 100,
  maxBatchBytes: 256_000,
  maxMessageBytes: 128_000,
  messageOverheadBytes: 100
} as const

/**
 * The Queue tracker's options (docs/sinks.md lists each and its default).
 *
 * @category Trackers
 */
export interface QueueTrackerOptions {
  /** Deployment environment added to every event sent, e.g. "production". */
  readonly env: string
  /** Service identifier added to every event sent. */
  readonly serviceKey: string
  /** Most messages per send, at most 100 (Queues' limit). Default 100. */
  readonly batchSize?: number
  /** Most bytes per send (JSON of the events plus 100 per message), at most 256 000. Default 256 000. */
  readonly maxBatchBytes?: number
  /** Most events held undelivered; newer events beyond it are dropped. Default 10 000. */
  readonly maxBufferSize?: number
  /** Bound on one send; the send then counts as failed and is retried. Default 3000 ms. */
  readonly timeoutMs?: number
  /** Bound on one `flush()`, retries and waits included. Default 5000 ms. */
  readonly flushTimeoutMs?: number
  readonly retry?: {
    /** Sends per batch within one flush, the first included. Default 3. */
    readonly maxAttempts?: number
    /** Backoff before the first retry; doubles per retry, with jitter. Default 200 ms. */
    readonly initialDelayMs?: number
    /** Cap on any one wait. Default 2000 ms. */
    readonly maxDelayMs?: number
  }
}

/**
 * The Queue tracker's defaults, for the options left out.
 *
 * @category Trackers
 */
export const QueueTrackerDefaults = {
  batchSize: QueueLimits.maxMessagesPerBatch,
  maxBatchBytes: QueueLimits.maxBatchBytes,
  maxBufferSize: 10_000,
  timeoutMs: 3_000,
  flushTimeoutMs: 5_000,
  retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 2_000 }
} as const

/**
 * Counters since the tracker was created (see {@link BufferedSenderStats}).
 *
 * @category Trackers
 */
export type QueueTrackerStats = BufferedSenderStats

/**
 * An {@link EventTrackerService} that sends each event as one JSON message to a Queue.
 *
 * @category Trackers
 */
export interface QueueTracker<E = JobEvent> extends EventTrackerService<E> {
  stats(): Effect.Effect<QueueTrackerStats>
}

const resolveOptions = (options: QueueTrackerOptions) => {
  const issues: Array<string> = []
  if (typeof options !== "object" || options === null) {
    throw new InvalidTrackerConfigError({ tracker: "Queue", issues: ["the options must be an object"] })
  }
  for (const field of ["env", "serviceKey"] as const) {
    const value: unknown = options[field]
    if (typeof value !== "string" || value.trim() === "") issues.push(`${field} must be a non-empty string`)
  }
  const number = (field: string, value: unknown, fallback: number, rule: { int: boolean; max?: number }): number => {
    if (value === undefined) return fallback
    const ok =
      typeof value === "number" &&
      (rule.int ? Number.isSafeInteger(value) && value > 0 : Number.isFinite(value) && value >= 0) &&
      (rule.max === undefined || value <= rule.max)
    if (!ok) {
      const kind = rule.int ? "a positive integer" : "a non-negative number"
      issues.push(`${field} must be ${kind}${rule.max === undefined ? "" : ` of at most ${rule.max}`}`)
    }
    return value as number
  }
  const d = QueueTrackerDefaults
  const r = options.retry ?? {}
  const resolved = {
    env: options.env,
    serviceKey: options.serviceKey,
    batchSize: number("batchSize", options.batchSize, d.batchSize, { int: true, max: QueueLimits.maxMessagesPerBatch }),
    maxBatchBytes: number("maxBatchBytes", options.maxBatchBytes, d.maxBatchBytes, {
      int: true,
      max: QueueLimits.maxBatchBytes
    }),
    maxBufferSize: number("maxBufferSize", options.maxBufferSize, d.maxBufferSize, { int: true }),
    timeoutMs: number("timeoutMs", options.timeoutMs, d.timeoutMs, { int: true }),
    flushTimeoutMs: number("flushTimeoutMs", options.flushTimeoutMs, d.flushTimeoutMs, { int: true }),
    retry: {
      maxAttempts: number("retry.maxAttempts", r.maxAttempts, d.retry.maxAttempts, { int: true }),
      initialDelayMs: number("retry.initialDelayMs", r.initialDelayMs, d.retry.initialDelayMs, { int: false }),
      maxDelayMs: number("retry.maxDelayMs", r.maxDelayMs, d.retry.maxDelayMs, { int: false })
    }
  }
  if (issues.length > 0) throw new InvalidTrackerConfigError({ tracker: "Queue", issues })
  return resolved
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
const make = <E = JobEvent>(queue: QueueProducer<any>, options: QueueTrackerOptions): QueueTracker<E> => {
  const cfg = resolveOptions(options)
  if (!isQueueProducer(queue)) {
    throw new InvalidTrackerConfigError({
      tracker: "Queue",
      issues: ["queue must be a Queue binding (send, sendBatch)"]
    })
  }
  const enrichment = { env: cfg.env, serviceKey: cfg.serviceKey }
  const sender = makeBufferedSender<JobEventWire>({
    ...cfg,
    maxItemBytes: QueueLimits.maxMessageBytes,
    itemOverheadBytes: QueueLimits.messageOverheadBytes,
    module: "tracker/QueueTracker",
    encode: (event) => {
      const encoded = encodeEvent(event, enrichment)
      // Parsed back from its JSON, the body is exactly what was measured: plain data, no
      // getters or toJSON left for the runtime's serialiser to run again.
      return encoded === undefined
        ? undefined
        : { item: JSON.parse(encoded.json) as JobEventWire, bytes: encoded.bytes }
    },
    send: (bodies) =>
      bodies.length === 1
        ? queue.send(bodies[0], { contentType: "json" })
        : queue.sendBatch(bodies.map((body) => ({ body, contentType: "json" as const })))
  })
  return { emit: sender.emit, flush: sender.flush, pending: sender.pending, stats: sender.stats }
}

/** One Queue tracker shared by every build of the layer. See {@link QueueTracker.make}. */
const layer = (queue: QueueProducer<any>, options: QueueTrackerOptions): Layer.Layer<EventTracker> =>
  Layer.succeed(EventTracker, make<unknown>(queue, options))

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
