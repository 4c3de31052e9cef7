/**
 * What the delivery engine (DeliveryEngine.ts) needs from a sink: how an event is held and
 * measured, how a batch is carried and sent, and what each answer means. A sink only sends:
 * buffering, batching, flush bounds, retries, deferral, splitting and counting are the engine's.
 */

import type { Effect } from "effect"

/** Why an event cannot be sent; it is counted as dropped under that name. */
export type DropReason = "tooLarge" | "unserializable"

/** What a sink sends for one event, with the bytes it counts for it. */
export interface Sized {
  readonly bytes: number
}

/** What the sink made of one send. Never a failed effect: every failure is one of these. */
export type SendOutcome<F> =
  | { readonly _tag: "Delivered" }
  /**
   * May get through later. `askedWaitMs` is the wait the receiver asked for, if any, in ms from
   * `nowMs` (the engine's clock when it reads the answer: a date the receiver gave is relative to it).
   */
  | { readonly _tag: "Retry"; readonly failure: F; readonly askedWaitMs?: (nowMs: number) => number | undefined }
  /** Refused for good: the batch's events are dropped as rejected. */
  | { readonly _tag: "Reject"; readonly failure: F }
  /** Too large as one send: halved, and one event alone is dropped as too large. */
  | { readonly _tag: "TooLarge"; readonly failure: F }

/**
 * A sink. `A` is an event as held in the buffer, `B` what is sent for it, `Body` what one send
 * carries, `F` why a send failed (as the tracker's stats report it).
 */
export interface DeliverySink<A, B extends Sized, Body, F> {
  /**
   * At `emit`: the event as held, or why it cannot be sent. Absent: events are held as they come
   * (and measured at flush by `encode`). `A` must not be a string when this is given.
   */
  readonly admit?: (event: unknown) => A | DropReason
  /** Whether `admit` cut the event's strings to fit (counted as truncated). */
  readonly truncated?: (held: A) => boolean
  /** At flush: what a held event is sent as, or why it cannot be sent. */
  readonly encode: (held: A) => B | DropReason
  /** Bytes of a batch of `count` items and `bytes` once an item of `itemBytes` is added. */
  readonly bytesWith: (count: number, bytes: number, itemBytes: number) => number
  /** What carries `items` in one send, or undefined when nothing can (the engine splits). */
  readonly body: (items: ReadonlyArray<B>) => Body | undefined
  /**
   * One send, which gives up by itself once its time is up. The request carries
   * `expiry.controller.signal`, which the engine aborts once `timeoutMs` have passed (or the
   * flush's time is up): the sink then answers undefined at once (the engine counts the send as
   * timed out). A flush without an outbox relies on it to end by its bound. Interrupted, the
   * sink aborts the controller itself, to stop the request. Either way it calls `expiry.done`
   * once, when the send is over, so that the engine's timer goes. A send's time bound is so one
   * timer and one `AbortController`, not a race of two fibers (`expiringSend` does all this for
   * a request that answers with a promise).
   */
  readonly send: (body: Body, expiry: SendExpiry) => Effect.Effect<SendOutcome<F> | undefined>
  /** The failure of a send that outlasted `timeoutMs`, and of a batch no body could carry. */
  readonly timeoutFailure: F
  readonly unbuildableFailure: F
  /** A failure as a log line shows it (never a message or header). */
  readonly describe: (failure: F) => string
  /** The sink's module, as its logs are annotated (`"sinks/queue/QueueSink"`). */
  readonly module: string
  /** More annotations of the sink's logs (where the events go); never a secret. */
  readonly logAnnotations?: Readonly<Record<string, unknown>>
}

/** A send's time bound, as the engine gives it to a sink's `send`. */
export interface SendExpiry {
  /** Aborted by the engine once the send's time is up; its signal goes with the request. */
  readonly controller: AbortController
  /** To call once the send is over, however it ended: the engine's timer is cleared. */
  readonly done: () => void
}
