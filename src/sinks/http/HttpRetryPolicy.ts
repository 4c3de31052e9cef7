/**
 * What the HTTP sink makes of each answer: what a status means, and how long a `Retry-After`
 * asks to wait. Pure functions: the clock is the caller's (Effect's `Clock`, so tests control it).
 */

import { MaxRetryAfterMs } from "../../delivery/DeliveryDeferral.js"

/** What an HTTP status means for a batch, as the delivery engine's outcome tags (DeliverySink.ts). */
export type StatusVerdict =
  | "Delivered" // 2xx
  | "Retry" // 408, 429, 5xx but 501 and 505, and any status outside 100-599: may succeed later
  | "TooLarge" // 413: the body is too large; smaller batches may pass
  | "Reject" // any other status: the collector refuses these events, resending will not help

export const classifyStatus = (status: number): StatusVerdict => {
  // Outside the standard ranges (999, 0, a proxy's own code): nothing says resending will not
  // help, so it is retried up to the limit rather than dropped for good.
  if (!(status >= 100 && status < 600)) return "Retry"
  if (status >= 200 && status < 300) return "Delivered"
  if (status === 413) return "TooLarge"
  if (status === 408 || status === 429) return "Retry"
  // 501 Not Implemented and 505 HTTP Version Not Supported will not change on a retry.
  if (status >= 500 && status < 600 && status !== 501 && status !== 505) return "Retry"
  return "Reject"
}

/**
 * The wait a `Retry-After` header asks for, in ms, at most {@link MaxRetryAfterMs}: either
 * delay-seconds or an HTTP-date (relative to `nowMs`; one in the past asks for 0).
 * Undefined when absent or unreadable (a negative or fractional number included).
 */
export const retryAfterMs = (value: string | null | undefined, nowMs: number): number | undefined => {
  if (value === null || value === undefined) return undefined
  const text = value.trim()
  if (text === "") return undefined
  let ms: number
  if (/^\d+$/.test(text)) ms = Number(text) * 1000
  // HTTP-dates (all three RFC 9110 forms) start with a day name; Date.parse alone would
  // also take "-1" or "1.5" as years.
  else if (/^[A-Za-z]{3}/.test(text)) {
    const at = Date.parse(text)
    if (Number.isNaN(at)) return undefined
    ms = at - nowMs
  } else return undefined
  return Math.min(MaxRetryAfterMs, Math.max(0, ms))
}
