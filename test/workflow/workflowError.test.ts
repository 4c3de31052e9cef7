import { describe, expect, it } from "vitest"
import { maxErrorMessageLength, maxErrorStackLength } from "../../src/instrument/failure.js"
import { workflowErrorOf } from "../../src/workflow/workflowError.js"

describe("workflowErrorOf", () => {
  it("gives an Error's message and stack, as the package's events carry them", () => {
    const error = new Error("kaboom")
    expect(workflowErrorOf(error)).toEqual({ message: "kaboom", stack: error.stack })
  })

  it("gives String(value) and no stack for a value thrown that is not an Error", () => {
    expect(workflowErrorOf({ code: 42 })).toEqual({ message: "[object Object]" })
    expect(workflowErrorOf("plain")).toEqual({ message: "plain" })
    expect(workflowErrorOf(new Error(""))).toEqual({ message: "", stack: expect.any(String) })
  })

  it("cuts the message and the stack at the caps every event keeps", () => {
    const error = new Error("m".repeat(maxErrorMessageLength * 2))
    error.stack = "s".repeat(maxErrorStackLength * 2)
    const { message, stack } = workflowErrorOf(error)
    expect(message).toHaveLength(maxErrorMessageLength)
    expect(message.endsWith("…")).toBe(true)
    expect(stack).toHaveLength(maxErrorStackLength)
  })
})
