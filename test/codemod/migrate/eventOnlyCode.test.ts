import { describe, expect, it } from "vitest"
import { planEmitRemoval } from "../../../src/codemod/migrate/emitSites.js"
import { removeEventOnlyCode } from "../../../src/codemod/migrate/eventOnlyCode.js"
import { applyEdits } from "../../../src/codemod/source/edits.js"
import { parseSource } from "../../../src/codemod/source/sourceFiles.js"

/** The emits out of `text`, then what served them only, as `migrate` does it. */
const migrated = (text: string, options: { readonly keepYieldedCalls?: boolean } = {}) => {
  const removal = planEmitRemoval("a.ts", parseSource("a.ts", text), text)
  expect(removal.refusals).toEqual([])
  return removeEventOnlyCode("a.ts", applyEdits(text, removal.edits), removal.removedText, options).text
}

const header = `import { Effect } from "effect"
import { createWorkflowBaseEvent, emitEvent } from "@durable-effect/core"
declare const result: { readonly _tag: "A" | "B" | "C" }
declare const cleanup: (what: string) => Effect.Effect<void>
declare const getState: () => Effect.Effect<{ readonly name: string }>
`

describe("what goes with the emits: code left doing nothing", () => {
  it("a helper whose only job was emitting goes with its calls, its switch and its base event", () => {
    const text = `${header}
export const run = Effect.gen(function* () {
  const emitResult = (value: typeof result) =>
    Effect.gen(function* () {
      const baseEvent = createWorkflowBaseEvent("id", "name")
      switch (value._tag) {
        case "A":
          yield* emitEvent({ ...baseEvent, type: "a" })
          break
        case "B":
          yield* emitEvent({ ...baseEvent, type: "b" })
          break
      }
    })
  yield* cleanup("x")
  yield* emitResult(result)
  return 1
})
`
    const after = migrated(text)
    expect(after).not.toMatch(/emitResult|baseEvent|switch|emitEvent|createWorkflowBaseEvent/)
    expect(after).toContain(`yield* cleanup("x")`)
  })

  it("a helper that still does something else stays, and so do its calls", () => {
    const text = `${header}
export const run = Effect.gen(function* () {
  const finish = () =>
    Effect.gen(function* () {
      yield* emitEvent({ type: "done" })
      yield* cleanup("y")
    })
  yield* finish()
})
`
    const after = migrated(text)
    expect(after).toContain("yield* finish()")
    expect(after).toContain(`yield* cleanup("y")`)
  })

  it("an empty middle branch goes only when the chain compares one value to distinct literals", () => {
    const chain = (middle: string) => `${header}
export const run = Effect.gen(function* () {
  if (result._tag === "A") {
    yield* cleanup("a")
  } else if (${middle}) {
    yield* emitEvent({ type: "b" })
  } else if (result._tag === "C") {
    yield* cleanup("c")
  }
})
`
    expect(migrated(chain(`result._tag === "B"`))).not.toContain(`result._tag === "B"`)
    // Not exclusive: a branch that was taken before would let the next one run: it stays.
    expect(migrated(chain(`result._tag !== "A"`))).toContain(`else if (result._tag !== "A") {`)
  })

  it("an empty last branch goes without leaving a dangling else", () => {
    const text = `${header}
export const run = Effect.gen(function* () {
  if (result._tag === "A") {
    yield* cleanup("a")
  } else if (result._tag === "B") {
    yield* emitEvent({ type: "b" })
  }
})
`
    expect(migrated(text)).toMatch(/yield\* cleanup\("a"\)\n  \}\n\}\)/)
  })

  it("with keepYieldedCalls, a local read only for an event keeps its call", () => {
    const text = `${header}
export const run = Effect.gen(function* () {
  const state = yield* getState()
  yield* emitEvent({ type: "x", name: state.name })
})
`
    expect(migrated(text, { keepYieldedCalls: true })).toMatch(/^  yield\* getState\(\)$/m)
    expect(migrated(text)).not.toContain("getState()")
  })
})
