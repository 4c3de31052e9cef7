/**
 * One batch to a sink, within a flush's deadline. It retries what may get through later with
 * backoff or the receiver's own wait, halves a batch the sink finds too large (or that no body
 * can carry), and gives up on what the sink refuses. It knows nothing of the buffer or of
 * flushes: it reports what it did in the shared counters, and its drops to `drop`.
 */

import { Effect } from "effect"
import * as Clock from "effect/Clock"
import * as Random from "effect/Random"
import { logFrom } from "../internal/log.js"
import { backoffDelayMs } from "./Backoff.js"
import { afterOn } from "./ClockTimer.js"
import type { DeliveryDeferral } from "./DeliveryDeferral.js"
import type { DeliverySink, SendOutcome, Sized } from "./DeliverySink.js"
import type { NoteDrop } from "./DropNotice.js"

/** The engine's counters that delivery moves. */
export interface DeliveryCounters<F> {
  sent: number
  batches: number
  requests: number
  retried: number
  lastFailure: F | undefined
}

/** Events taken out of the buffer for one send; `settled` leading ones are dealt with. */
export interface InFlightBatch<A, B> {
  /** The events as held, put back in front of the buffer when they are not delivered. */
  readonly held: ReadonlyArray<A>
  /** What is sent for each of them. */
  readonly items: ReadonlyArray<B>
  settled: number
}

/** `"settled"`: every event of the range was delivered or dropped; `"gaveUp"`: the flush stops. */
export type DeliveryResult = "settled" | "gaveUp"

/**
 * Delivers `batch.items[from, to)` within the flush's `deadline`: they are settled unless it
 * gives up. A wait asked for longer than the flush can wait sets the deferral instead.
 */
export type DeliverBatch<A, B> = (
  batch: InFlightBatch<A, B>,
  from: number,
  to: number,
  deadline: number
) => Effect.Effect<DeliveryResult>

export interface BatchDeliveryLimits {
  /** Bound on one send; it then counts as failed with the sink's `timeoutFailure`. */
  readonly timeoutMs: number
  readonly retry: { readonly maxAttempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number }
}

const settle = (batch: InFlightBatch<unknown, unknown>, upTo: number): void => {
  batch.settled = Math.max(batch.settled, upTo)
}

export const makeBatchDelivery = <A, B extends Sized, Body, F>(
  sink: DeliverySink<A, B, Body, F>,
  limits: BatchDeliveryLimits,
  counters: DeliveryCounters<F>,
  deferral: DeliveryDeferral,
  drop: NoteDrop
): DeliverBatch<A, B> => {
  const logged = logFrom(sink.module)
  const timedOut: SendOutcome<F> = { _tag: "Retry", failure: sink.timeoutFailure }
  const unbuildable = Effect.succeed(undefined)
  const expired = Effect.succeed(timedOut)

  const answered = (outcome: SendOutcome<F> | undefined): SendOutcome<F> => outcome ?? timedOut

  /**
   * One send of `items`, which the sink gives up on when told, once `timeoutMs` have passed on
   * the Clock or the flush's `deadline` has come, whichever is first: the timer aborts the one
   * `AbortController` the request carries, and the sink clears the timer when the send is over
   * (see `SendExpiry`). So a flush ends by its deadline on the fiber that runs it, with no fiber
   * or timer of its own (see `DeliveryEngine`'s `sendNow`). Undefined when no body can carry
   * them (nothing was sent); timed out, unsent, when the deadline has passed.
   */
  const attempt = (items: ReadonlyArray<B>, deadline: number): Effect.Effect<SendOutcome<F> | undefined> =>
    Effect.clockWith((clock) => {
      const ms = Math.min(limits.timeoutMs, deadline - clock.unsafeCurrentTimeMillis())
      if (ms <= 0) return expired
      const body = sink.body(items)
      if (body === undefined) return unbuildable
      counters.requests++
      const controller = new AbortController()
      return Effect.flatMap(
        afterOn(clock, ms, () => controller.abort()),
        (done) => Effect.map(sink.send(body, { controller, done }), answered)
      )
    })

  const logFailure = (failure: F, events: number, attemptNumber: number, willRetry: boolean) =>
    Effect.logDebug("batch not delivered").pipe(
      logged,
      Effect.annotateLogs({
        ...sink.logAnnotations,
        failure: sink.describe(failure),
        events,
        attempt: attemptNumber,
        willRetry
      })
    )

  /** The range cannot go as one send: one event is dropped as too large, more are halved. */
  const split = (
    batch: InFlightBatch<A, B>,
    from: number,
    to: number,
    deadline: number,
    failure: F,
    attemptNumber: number
  ): Effect.Effect<DeliveryResult> => {
    if (to - from === 1) {
      drop("tooLarge", 1)
      settle(batch, to)
      return Effect.as(logFailure(failure, 1, attemptNumber, false), "settled" as const)
    }
    const middle = from + Math.floor((to - from) / 2)
    return Effect.flatMap(deliver(batch, from, middle, deadline), (first) =>
      first === "gaveUp" ? Effect.succeed(first) : deliver(batch, middle, to, deadline)
    )
  }

  const deliver: DeliverBatch<A, B> = (batch, from, to, deadline) =>
    Effect.gen(function* () {
      const count = to - from
      for (let attemptNumber = 1; ; attemptNumber++) {
        if (attemptNumber > 1) counters.retried++
        const outcome = yield* attempt(batch.items.slice(from, to), deadline)
        if (outcome === undefined) {
          counters.lastFailure = sink.unbuildableFailure
          return yield* split(batch, from, to, deadline, sink.unbuildableFailure, attemptNumber)
        }
        switch (outcome._tag) {
          case "Delivered":
            counters.sent += count
            counters.batches++
            settle(batch, to)
            return "settled"
          case "TooLarge":
            return yield* split(batch, from, to, deadline, outcome.failure, attemptNumber)
          case "Reject":
            counters.lastFailure = outcome.failure
            drop("rejected", count, sink.describe(outcome.failure))
            settle(batch, to)
            yield* logFailure(outcome.failure, count, attemptNumber, false)
            return "settled"
        }
        const failure = outcome.failure
        counters.lastFailure = failure
        const now = yield* Clock.currentTimeMillis
        const asked = outcome.askedWaitMs?.(now)
        const lastAttempt = attemptNumber >= limits.retry.maxAttempts
        // The receiver's wait is taken here only when this flush can afford it; otherwise the
        // flush stops now and no flush sends before it is over.
        const defers =
          asked !== undefined &&
          asked > 0 &&
          (lastAttempt || asked > limits.retry.maxDelayMs || now + asked >= deadline)
        if (defers || lastAttempt) {
          if (defers) deferral.deferUntil(now + asked)
          yield* logFailure(failure, count, attemptNumber, false)
          return "gaveUp"
        }
        const delay = asked ?? backoffDelayMs(attemptNumber, limits.retry, yield* Random.next)
        // A wait that would outlast the flush only delays the give-up.
        const willRetry = now + delay < deadline
        yield* logFailure(failure, count, attemptNumber, willRetry)
        if (!willRetry) return "gaveUp"
        if (delay > 0) yield* Effect.sleep(delay)
      }
    })

  return deliver
}
