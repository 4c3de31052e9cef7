import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { type EventCollector, startEventCollector } from "../support/collector.js"
import {
  type RunningWorker,
  startWorker,
  runScenario,
  waitForStories,
  type Bundles,
  expectStories,
  sharedBundles
} from "../support/runtime.js"
import { JobEventTypes } from "durable-effect-tracking"
import { scenarioStories as expected } from "../support/scenarioStories.js"

// The codemodded fixture in workerd (Miniflare 4): real Durable Object storage and alarms (each
// fired when the scenario says, see runScenario), the HTTP batch tracker posting to a node:http collector.

const deployment = { env: "e2e", serviceKey: "jobs-e2e" }

let bundles: Bundles
let collector: EventCollector | undefined
let worker: RunningWorker | undefined
beforeAll(async () => {
  bundles = await sharedBundles({ untracked: false })
})
afterEach(async () => {
  await worker?.dispose()
  await collector?.close()
  worker = collector = undefined
})

describe("end to end in workerd", () => {
  it("every job type, retries and terminations: the collector gets each instance's story, in order", async () => {
    collector = await startEventCollector()
    worker = await startWorker({ script: bundles.tracked, tracker: { endpoint: collector.url, ...deployment } })

    await runScenario(worker)
    await waitForStories(collector, worker, expected)

    await expectStories(collector, worker, expected, deployment)
    expect(collector.duplicates()).toBe(0)
    expect(collector.requests.every((request) => request.status === 200)).toBe(true)
    expect(new Set(collector.events().map((received) => received.event.type))).toEqual(new Set(JobEventTypes))
    // What tracking remembers of an instance (kept by its id) lasts across the Durable Object's
    // calls, each of which builds the layers anew: an alarm that fired at the time its
    // instance's last alarm.scheduled set says so. The scenario brings the jobs' hour-out alarms
    // forward with storage.setAlarm, which tracking does not see: those fire before the time it
    // remembers, and say nothing (docs/events.md, alarm.fired).
    const wires = collector.events().map((received) => received.event)
    const fired = wires.filter((event) => event.type === "alarm.fired")
    let onTime = 0
    for (const event of fired) {
      const set = wires
        .slice(0, wires.indexOf(event))
        .filter((earlier) => earlier.type === "alarm.scheduled" && earlier.instanceId === event.instanceId)
        .at(-1)
      const setFor = set !== undefined && "scheduledAt" in set ? set.scheduledAt : undefined
      const firedOnTime = setFor !== undefined && Date.parse(setFor) <= Date.parse(event.timestamp)
      if (firedOnTime) onTime++
      expect(
        "scheduledAt" in event ? event.scheduledAt : undefined,
        `${event.jobName} alarm.fired at ${event.timestamp}`
      ).toBe(firedOnTime ? setFor : undefined)
    }
    // The workerPool's alarms are set for "now" by the package itself: they fire on time.
    expect(onTime).toBeGreaterThanOrEqual(2)
    // Events carry no job payloads by default: no job input, event or state values.
    const raw = JSON.stringify(collector.events())
    for (const payload of ["ada@example.com", "/pricing", "beats"]) expect(raw.includes(payload), payload).toBe(false)
  })
})
