/**
 * The HTTP sink: a batch of sized events as one POST to the collector, and what its answer
 * means for the delivery engine (see DeliverySink.ts). The engine retries, splits and defers.
 */

import { Effect } from "effect"
import { safeCall, safeRun, safeSite } from "../../internal/safe.js"
import { batchBody, bodyBytesWith } from "../../delivery/BatchBody.js"
import type { DeliverySink, SendOutcome } from "../../delivery/DeliverySink.js"
import { makeEventSizer, type SizedEvent } from "../../delivery/EventSize.js"
import { expiringSend } from "../../delivery/ExpiringSend.js"
import type { HttpRequestInit, HttpResponseLike, ResolvedHttpBatchTrackerConfig } from "./HttpBatchTrackerConfig.js"
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

const module = "sinks/http/HttpSink"
const fetchSite = safeSite(module, "fetch")
const retryAfterSite = safeSite(module, "response.headers.get")
const cancelSite = safeSite(module, "response.body.cancel")
const networkFailure = Effect.succeed<SendOutcome<HttpDeliveryFailure>>({ _tag: "Retry", failure: { kind: "network" } })
const delivered = { _tag: "Delivered" } as const
const ignore = (): undefined => undefined

/**
 * What an answer means for the batch. Whatever the fetch resolved to, unchecked: something that
 * is not a response throws, and the request counts as a network failure.
 */
const outcomeOf = (response: HttpResponseLike): SendOutcome<HttpDeliveryFailure> => {
  const status: unknown = response.status
  if (typeof status !== "number") throw new TypeError("fetch resolved to something that is not a response")
  const retryAfter = safeCall(retryAfterSite, () => response.headers.get("retry-after"), null)
  // The body is never needed: cancel it so the connection is released (a body that cannot
  // even be cancelled is the runtime's to collect).
  safeCall(cancelSite, () => void response.body?.cancel().catch(ignore), undefined)
  const failure = { kind: "status", status } as const
  const verdict = classifyStatus(status)
  return verdict === "Delivered"
    ? delivered
    : verdict === "Retry"
      ? { _tag: verdict, failure, askedWaitMs: (now) => retryAfterMs(retryAfter, now) }
      : { _tag: verdict, failure }
}

// Only where the events go, never the query string or credentials it may carry; the path only
// when asked for, as webhook-style URLs carry their secret there.
const describeEndpoint = (endpoint: string, withPath: boolean): string => {
  try {
    const url = new URL(endpoint)
    return withPath ? url.origin + url.pathname : url.origin
  } catch {
    return "(invalid endpoint)"
  }
}

export const makeHttpSink = (
  cfg: ResolvedHttpBatchTrackerConfig
): DeliverySink<SizedEvent, SizedEvent, string, HttpDeliveryFailure> => {
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

  return {
    // Sized once, at `emit`: strings cut to fit `maxEventBytes`, and at most one batch's bytes
    // serialised for one event; a small plain event is copied, its JSON made at flush (see
    // EventSize.ts).
    admit: makeEventSizer(cfg),
    truncated: (event) => event.truncated,
    // Every event fits a batch on its own (maxEventBytes leaves room for the envelope).
    encode: (event) => event,
    bytesWith: bodyBytesWith,
    body: (events) => {
      try {
        return batchBody(events)
      } catch {
        // No request can carry it (a string too long for the engine): split, never swallowed.
        return undefined
      }
    },
    // Whatever the fetch does (rejects, throws, resolves to something that is not a
    // response), the request counts as a network failure. It carries the expiry's signal, so
    // that the engine's abort stops it.
    send: (body, expiry) =>
      safeRun(
        fetchSite,
        expiringSend(expiry, (signal) => callFetch(body, signal), outcomeOf),
        networkFailure
      ),
    timeoutFailure: { kind: "timeout" },
    unbuildableFailure: { kind: "encoding" },
    describe: (failure) => (failure.kind === "status" ? `status ${failure.status}` : failure.kind),
    module,
    logAnnotations: { endpoint: describeEndpoint(cfg.endpoint, cfg.logEndpointPath) }
  }
}
