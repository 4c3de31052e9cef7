import { Effect, Exit, FiberRef } from "effect"
import { describe, expect, it } from "vitest"
import { inlineReader, notInline, runInline, setFiberRefNow } from "../../src/internal/inlineEffect.js"

describe("runInline", () => {
  it("runs a plain Effect.sync in place and gives what Effect.succeed, Effect.void and Exit.succeed hold", () => {
    let calls = 0
    expect(runInline(Effect.sync(() => ++calls))).toBe(1)
    expect(calls).toBe(1)
    expect(runInline(Effect.succeed("value"))).toBe("value")
    expect(runInline(Effect.void)).toBeUndefined()
    expect(runInline(Exit.succeed(3))).toBe(3)
  })

  it("runs nothing of any other effect: the caller runs it as an effect", async () => {
    let calls = 0
    const effects = [
      Effect.map(
        Effect.sync(() => ++calls),
        (n) => n + 1
      ),
      Effect.suspend(() => Effect.sync(() => ++calls)),
      Effect.fail("no"),
      Effect.promise(async () => ++calls)
    ]
    for (const effect of effects) expect(runInline(effect as Effect.Effect<unknown, unknown>)).toBe(notInline)
    expect(calls).toBe(0)
    // And as effects they do run.
    expect(await Effect.runPromise(effects[0] as Effect.Effect<number>)).toBe(2)
  })

  it("lets a throw through, for the caller to count as a defect", () => {
    expect(() =>
      runInline(
        Effect.sync(() => {
          throw new Error("boom")
        })
      )
    ).toThrow("boom")
  })
})

describe("inlineReader", () => {
  it("gives the function of a plain Effect.sync (called on every read) or the value of Effect.succeed", () => {
    let now = 10
    const read = inlineReader(Effect.sync(() => now))
    expect(read?.()).toBe(10)
    now = 11
    expect(read?.()).toBe(11)
    expect(inlineReader(Effect.succeed(5))?.()).toBe(5)
    expect(
      inlineReader(
        Effect.map(
          Effect.sync(() => now),
          (n) => n
        )
      )
    ).toBeUndefined()
  })
})

describe("setFiberRefNow", () => {
  it("sets the ref on the fiber running the code, as FiberRef.set would", async () => {
    const ref = FiberRef.unsafeMake("initial")
    const seen = await Effect.runPromise(
      Effect.withFiberRuntime((fiber) => {
        const rest = setFiberRefNow(fiber, ref, "set in place")
        return rest === undefined ? FiberRef.get(ref) : Effect.zipRight(rest, FiberRef.get(ref))
      })
    )
    expect(seen).toBe("set in place")
  })

  it("gives the effect that sets it when the fiber has no such method", async () => {
    const ref = FiberRef.unsafeMake("initial")
    const seen = await Effect.runPromise(
      Effect.withFiberRuntime((fiber) => {
        // A fiber as a runtime without the method would hand it over.
        const bare = Object.create(null) as typeof fiber
        const rest = setFiberRefNow(bare, ref, "set as an effect")
        expect(rest).toBeDefined()
        return Effect.zipRight(rest!, FiberRef.get(ref))
      })
    )
    expect(seen).toBe("set as an effect")
  })
})
