/**
 * What the HTTP tracker does with each answer, and how long it waits before trying again.
 * Pure functions: the tracker supplies the clock and the randomness (Effect's `Clock` and
 * `Random`, so tests control both).
 */

/** What an HTTP status means for a batch. */
export type StatusVerdict =
  | "delivered" // 2xx
  | "retry" // 408, 429, 5xx but 501 and 505: the same request may succeed later
  | "split" // 413: the body is too large; smaller batches may pass
  | "reject" // any other status: the collector refuses these events, resending will not help

export const classifyStatus = (status: number): StatusVerdict => {
  if (status >= 200 && status < 300) return "delivered"
  if (status === 413) return "split"
  if (status === 408 || status === 429) return "retry"
  // 501 Not Implemented and 505 HTTP Version Not Supported will not change on a retry.
  if (status >= 500 && status < 600 && status !== 501 && status !== 505) return "retry"
  return "reject"
}

/**
 * Exponential backoff with "equal jitter": before retry `n` (1-based) the wait is drawn from
 * [d/2, d] with d = min(maxDelayMs, initialDelayMs * 2^(n-1)). Half the wait is kept so that
 * a retry never comes immediately; the other half spreads retries of many objects apart.
 * `random01` is a number in [0, 1).
 */
export const backoffDelayMs = (
  retry: number,
  policy: { readonly initialDelayMs: number; readonly maxDelayMs: number },
  random01: number
): number => {
  const exponential = policy.initialDelayMs * 2 ** Math.max(0, retry - 1)
  const capped = Math.min(policy.maxDelayMs, exponential)
  return Math.round(capped / 2 + (capped / 2) * random01)
}

/**
 * The longest wait a `Retry-After` header is honoured for: 10 minutes. A longer value (a
 * misconfigured collector's, say) is read as this, so a collector cannot silence tracking for good.
 */
export const MaxRetryAfterMs = 600_000

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
