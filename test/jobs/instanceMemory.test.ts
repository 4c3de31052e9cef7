import { Effect, Layer } from "effect"
import { createTestRuntime, RuntimeAdapter, type RuntimeLayer } from "@durable-effect/core"
import { describe, expect, it } from "vitest"
import { forgetInstanceMemory, instanceMemory, instanceMemoryCapacity } from "../../src/jobs/instanceMemory.js"
import { InMemoryTracker, checkEventSequence, type JobEvent } from "durable-effect-tracking"
import { alarmFirer, runtimeOver, trackedDispatcherLayer } from "../support/jobsHarness.js"
import { clicks, heartbeat, orders, requests } from "../support/jobScenarios.js"

/**
 * A jobs runtime builds its whole layer graph anew on every call. Over a core whose layer makes
 * its adapters per build (a `RuntimeAdapter` made in `Layer.effect`, as a Durable Object core
 * may), every call sees another adapter object: what tracking remembers of an instance must
 * not hang on that object.
 */
const adapterPerBuild = (core: RuntimeLayer, built: Set<object>): RuntimeLayer =>
  Layer.effect(
    RuntimeAdapter,
    Effect.map(RuntimeAdapter, (adapter) => {
      const fresh = { instanceId: adapter.instanceId, now: adapter.now }
      built.add(fresh)
      return fresh
    })
  ).pipe(Layer.provideMerge(core))

describe("instance memory: kept by instance id, it survives per-call layer rebuilds", () => {
  it("every alarm.fired says when it was set for, and a flushAfter flush its batch, though each call has its own RuntimeAdapter", async () => {
    const adapters = new Set<object>()
    const tracker = InMemoryTracker.make<JobEvent>()
    // One instance per job, each its own Durable Object.
    const instance = (instanceId: string, definitions: Parameters<typeof trackedDispatcherLayer>[2]) => {
      forgetInstanceMemory(instanceId)
      const { layer, handles } = createTestRuntime({ instanceId })
      const runtime = runtimeOver(
        trackedDispatcherLayer(adapterPerBuild(layer, adapters), tracker.tracker, definitions)
      )
      return { runtime, fireAlarm: alarmFirer(handles, runtime) }
    }

    const continuous = instance("per-build-continuous", { heartbeat })
    await continuous.runtime.handle(requests.start("heartbeat"))
    await continuous.fireAlarm()
    await continuous.fireAlarm()
    await continuous.runtime.handle(requests.terminate("heartbeat", "done"))
    const task = instance("per-build-task", { orders })
    await task.runtime.handle(requests.send("later"))
    await task.fireAlarm()
    const debounce = instance("per-build-debounce", { clicks: clicks() })
    await debounce.runtime.handle(requests.add("/a"))
    await debounce.runtime.handle(requests.add("/b"))
    await debounce.fireAlarm()

    // The runtime really did hand each call its own adapter.
    expect(adapters.size).toBeGreaterThan(5)
    const events = await Effect.runPromise(tracker.handle.getEvents())
    expect(checkEventSequence(events)).toEqual([])
    const fired = events.filter((event) => event.type === "alarm.fired")
    expect(fired).toHaveLength(4)
    // Each alarm fired at the time the last alarm.scheduled before it set.
    for (const event of fired) {
      const scheduled = events
        .slice(0, events.indexOf(event))
        .filter((earlier) => earlier.type === "alarm.scheduled" && earlier.instanceId === event.instanceId)
        .at(-1)
      expect(scheduled?.type === "alarm.scheduled" ? scheduled.scheduledAt : undefined).toBeDefined()
      expect(event).toMatchObject({
        scheduledAt: scheduled?.type === "alarm.scheduled" ? scheduled.scheduledAt : "none",
        timestamp: event.scheduledAt
      })
    }
    expect(events.find((event) => event.type === "debounce.flush.triggered")).toMatchObject({
      reason: "flushAfter",
      eventCount: 2
    })
  })

  it(`remembers at most ${instanceMemoryCapacity} instances, forgetting the one used longest ago`, () => {
    const id = (n: number) => `capacity-${n}`
    for (let n = 0; n < instanceMemoryCapacity; n++) instanceMemory(id(n)).alarmAt = n
    // Using the oldest makes it the newest: the next one out is the second.
    expect(instanceMemory(id(0)).alarmAt).toBe(0)
    instanceMemory(id(instanceMemoryCapacity))
    expect(instanceMemory(id(0)).alarmAt).toBe(0)
    expect(instanceMemory(id(2)).alarmAt).toBe(2)
    expect(instanceMemory(id(1)).alarmAt).toBeUndefined()
  })
})
