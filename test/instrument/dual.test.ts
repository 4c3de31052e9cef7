import { Context, Effect, Layer, TestContext } from "effect"
import { describe, expect, it } from "vitest"
import { withTracking, EventTracker, InMemoryTracker, addTracker } from "durable-effect-tracking"
import { Inner, InnerLayer, InstanceLayer, Outer, OuterLayer, toyEventMap } from "./support.js"

// The toy composition, written data-first or piped; `core` is the instance layer.
const dataFirst = (core: Layer.Layer<any>, tracker: object) => {
  const base = addTracker(core, tracker as never)
  const inner = withTracking(InnerLayer({ name: "found" }), { eventMap: toyEventMap }).pipe(Layer.provideMerge(base))
  return withTracking(OuterLayer, { eventMap: toyEventMap }).pipe(Layer.provideMerge(inner))
}
const piped = (core: Layer.Layer<any>, tracker: object) => {
  const base = core.pipe(addTracker(tracker as never))
  const inner = InnerLayer({ name: "found" }).pipe(withTracking({ eventMap: toyEventMap }), Layer.provideMerge(base))
  return OuterLayer.pipe(withTracking({ eventMap: toyEventMap }), Layer.provideMerge(inner))
}

const eventsOf = async (compose: typeof dataFirst) => {
  const { tracker, handle } = InMemoryTracker.make()
  const layer = compose(InstanceLayer, tracker) as Layer.Layer<Outer | Inner>
  const program = Effect.flatMap(Outer, (outer) =>
    Effect.all([outer.run("digest", Effect.succeed(5)), outer.run("digest", Effect.fail("no"))], { mode: "either" })
  )
  await Effect.runPromise(program.pipe(Effect.provide(layer), Effect.provide(TestContext.TestContext)))
  const events = await Effect.runPromise(handle.getEvents())
  return events.map(({ type, instanceId, jobName, jobType }) => ({ type, instanceId, jobName, jobType }))
}

describe("withTracking and addTracker piped (dual)", () => {
  it("emit the same events as the data-first forms", async () => {
    const first = await eventsOf(dataFirst)
    expect(first.map((event) => event.type)).toEqual([
      "execution.started",
      "task.event.processed",
      "execution.succeeded",
      "execution.started",
      "execution.failed"
    ])
    expect(await eventsOf(piped)).toEqual(first)
  })

  it("piped addTracker puts the tracker object under the core; piped withTracking({ enabled: false }) is the layer itself", async () => {
    class Core extends Context.Tag("test/dual/Core")<Core, { readonly id: number }>() {}
    const core = Layer.succeed(Core, { id: 1 })
    const { tracker } = InMemoryTracker.make()
    const found = await Effect.runPromise(
      (EventTracker as Effect.Effect<unknown, never, any>).pipe(
        Effect.provide(core.pipe(addTracker(tracker)))
      ) as Effect.Effect<unknown>
    )
    expect(found).toBe(tracker)
    expect(core.pipe(addTracker())).toBe(core)
    expect(core.pipe(withTracking({ eventMap: toyEventMap, enabled: false }))).toBe(core)
  })
})
