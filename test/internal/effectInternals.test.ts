import { Context, Effect, Exit, Fiber, FiberRef, Layer, ModuleVersion } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import {
  inlineReader,
  mapBuiltNodes,
  notInline,
  runInline,
  setFastPaths,
  setFiberRefNow
} from "../../src/internal/effectInternals.js"
import type { EventMap } from "durable-effect-tracking"
import { withTracking, InMemoryTracker } from "durable-effect-tracking"
import { InnerLayer, InstanceLayer, Outer, OuterLayer, toyEventMap } from "../instrument/support.js"

/**
 * The private shapes of the installed Effect that src/internal/effectInternals.ts relies on, one
 * test per shape (so an Effect upgrade that changes one fails here, by name), then what the
 * module does with them, and that with every fast path off tracking still emits the same events.
 */

const privateOf = (value: unknown) => value as Record<string, unknown>

// Effect 3.19.0, the lowest the peer range admits, predates the MergeAll layer node (shape 5);
// `npm run test:peers` runs this file on it and on the newest 3.x.
const mergeAllIsANode = ModuleVersion.getCurrentVersion() !== "3.19.0"

describe("the installed Effect's private shapes", () => {
  it("Effect.sync is a Sync primitive with its thunk in effect_instruction_i0", () => {
    const thunk = () => 1
    const effect = privateOf(Effect.sync(thunk))
    expect(effect["_op"]).toBe("Sync")
    expect(effect["effect_instruction_i0"]).toBe(thunk)
  })

  it("Effect.succeed, Exit.succeed and Effect.void are Success primitives with their value in effect_instruction_i0", () => {
    const value = { a: 1 }
    for (const [effect, held] of [
      [Effect.succeed(value), value],
      [Exit.succeed(value), value],
      [Effect.void, undefined]
    ] as const) {
      expect(privateOf(effect)["_op"]).toBe("Success")
      expect(privateOf(effect)["effect_instruction_i0"]).toBe(held)
    }
  })

  it("the running fiber has setFiberRef, which sets a FiberRef in place", async () => {
    const ref = FiberRef.unsafeMake("initial")
    const seen = await Effect.runPromise(
      Effect.withFiberRuntime((fiber) => {
        const setFiberRef = privateOf(fiber)["setFiberRef"]
        expect(typeof setFiberRef).toBe("function")
        ;(setFiberRef as (ref: FiberRef.FiberRef<string>, value: string) => void).call(fiber, ref, "set")
        return FiberRef.get(ref)
      })
    )
    expect(seen).toBe("set")
  })

  it("Layer.effect, Layer.succeed and Layer.effectContext are FromEffect nodes with .effect", () => {
    class Tag extends Context.Tag("test/Tag")<Tag, number>() {}
    for (const layer of [
      Layer.effect(Tag, Effect.succeed(1)),
      Layer.succeed(Tag, 1),
      Layer.effectContext(Effect.succeed(Context.make(Tag, 1)))
    ]) {
      expect(privateOf(layer)["_op_layer"]).toBe("FromEffect")
      expect(Effect.isEffect(privateOf(layer)["effect"])).toBe(true)
    }
  })

  it("Layer.scoped is a Scoped node with .effect", () => {
    class Tag extends Context.Tag("test/Tag")<Tag, number>() {}
    const layer = privateOf(Layer.scoped(Tag, Effect.succeed(1)))
    expect(layer["_op_layer"]).toBe("Scoped")
    expect(Effect.isEffect(layer["effect"])).toBe(true)
  })

  it("Layer.mergeAll is a MergeAll node with .layers (from Effect 3.19.1 on)", () => {
    class A extends Context.Tag("test/A")<A, number>() {}
    class B extends Context.Tag("test/B")<B, number>() {}
    const a = Layer.succeed(A, 1)
    const b = Layer.succeed(B, 2)
    const merged = privateOf(Layer.mergeAll(a, b))
    if (!mergeAllIsANode) {
      // 3.19.0 merges pairwise, into a node built lazily: mapBuiltNodes takes its fallback.
      expect(merged["_op_layer"]).toBe("Suspend")
      expect(mapBuiltNodes(Layer.mergeAll(a, b), (built) => built)).toBeUndefined()
      return
    }
    expect(merged["_op_layer"]).toBe("MergeAll")
    expect(merged["layers"]).toEqual([a, b])
  })
})

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
        expect(rest).toBeUndefined()
        return FiberRef.get(ref)
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

describe("mapBuiltNodes", () => {
  class A extends Context.Tag("test/A")<A, number>() {}
  class B extends Context.Tag("test/B")<B, number>() {}
  const doubled = (built: Context.Context<unknown>) =>
    Context.unsafeMake(new Map([...built.unsafeMap].map(([key, n]) => [key, (n as number) * 2])))

  it("remakes effect, scoped and merged layers so that each node's services pass through f", async () => {
    const scoped = mapBuiltNodes(Layer.scoped(B, Effect.succeed(2)), doubled)
    expect(scoped).toBeDefined()
    expect(await Effect.runPromise(B.pipe(Effect.provide(scoped!)))).toBe(4)
    if (!mergeAllIsANode) return
    const layer = Layer.mergeAll(Layer.succeed(A, 1), Layer.scoped(B, Effect.succeed(2)))
    const mapped = mapBuiltNodes(layer, doubled)
    expect(mapped).toBeDefined()
    const got = await Effect.runPromise(Effect.all([A, B]).pipe(Effect.provide(mapped!)))
    expect(got).toEqual([2, 4])
  })

  it("runs f in place on the fiber that builds the node, whose context is the node's input", async () => {
    let input: unknown
    const mapped = mapBuiltNodes(
      Layer.effect(
        B,
        Effect.map(A, (a) => a + 1)
      ),
      (built) => {
        const fiber = Fiber.getCurrentFiber()
        input = fiber._tag === "Some" ? fiber.value.currentContext.unsafeMap.get(A.key) : "no fiber"
        return built
      }
    )
    const layer = mapped!.pipe(Layer.provide(Layer.succeed(A, 41)))
    expect(await Effect.runPromise(B.pipe(Effect.provide(layer)))).toBe(42)
    expect(input).toBe(41)
  })

  it("gives undefined for any other layer: the caller wraps it in a node of its own", () => {
    const composed = Layer.succeed(A, 1).pipe(Layer.provide(Layer.succeed(B, 2)))
    expect(mapBuiltNodes(composed, doubled)).toBeUndefined()
  })
})

describe("with the fast paths off", () => {
  afterEach(() => setFastPaths(true))

  it("every function takes its fallback", async () => {
    setFastPaths(false)
    expect(runInline(Effect.succeed(1))).toBe(notInline)
    expect(inlineReader(Effect.sync(() => 1))).toBeUndefined()
    expect(mapBuiltNodes(InstanceLayer, (built) => built)).toBeUndefined()
    const ref = FiberRef.unsafeMake("initial")
    const seen = await Effect.runPromise(
      Effect.withFiberRuntime((fiber) => {
        const rest = setFiberRefNow(fiber, ref, "set as an effect")
        expect(rest).toBeDefined()
        return Effect.zipRight(rest!, FiberRef.get(ref))
      })
    )
    expect(seen).toBe("set as an effect")
  })

  // A traced composition that uses every fast path: plain layers (wrapped without a node), a
  // clock that is a plain Effect.sync, in-memory emits, and call frames set on the fiber.
  class ClockSource extends Context.Tag("test/ClockSource")<
    ClockSource,
    { readonly now: () => Effect.Effect<number> }
  >() {}

  const tracedRun = async () => {
    const memory = InMemoryTracker.make()
    let now = 1_000
    const eventMap: EventMap = {
      ...toyEventMap,
      clock: { tagKey: ClockSource.key, now: (clock: ClockSource["Type"]) => clock.now() }
    }
    const base = Layer.mergeAll(
      InMemoryTracker.layer(memory),
      InstanceLayer,
      Layer.succeed(ClockSource, { now: () => Effect.sync(() => (now += 10)) })
    )
    const inner = withTracking(InnerLayer({ name: "found" }), { eventMap }).pipe(Layer.provideMerge(base))
    const layer = withTracking(OuterLayer, { eventMap }).pipe(Layer.provideMerge(inner))
    const program = Effect.gen(function* () {
      const outer = yield* Outer
      const ran = yield* outer.run("digest", Effect.succeed(5))
      const failed = yield* Effect.flip(outer.run("bad", Effect.fail("bad input")))
      yield* outer.wake()
      return [ran, failed]
    })
    const results = await Effect.runPromise(program.pipe(Effect.provide(layer)))
    const events = await Effect.runPromise(memory.handle.getEvents())
    // Event ids are random; everything else is the same run to run.
    return { results, events: events.map(({ eventId: _eventId, ...rest }) => rest) }
  }

  it("a traced call through withTracking gives the same results and events as with them", async () => {
    const fast = await tracedRun()
    setFastPaths(false)
    const fallback = await tracedRun()
    expect(fast.events.map((event) => event.type)).toEqual([
      "execution.started",
      "task.event.processed",
      "execution.succeeded",
      "execution.started",
      "execution.failed",
      "alarm.fired"
    ])
    expect(fallback).toEqual(fast)
  })
})
