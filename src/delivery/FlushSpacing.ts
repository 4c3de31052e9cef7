/**
 * Spacing of a retry counted in flushes rather than time: storage the outbox cannot delete from
 * is tried again at the end of a later flush, after 1, 2, 4... flushes, at most `maxFlushes`
 * apart, for as long as it keeps failing. Each flush asks once, so retrying costs no more than
 * one attempt per flush, and far fewer while storage keeps refusing.
 */
export interface FlushSpacing {
  /** Called once per flush: whether this flush retries (counts the flush when it does not). */
  readonly due: () => boolean
  /** The attempt failed: the next one waits twice as many flushes (up to the cap). */
  readonly failed: () => void
  /** The attempt worked: the next failure starts from one flush again. */
  readonly succeeded: () => void
}

export const makeFlushSpacing = (maxFlushes: number): FlushSpacing => {
  let spacing = 0
  let waitLeft = 0
  return {
    due: () => {
      if (waitLeft === 0) return true
      waitLeft--
      return false
    },
    failed: () => {
      spacing = Math.min(maxFlushes, spacing === 0 ? 1 : spacing * 2)
      waitLeft = spacing
    },
    succeeded: () => {
      spacing = 0
      waitLeft = 0
    }
  }
}
