/**
 * How long a delivery waits before retrying a batch. A pure function: the engine supplies the
 * randomness (Effect's `Random`, so tests control it).
 */

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
