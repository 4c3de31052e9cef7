/**
 * The longest wait a `Retry-After` header is honoured for: 10 minutes. A longer value (a
 * misconfigured collector's, say) is read as this, so a collector cannot silence tracking for good.
 */
export const MaxRetryAfterMs = 600_000

/**
 * "Not before T": the time a collector asked (with `Retry-After`) not to be sent to again
 * before, when that is longer than a flush may wait. Until then a flush returns at once,
 * without a request; the first flush at or after T sends. Times are epoch ms of Effect's
 * `Clock`, so `TestClock` moves them in tests.
 */
export interface DeliveryDeferral {
  /** The time no flush may send before; undefined when none is set (or it has passed and a flush ran). */
  readonly until: number | undefined
  /** Flushes that returned without a request because of the deferral. */
  readonly deferred: number
  /** The collector asked for no request before `atMs`: the latest answer is the one honoured. */
  deferUntil(atMs: number): void
  /**
   * A time saved by an earlier tracker over the same storage; the later of the two is kept,
   * but never more than {@link MaxRetryAfterMs} from `nowMs` (a clock that went back, a bad value).
   */
  restore(atMs: number | undefined, nowMs: number): void
  /**
   * Whether a flush starting at `nowMs` must return without a request (counted). A deferral
   * that is over is forgotten, so the flush sends.
   */
  defers(nowMs: number): boolean
}

// Closure state rather than a class's fields: the minifier renames it.
export const makeDeliveryDeferral = (): DeliveryDeferral => {
  let notBefore: number | undefined
  let deferred = 0
  return {
    get until() {
      return notBefore
    },
    get deferred() {
      return deferred
    },
    deferUntil: (atMs) => {
      notBefore = atMs
    },
    restore: (atMs, nowMs) => {
      if (atMs === undefined) return
      const at = Math.min(atMs, nowMs + MaxRetryAfterMs)
      if (notBefore === undefined || at > notBefore) notBefore = at
    },
    defers: (nowMs) => {
      if (notBefore === undefined) return false
      if (nowMs < notBefore) {
        deferred++
        return true
      }
      notBefore = undefined
      return false
    }
  }
}
