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
export class DeliveryDeferral {
  private notBefore: number | undefined
  private deferredFlushes = 0

  /** The time no flush may send before; undefined when none is set (or it has passed and a flush ran). */
  get until(): number | undefined {
    return this.notBefore
  }

  /** Flushes that returned without a request because of the deferral. */
  get deferred(): number {
    return this.deferredFlushes
  }

  /** The collector asked for no request before `atMs`: the latest answer is the one honoured. */
  deferUntil(atMs: number): void {
    this.notBefore = atMs
  }

  /**
   * A time saved by an earlier tracker over the same storage; the later of the two is kept,
   * but never more than {@link MaxRetryAfterMs} from `nowMs` (a clock that went back, a bad value).
   */
  restore(atMs: number | undefined, nowMs: number): void {
    if (atMs === undefined) return
    const at = Math.min(atMs, nowMs + MaxRetryAfterMs)
    if (this.notBefore === undefined || at > this.notBefore) this.notBefore = at
  }

  /**
   * Whether a flush starting at `nowMs` must return without a request (counted). A deferral
   * that is over is forgotten, so the flush sends.
   */
  defers(nowMs: number): boolean {
    if (this.notBefore === undefined) return false
    if (nowMs < this.notBefore) {
      this.deferredFlushes++
      return true
    }
    this.notBefore = undefined
    return false
  }
}
