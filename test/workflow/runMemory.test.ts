import { describe, expect, it } from "vitest"
import { inRun, runMark, stepNameIn } from "../../src/workflow/runMemory.js"

describe("runMemory", () => {
  it("reads the step a storage key belongs to, names with colons included", () => {
    expect(stepNameIn("step:charge:result", "result")).toBe("charge")
    expect(stepNameIn("step:a:b:result", "result")).toBe("a:b")
    expect(stepNameIn("step:charge:attempt", "result")).toBeUndefined()
    expect(stepNameIn("step::result", "result")).toBeUndefined()
    expect(stepNameIn("workflow:status", "result")).toBeUndefined()
    expect(stepNameIn(42, "result")).toBeUndefined()
  })

  it("marks the calls of a run, and none outside a run", () => {
    expect(inRun(runMark())).toBe(true)
    expect(inRun({})).toBe(false)
  })
})
