import { Context, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import {
  withTracking,
  EventTracker,
  InMemoryTracker,
  isNoopTracker,
  NoopTracker,
  addTracker,
  resolveTrackerLayer
} from "durable-effect-tracking"
import { toyEventMap } from "./support.js"

class Core extends Context.Tag("test/Core")<Core, { readonly id: number }>() {}

// A core layer that counts its builds, as a jobs runtime's core is built once per call.
const countingCore = () => {
  let builds = 0
  const layer = Layer.effect(
    Core,
    Effect.sync(() => ({ id: ++builds }))
  )
  return { layer, builds: () => builds }
}

// addTracker's type does not promise EventTracker (a runtime reads it optionally): read it anyway.
const buildWith = <A>(layer: Layer.Layer<any>, read: Effect.Effect<A, never, any>): Promise<A> =>
  Effect.runPromise(read.pipe(Effect.provide(layer)) as Effect.Effect<A>)

describe("addTracker", () => {
  it("is the core layer itself without an option", () => {
    const { layer } = countingCore()
    expect(addTracker(layer)).toBe(layer)
  })

  it("adds a tracker object to every build of the core, the same tracker each time", async () => {
    const { layer, builds } = countingCore()
    const { tracker } = InMemoryTracker.make()
    const tracked = addTracker(layer, tracker)
    for (let call = 1; call <= 2; call++) {
      const [core, found] = await buildWith(tracked, Effect.all([Core, EventTracker]))
      expect(core.id).toBe(call)
      expect(found).toBe(tracker)
    }
    expect(builds()).toBe(2)
  })

  it("builds a tracker layer over the core (a user's layer, or the no-op one)", async () => {
    const { layer } = countingCore()
    const [core, found] = await buildWith(addTracker(layer, NoopTracker.layer), Effect.all([Core, EventTracker]))
    expect(core.id).toBe(1)
    expect(isNoopTracker(found)).toBe(true)
  })

  it("shares one HTTP tracker for a configuration across builds", async () => {
    const { layer } = countingCore()
    const tracked = addTracker(layer, { endpoint: "http://127.0.0.1:9/events", env: "test", serviceKey: "jobs" })
    const first = await buildWith(tracked, EventTracker)
    const second = await buildWith(tracked, EventTracker)
    expect(first).toBe(second)
    expect(isNoopTracker(first)).toBe(false)
  })

  it("turns tracking off for an invalid configuration rather than failing the core", async () => {
    const { layer } = countingCore()
    const [core, found] = await buildWith(
      addTracker(layer, { endpoint: "not a url", env: "test", serviceKey: "jobs" }),
      Effect.all([Core, EventTracker])
    )
    expect(core.id).toBe(1)
    expect(isNoopTracker(found)).toBe(true)
  })

  it("resolveTrackerLayer provides a tracker object as it is", async () => {
    const { tracker } = InMemoryTracker.make()
    expect(await buildWith(resolveTrackerLayer(tracker), EventTracker)).toBe(tracker)
  })
})

describe("withTracking enabled: false", () => {
  it("returns the layer itself", () => {
    const { layer } = countingCore()
    expect(withTracking(layer, { eventMap: toyEventMap, enabled: false })).toBe(layer)
    expect(withTracking(layer, { eventMap: toyEventMap })).not.toBe(layer)
  })
})
