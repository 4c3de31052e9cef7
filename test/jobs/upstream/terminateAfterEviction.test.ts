import { Context, Effect, Layer } from "effect"
import { createTestRuntime, RuntimeAdapter, StorageAdapter } from "@durable-effect/core"
import { describe, expect, it } from "vitest"
import { InMemoryTracker, upstreamJobsEventMap } from "durable-effect-tracking"
import { forgetInstanceMemory } from "../../../src/jobs/instanceMemory.js"
import { alarmFirer, runtimeOver, trackedDispatcherLayer } from "../../support/jobsHarness.js"
import { heartbeat, requests } from "../../support/jobScenarios.js"

// upstream's `job.terminated` on a client's terminate carries the job's run count. Tracking
// remembers it from the job's last run, in the isolate; after an eviction (the memory dropped
// between calls, as a fresh isolate has none) it reads it before the purge, once, as the release
// did. A read that fails leaves the event unsent and the terminate as it is.

const runCountKey = "cont:runCount"

/**
 * One Durable Object's storage, alarm and clock, and the runtimes of the isolates that host it in
 * turn: each starts with nothing in memory (as after an eviction) and adapters of its own, over the
 * same storage, whose reads of the run count are counted (and fail on demand). Events go to one
 * in-memory tracker.
 */
const durableObject = (instanceId: string) => {
  const { layer, handles } = createTestRuntime({ instanceId })
  const reads = { runCount: 0, failing: false }
  const memory = InMemoryTracker.make()
  const isolate = () => {
    forgetInstanceMemory(instanceId)
    let adapters: { readonly storage: StorageAdapter["Type"]; readonly runtime: RuntimeAdapter["Type"] } | undefined
    const core = Layer.map(layer, (context) => {
      if (adapters === undefined) {
        const storage = Context.get(context, StorageAdapter)
        adapters = {
          storage: {
            ...storage,
            get: <T>(key: string) =>
              key !== runCountKey
                ? storage.get<T>(key)
                : Effect.suspend(() => {
                    reads.runCount++
                    return reads.failing ? Effect.die(new Error("storage unavailable")) : storage.get<T>(key)
                  })
          },
          runtime: { ...Context.get(context, RuntimeAdapter) }
        }
      }
      return context.pipe(Context.add(StorageAdapter, adapters.storage), Context.add(RuntimeAdapter, adapters.runtime))
    })
    const runtime = runtimeOver(
      trackedDispatcherLayer(core, memory.tracker, { heartbeat }, { eventMap: upstreamJobsEventMap })
    )
    return { runtime, fireAlarm: alarmFirer(handles, runtime) }
  }
  const terminated = async () =>
    ((await Effect.runPromise(memory.handle.getEvents())) as ReadonlyArray<Record<string, unknown>>)
      .filter((event) => event["type"] === "job.terminated")
      .map(({ eventId: _id, timestamp: _at, ...rest }) => rest)
  return { isolate, reads, terminated }
}

const terminatedAfterTwoRuns = (instanceId: string) => ({
  type: "job.terminated",
  source: "job",
  instanceId,
  id: "heartbeat",
  jobType: "continuous",
  jobName: "heartbeat",
  reason: "done",
  runCount: 2
})

/** Starts the job and runs it once more by its alarm, in one isolate: its run count is 2. */
const ranTwice = async (instanceId: string) => {
  const object = durableObject(instanceId)
  const jobs = object.isolate()
  await jobs.runtime.handle(requests.start("heartbeat"))
  await jobs.fireAlarm()
  return { object, jobs, readsByRuns: object.reads.runCount }
}

const terminate = requests.terminate("heartbeat", "done")

describe("upstreamJobsEventMap: job.terminated after an eviction", () => {
  it("in the isolate that ran the job, reads nothing: the run count the last run told", async () => {
    const { object, jobs, readsByRuns } = await ranTwice("instance-kept")
    await jobs.runtime.handle(terminate)
    expect(object.reads.runCount).toBe(readsByRuns)
    expect(await object.terminated()).toEqual([terminatedAfterTwoRuns("instance-kept")])
  })

  it("in a fresh isolate, reads the run count once, before the purge deletes it", async () => {
    const { object, readsByRuns } = await ranTwice("instance-evicted")
    expect(await object.isolate().runtime.handle(terminate)).toMatchObject({ terminated: true })
    expect(object.reads.runCount).toBe(readsByRuns + 1)
    expect(await object.terminated()).toEqual([terminatedAfterTwoRuns("instance-evicted")])
  })

  it("a read that fails: no event, and the terminate answers and purges as it would", async () => {
    const { object, readsByRuns } = await ranTwice("instance-failing")
    object.reads.failing = true
    const fresh = object.isolate()
    expect(await fresh.runtime.handle(terminate)).toMatchObject({ terminated: true })
    expect(object.reads.runCount).toBe(readsByRuns + 1)
    expect(await object.terminated()).toEqual([])
    // Purged: the job is gone.
    const status = { type: "continuous", action: "status", name: "heartbeat", id: "heartbeat" } as const
    expect(await fresh.runtime.handle(status)).toMatchObject({ status: "not_found" })
  })
})
