import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { InMemoryTracker, emitEvent, EventTracker, makeJobEvent } from "durable-effect-tracking"

const base = { instanceId: "do-1", jobType: "continuous", jobName: "heartbeat" } as const

describe("InMemoryTracker.make and InMemoryTracker.layer", () => {
  it("records events across separate builds of its layer, and reads them by type", async () => {
    const memory = InMemoryTracker.make()
    const { handle } = memory
    const layer = InMemoryTracker.layer(memory)
    // Two runs, two layer builds: as a jobs runtime does per call.
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.created" })).pipe(Effect.provide(layer)))
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.started" })).pipe(Effect.provide(layer)))

    const all = await Effect.runPromise(handle.getEvents())
    expect(all.map((e) => e.type)).toEqual(["job.created", "job.started"])
    expect(await Effect.runPromise(handle.getEventsByType("job.started"))).toHaveLength(1)
    expect(await Effect.runPromise(handle.hasEvent("job.created"))).toBe(true)
    expect(await Effect.runPromise(handle.hasEvent("job.failed"))).toBe(false)

    await Effect.runPromise(handle.clear())
    expect(await Effect.runPromise(handle.getEvents())).toEqual([])
  })

  it("hands out a copy, not its own buffer", async () => {
    const memory = InMemoryTracker.make()
    const { handle } = memory
    const layer = InMemoryTracker.layer(memory)
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.created" })).pipe(Effect.provide(layer)))
    const first = await Effect.runPromise(handle.getEvents())
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.started" })).pipe(Effect.provide(layer)))
    expect(first).toHaveLength(1)
  })
})

// Written as a test against @durable-effect/core's in-memory tracker is: only the import differs.
describe("the in-memory tracker, used as core's", () => {
  it("yields { service, handle } in Effect.gen, and its handle's functions return Effects", async () => {
    const program = Effect.gen(function* () {
      const { service, handle } = yield* InMemoryTracker.make()
      yield* service.emit(makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "mailer" }))
      const events = yield* handle.getEvents()
      const created = yield* handle.getEventsByType("job.created")
      const started = yield* handle.hasEvent("job.started")
      yield* handle.clear()
      return { events: events.length, created: created.length, started, after: (yield* handle.getEvents()).length }
    })
    expect(await Effect.runPromise(program)).toEqual({ events: 1, created: 1, started: false, after: 0 })
  })

  it("its layer provides the very tracker the handle reads", async () => {
    const program = Effect.gen(function* () {
      const memory = yield* InMemoryTracker.make()
      const { handle } = memory
      const layer = InMemoryTracker.layer(memory)
      yield* Effect.flatMap(EventTracker, (tracker) =>
        tracker.emit(makeJobEvent({ type: "job.started", instanceId: "i-2", jobType: "task", jobName: "mailer" }))
      ).pipe(Effect.provide(layer))
      return yield* handle.hasEvent("job.started")
    })
    expect(await Effect.runPromise(program)).toBe(true)
  })
})
