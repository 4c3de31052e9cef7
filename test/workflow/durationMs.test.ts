import { describe, expect, it } from "vitest"
import { durationMs } from "../../src/workflow/durationMs.js"
import { parseDuration } from "../fixtures/workflow/src/primitives/backoff"

describe("durationMs: a duration read as the workflow package reads it", () => {
  it("agrees with the package's parseDuration on what it accepts", () => {
    for (const duration of [0, 250, "500", "5s", "5 seconds", "1.5 hours", " 2 MIN ", "3d", "10 ms", "1 hr"])
      expect(durationMs(duration)).toBe(parseDuration(duration))
  })

  it("is undefined where the package throws", () => {
    for (const duration of ["soon", "5 fortnights", "-1s", ""]) {
      expect(() => parseDuration(duration)).toThrow()
      expect(durationMs(duration)).toBeUndefined()
    }
    expect(durationMs({ seconds: 5 })).toBeUndefined()
  })
})
