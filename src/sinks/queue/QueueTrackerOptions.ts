/**
 * The Queue tracker's options, their defaults, and how they are checked.
 */

import { checkLingerMs, checkNonEmptyString, checkNonNegative, checkPositiveInt } from "../../delivery/ConfigChecks.js"
import { largestEventAsSent } from "../../delivery/LargestEvent.js"
import { checkVocabularies, type TrackerVocabulariesOption } from "../../delivery/EmitGate.js"
import { InvalidTrackerConfigError } from "../../tracker/InvalidTrackerConfigError.js"
import { QueueLimits } from "./QueueSink.js"

/**
 * The Queue tracker's options (docs/sinks.md lists each and its default).
 *
 * @category Trackers
 */
export interface QueueTrackerOptions extends TrackerVocabulariesOption {
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
  /** Bound on one send, cut to what is left of `flushTimeoutMs`; the send then counts as failed and is retried. Default 3000 ms. */
  readonly timeoutMs?: number
  /** Bound on one `flush()`, retries and waits included. Default 5000 ms. */
  readonly flushTimeoutMs?: number
  /**
   * How long events may wait for later calls' events, to go in one send with them. A flush
   * that finds less than `batchSize` events buffered sends nothing until `lingerMs` after the
   * first flush that left events waiting; a timer then sends them, also when no call comes. At
   * most 60 000. Default 0: every flush sends. For a Durable Object only (see docs/http-tracker.md).
   */
  readonly lingerMs?: number
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
  lingerMs: 0,
  retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 2_000 }
} as const

/** Checks `options` and fills in defaults; throws {@link InvalidTrackerConfigError}. */
export const resolveQueueTrackerOptions = (options: QueueTrackerOptions) => {
  const issues: Array<string> = []
  if (typeof options !== "object" || options === null) {
    throw new InvalidTrackerConfigError({ tracker: "Queue", issues: ["the options must be an object"] })
  }
  checkNonEmptyString(issues, "env", options.env)
  checkNonEmptyString(issues, "serviceKey", options.serviceKey)
  const d = QueueTrackerDefaults
  const r = options.retry ?? {}
  const resolved = {
    env: options.env,
    serviceKey: options.serviceKey,
    batchSize: checkPositiveInt(issues, "batchSize", options.batchSize, d.batchSize, QueueLimits.maxMessagesPerBatch),
    maxBatchBytes: checkPositiveInt(
      issues,
      "maxBatchBytes",
      options.maxBatchBytes,
      d.maxBatchBytes,
      QueueLimits.maxBatchBytes
    ),
    maxBufferSize: checkPositiveInt(issues, "maxBufferSize", options.maxBufferSize, d.maxBufferSize),
    timeoutMs: checkPositiveInt(issues, "timeoutMs", options.timeoutMs, d.timeoutMs),
    flushTimeoutMs: checkPositiveInt(issues, "flushTimeoutMs", options.flushTimeoutMs, d.flushTimeoutMs),
    lingerMs: checkLingerMs(issues, options.lingerMs),
    retry: {
      maxAttempts: checkPositiveInt(issues, "retry.maxAttempts", r.maxAttempts, d.retry.maxAttempts),
      initialDelayMs: checkNonNegative(issues, "retry.initialDelayMs", r.initialDelayMs, d.retry.initialDelayMs),
      maxDelayMs: checkNonNegative(issues, "retry.maxDelayMs", r.maxDelayMs, d.retry.maxDelayMs)
    },
    vocabularies: checkVocabularies(issues, options.vocabularies)
  }
  // The largest event it carries must fit in one message and in one send, or it would be
  // dropped as tooLarge at every flush: refused, once the rest is well-formed.
  if (issues.length === 0) {
    const { bytes, of } = largestEventAsSent(resolved.vocabularies?.vocabularies, resolved)
    const message = bytes + QueueLimits.messageOverheadBytes
    if (message > QueueLimits.maxMessageBytes) {
      issues.push(
        `vocabularies: ${of} takes ${message} bytes as a message, more than Queues take (${QueueLimits.maxMessageBytes})`
      )
    } else if (resolved.maxBatchBytes < message) {
      issues.push(`maxBatchBytes must be at least ${message} (a message of ${of})`)
    }
  }
  if (issues.length > 0) throw new InvalidTrackerConfigError({ tracker: "Queue", issues })
  return resolved
}
