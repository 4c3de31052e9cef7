/**
 * The Queue sink: each event one JSON message to a Cloudflare Queue binding, one message with
 * `send` and more with `sendBatch`, within Queues' limits. A send either succeeds or fails as a
 * whole; the delivery engine (src/delivery/DeliveryEngine.ts) retries it.
 */

import { Effect } from "effect"
import { safeRun, safeSite } from "../../internal/safe.js"
import { encodeEvent } from "../../delivery/BatchBody.js"
import type { DeliverySink, SendOutcome, Sized } from "../../delivery/DeliverySink.js"
import { expiringSend } from "../../delivery/ExpiringSend.js"
import type { EventShape } from "../../event/Vocabulary.js"

/**
 * An event as the HTTP and Queue trackers send it: the event, plus the tracker's `env` and
 * `serviceKey`. `EventWire<JobEvent>` is what a jobs consumer reads (the `JobEventWire` schema
 * decodes it).
 *
 * @category Trackers
 */
export type EventWire<E extends EventShape = EventShape> = E & {
  readonly env: string
  readonly serviceKey: string
}

/**
 * The slice of a Cloudflare Queue producer binding (`Queue<Body>` in workers-types) the
 * tracker uses. Structural, so that the binding itself fits and a test double is a plain object.
 *
 * @category Trackers
 */
export interface QueueProducer<Body = EventWire> {
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
 * Why the last send that did not succeed failed. Never carries the sink's error message.
 *
 * @category Trackers
 */
export type SendFailure = { readonly kind: "rejected" } | { readonly kind: "timeout" }

/** A message body as sent, and the bytes it counts for (its JSON, metadata not included). */
interface Message extends Sized {
  readonly body: EventWire
}

const module = "sinks/queue/QueueSink"
const sendSite = safeSite(module, "send")
const delivered: SendOutcome<SendFailure> = { _tag: "Delivered" }
const rejected = Effect.succeed<SendOutcome<SendFailure>>({ _tag: "Retry", failure: { kind: "rejected" } })

export const makeQueueSink = (
  queue: QueueProducer<any>,
  enrichment: { readonly env: string; readonly serviceKey: string }
): DeliverySink<unknown, Message, ReadonlyArray<EventWire>, SendFailure> => ({
  // Events are held as they come and encoded at flush: `emit` stays O(1).
  encode: (event) => {
    const encoded = encodeEvent(event, enrichment)
    if (encoded === undefined) return "unserializable"
    if (encoded.bytes + QueueLimits.messageOverheadBytes > QueueLimits.maxMessageBytes) return "tooLarge"
    // Parsed back from its JSON, the body is exactly what was measured: plain data, no
    // getters or toJSON left for the runtime's serialiser to run again.
    return { body: JSON.parse(encoded.json) as EventWire, bytes: encoded.bytes }
  },
  // Queues count every message's metadata against the batch.
  bytesWith: (_count, bytes, itemBytes) => bytes + itemBytes + QueueLimits.messageOverheadBytes,
  body: (messages) => messages.map((message) => message.body),
  // A send that rejects (or throws) failed as a whole and may get through later. Queues cannot
  // abort one: past its expiry the engine counts it as timed out.
  send: (bodies, expiry) =>
    safeRun(
      sendSite,
      expiringSend(
        expiry,
        () =>
          bodies.length === 1
            ? queue.send(bodies[0], { contentType: "json" })
            : queue.sendBatch(bodies.map((body) => ({ body, contentType: "json" as const }))),
        () => delivered
      ),
      rejected
    ),
  timeoutFailure: { kind: "timeout" },
  // Never used: an array of bodies can always be built.
  unbuildableFailure: { kind: "rejected" },
  describe: (failure) => failure.kind,
  module
})
