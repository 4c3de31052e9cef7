import { Data } from "effect"
import { describe, expect, it } from "vitest"
import { maxErrorMessageLength, summarizeError } from "durable-effect-tracking"

class Refused extends Data.TaggedError("Refused")<{ readonly cause: unknown }> {}

describe("summarizeError", () => {
  it("tells the error's _tag, or its name, and the first error of its cause", () => {
    expect(summarizeError(new Refused({ cause: new RangeError("too far") }))).toEqual({
      message: "Refused",
      tag: "Refused",
      cause: { message: "too far", tag: "RangeError" }
    })
    expect(summarizeError(new Error("plain", { cause: "a reason" }))).toEqual({
      message: "plain",
      tag: "Error",
      cause: { message: "a reason" }
    })
    expect(summarizeError("just text")).toEqual({ message: "just text" })
    expect(summarizeError(42)).toEqual({ message: "42" })
  })

  it("cuts a long message at the documented length, never inside a surrogate pair", () => {
    const cut = summarizeError(new Error("a".repeat(maxErrorMessageLength - 2) + "😀".repeat(10))).message
    expect(cut.length).toBeLessThanOrEqual(maxErrorMessageLength)
    expect(cut.endsWith("…")).toBe(true)
    // Every code unit before the ellipsis is whole text: no lone high surrogate.
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(cut)).toBe(false)
    expect(summarizeError(new Error("short")).message).toBe("short")
  })

  it("carries no stack unless asked, and never the error's other fields", () => {
    const error = Object.assign(new Error("with payload"), { payload: { email: "ada@example.com" } })
    expect(summarizeError(error)).not.toHaveProperty("stack")
    expect(JSON.stringify(summarizeError(error, { stack: true }))).not.toContain("ada@example.com")
    expect(summarizeError(error, { stack: true }).stack).toContain("with payload")
  })
})
