import { describe, expect, it } from "vitest"
import { freshRun, lastNowOf, lastNowRead, runOf, stepNameIn } from "../../src/workflow/runMemory.js"

describe("runMemory", () => {
  it("reads the step a storage key belongs to, names with colons included", () => {
    expect(stepNameIn("step:charge:result", "result")).toBe("charge")
    expect(stepNameIn("step:a:b:attempt", "attempt")).toBe("a:b")
    expect(stepNameIn("step:charge:attempt", "result")).toBeUndefined()
    expect(stepNameIn("step::result", "result")).toBeUndefined()
    expect(stepNameIn("workflow:status", "result")).toBeUndefined()
    expect(stepNameIn(42, "result")).toBeUndefined()
  })

  it("gives each run a memory of its own, and none outside a run", () => {
    const first = runOf(freshRun())
    const second = runOf(freshRun())
    expect(first).toEqual({ missed: new Set(), attemptStartedAt: new Map(), retries: [] })
    expect(first).not.toBe(second)
    expect(runOf({})).toBeUndefined()
  })

  it("keeps the package's last clock read in the context", () => {
    expect(lastNowOf(lastNowRead(1_000))).toBe(1_000)
    expect(lastNowOf({})).toBeUndefined()
  })
})
