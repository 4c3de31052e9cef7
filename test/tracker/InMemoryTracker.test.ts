import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { createInMemoryTrackerLayer, emitEvent, makeJobEvent } from "../../src/index.js"

const base = { instanceId: "do-1", jobType: "continuous", jobName: "heartbeat" } as const

describe("createInMemoryTrackerLayer", () => {
  it("records events across separate builds of its layer, and reads them by type", async () => {
    const { layer, handle } = createInMemoryTrackerLayer()
    // Two runs, two layer builds: as a jobs runtime does per call.
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.created" })).pipe(Effect.provide(layer)))
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.started" })).pipe(Effect.provide(layer)))

    const all = await Effect.runPromise(handle.getEvents)
    expect(all.map((e) => e.type)).toEqual(["job.created", "job.started"])
    expect(await Effect.runPromise(handle.getEventsByType("job.started"))).toHaveLength(1)
    expect(await Effect.runPromise(handle.hasEvent("job.created"))).toBe(true)
    expect(await Effect.runPromise(handle.hasEvent("job.failed"))).toBe(false)

    await Effect.runPromise(handle.clear)
    expect(await Effect.runPromise(handle.getEvents)).toEqual([])
  })

  it("hands out a copy, not its own buffer", async () => {
    const { layer, handle } = createInMemoryTrackerLayer()
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.created" })).pipe(Effect.provide(layer)))
    const first = await Effect.runPromise(handle.getEvents)
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.started" })).pipe(Effect.provide(layer)))
    expect(first).toHaveLength(1)
  })
})
