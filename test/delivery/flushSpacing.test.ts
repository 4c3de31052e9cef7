import { describe, expect, it } from "vitest"
import { makeFlushSpacing } from "../../src/delivery/FlushSpacing.js"

/** Which of `flushes` flushes retry, when every retry fails. */
const retriesWhileFailing = (maxFlushes: number, flushes: number): Array<number> => {
  const spacing = makeFlushSpacing(maxFlushes)
  spacing.failed()
  const retried: Array<number> = []
  for (let flush = 1; flush <= flushes; flush++) {
    if (!spacing.due()) continue
    retried.push(flush)
    spacing.failed()
  }
  return retried
}

describe("retry spacing counted in flushes", () => {
  it("waits 1, 2, 4... flushes between failed retries, at most the cap", () => {
    expect(retriesWhileFailing(32, 20)).toEqual([2, 5, 10, 19])
    expect(retriesWhileFailing(4, 30)).toEqual([2, 5, 10, 15, 20, 25, 30])
  })

  it("starts over from one flush after a retry that worked", () => {
    const spacing = makeFlushSpacing(32)
    spacing.failed()
    spacing.failed()
    expect([spacing.due(), spacing.due(), spacing.due()]).toEqual([false, false, true])
    spacing.succeeded()
    expect(spacing.due()).toBe(true)
    spacing.failed()
    expect([spacing.due(), spacing.due()]).toEqual([false, true])
  })
})
