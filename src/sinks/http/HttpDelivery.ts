/**
 * Delivery for the HTTP batch tracker: one batch of sized events to the collector, as POST
 * requests. It retries what may get through later (network failures, timeouts, 408, 429, 5xx)
 * with backoff or the collector's `Retry-After`, halves a batch the collector finds too large
 * (413) or that no request can carry, and gives up on what the collector refuses. It knows
 * nothing of the buffer or of flushes: it reports what it did in the shared counters.
 */

import { Effect } from "effect"
import * as Clock from "effect/Clock"
import * as Random from "effect/Random"
import { logFrom } from "../../internal/log.js"
import { safeCall, safeRun, safeSite } from "../../internal/safe.js"
import { batchBody } from "../../delivery/BatchBody.js"
import type { DeliveryDeferral } from "../../delivery/DeliveryDeferral.js"
import type { SizedEvent } from "../../delivery/EventSize.js"
import type { HttpRequestInit, HttpResponseLike, ResolvedHttpBatchTrackerConfig } from "./HttpBatchTrackerConfig.js"
import { backoffDelayMs } from "../../delivery/Backoff.js"
import { classifyStatus, retryAfterMs } from "./HttpRetryPolicy.js"

/**
 * Why the last delivery attempt that did not succeed failed. Never carries a message or header.
 *
 * @category Trackers
 */
export type HttpDeliveryFailure =
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "network" }
  | { readonly kind: "timeout" }
  /** The request body could not be built (a batch too large for a string). */
  | { readonly kind: "encoding" }

/** The tracker's counters that delivery moves. */
export interface DeliveryCounters {
  sent: number
  batches: number
  requests: number
  retried: number
  readonly dropped: { rejected: number; tooLarge: number }
  lastFailure: HttpDeliveryFailure | undefined
}

/** Events taken out of the buffer for one request; `settled` leading ones are dealt with. */
export interface InFlightBatch {
  readonly events: ReadonlyArray<SizedEvent>
  settled: number
}

/** `"settled"`: every event of the range was delivered or dropped; `"gaveUp"`: the flush stops. */
export type DeliveryResult = "settled" | "gaveUp"

type AttemptOutcome =
  | { readonly _tag: "Answered"; readonly status: number; readonly retryAfter: string | null }
  | { readonly _tag: "Network" }
  | { readonly _tag: "Timeout" }
  | { readonly _tag: "Unencodable" }

const logged = logFrom("tracker/HttpBatchTracker")
const fetchSite = safeSite("tracker/HttpBatchTracker", "fetch")
const retryAfterSite = safeSite("tracker/HttpBatchTracker", "response.headers.get")
const cancelSite = safeSite("tracker/HttpBatchTracker", "response.body.cancel")
const networkFailure = Effect.succeed({ _tag: "Network" } as const)
const unencodable = Effect.succeed({ _tag: "Unencodable" } as const)
const ignore = (): undefined => undefined

// Whatever the fetch resolved to, unchecked: something that is not a response is a network failure.
const answered = (response: HttpResponseLike): AttemptOutcome => {
  const status: unknown = response.status
  if (typeof status !== "number") throw new TypeError("fetch resolved to something that is not a response")
  const retryAfter = safeCall(retryAfterSite, () => response.headers.get("retry-after"), null)
  // The body is never needed: cancel it so the connection is released (a body that cannot
  // even be cancelled is the runtime's to collect).
  safeCall(cancelSite, () => void response.body?.cancel().catch(ignore), undefined)
  return { _tag: "Answered", status, retryAfter }
}

// Only where the events go, never the query string or credentials it may carry.
const describeEndpoint = (endpoint: string): string => {
  try {
    const url = new URL(endpoint)
    return url.origin + url.pathname
  } catch {
    return "(invalid endpoint)"
  }
}

const settle = (batch: InFlightBatch, upTo: number): void => {
  batch.settled = Math.max(batch.settled, upTo)
}

/**
 * Delivers `batch.events[from, to)` within the flush's `deadline`: they are settled unless it
 * gives up. A `Retry-After` longer than the flush can wait sets `deferral` instead.
 */
export type Deliver = (
  batch: InFlightBatch,
  from: number,
  to: number,
  deadline: number
) => Effect.Effect<DeliveryResult>

export const makeHttpDelivery = (
  cfg: ResolvedHttpBatchTrackerConfig,
  counters: DeliveryCounters,
  deferral: DeliveryDeferral
): Deliver => {
  const logEndpoint = describeEndpoint(cfg.endpoint)
  const requestHeaders: Record<string, string> = { "content-type": "application/json" }
  for (const [name, value] of Object.entries(cfg.headers)) {
    if (name.toLowerCase() !== "content-type") requestHeaders[name] = value
  }

  const callFetch = (body: string, signal: AbortSignal): Promise<HttpResponseLike> => {
    const init: HttpRequestInit = { method: "POST", headers: { ...requestHeaders }, body, signal }
    const userFetch = cfg.fetch
    // Called unbound: the Workers runtime rejects a `fetch` invoked with a foreign `this`.
    return Promise.resolve(
      userFetch !== undefined ? userFetch(cfg.endpoint, init) : globalThis.fetch(cfg.endpoint, init)
    )
  }

  const attempt = (events: ReadonlyArray<SizedEvent>): Effect.Effect<AttemptOutcome> =>
    Effect.suspend(() => {
      let body: string
      try {
        body = batchBody(events)
      } catch {
        // No request can carry it (a string too long for the engine): split, never swallowed.
        return unencodable
      }
      counters.requests++
      // Whatever the fetch does (rejects, throws, resolves to something that is not a
      // response), the request counts as a network failure.
      return safeRun(
        fetchSite,
        Effect.map(
          Effect.tryPromise((signal) => callFetch(body, signal)),
          answered
        ),
        networkFailure
      )
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

  /** The range cannot go as one request: one event is dropped as too large, more are halved. */
  const split = (
    batch: InFlightBatch,
    from: number,
    to: number,
    deadline: number,
    failure: HttpDeliveryFailure,
    attemptNumber: number
  ): Effect.Effect<DeliveryResult> => {
    if (to - from === 1) {
      counters.dropped.tooLarge++
      settle(batch, to)
      return Effect.as(logFailure(failure, 1, attemptNumber, false), "settled" as const)
    }
    const middle = from + Math.floor((to - from) / 2)
    return Effect.flatMap(deliver(batch, from, middle, deadline), (first) =>
      first === "gaveUp" ? Effect.succeed(first) : deliver(batch, middle, to, deadline)
    )
  }

  const deliver: Deliver = (batch, from, to, deadline) =>
    Effect.gen(function* () {
      const count = to - from
      for (let attemptNumber = 1; ; attemptNumber++) {
        if (attemptNumber > 1) counters.retried++
        const outcome = yield* attempt(batch.events.slice(from, to))
        let waitHint: string | null = null
        let failure: HttpDeliveryFailure
        if (outcome._tag === "Unencodable") {
          counters.lastFailure = { kind: "encoding" }
          return yield* split(batch, from, to, deadline, counters.lastFailure, attemptNumber)
        }
        if (outcome._tag === "Answered") {
          switch (classifyStatus(outcome.status)) {
            case "delivered":
              counters.sent += count
              counters.batches++
              settle(batch, to)
              return "settled"
            case "split":
              return yield* split(batch, from, to, deadline, { kind: "status", status: outcome.status }, attemptNumber)
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
        if (
          asked !== undefined &&
          asked > 0 &&
          (lastAttempt || asked > cfg.retry.maxDelayMs || now + asked >= deadline)
        ) {
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

  return deliver
}
