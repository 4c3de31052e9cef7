import { beforeAll, describe, expect, it } from "vitest"
import { cleanupsAfterEach } from "../support/cleanups.js"
import { type EventCollector, startEventCollector } from "../support/collector.js"
import {
  type RunningWorker,
  startWorker,
  instance,
  waitForStories,
  type Bundles,
  type ExpectedInstance,
  expectStories,
  one,
  sequence,
  sharedBundles
} from "../support/runtime.js"
import { tempDir } from "../support/tempDir.js"
import { waitUntil } from "../support/wait.js"
import { outagePart, settlePart, statusOfEach, steadyExpected, steadyInstances } from "../support/steady.js"

// Durable delivery: with `outbox`, events a flush could not deliver are kept in the Durable
// Object's storage and survive a restart of workerd; without it, tracking writes nothing there.

const deployment = { env: "e2e", serviceKey: "jobs-outbox" }
const keyPrefix = "tracking:outbox:"
// Short timeouts while the collector fails (its 503s are answered at once anyway); patient ones
// once it is back, so that a busy machine cannot turn a delivered batch into a timed-out one
// whose keys stay behind.
const trackerConfig = (endpoint: string, outbox: boolean, patient = false) => ({
  endpoint,
  ...deployment,
  timeoutMs: patient ? 30_000 : 250,
  flushTimeoutMs: patient ? 60_000 : 600,
  retry: { maxAttempts: 1 },
  ...(outbox ? { outbox: { keyPrefix } } : {})
})

// Its flushAfter alarm (an hour out) is still pending when workerd stops; fired after the restart.
const pendingAlarm = instance("debounce", "clicks", "ck-o", "a click; its alarm fires after the restart")
const pendingAlarmStory: ExpectedInstance = {
  instance: pendingAlarm,
  types: sequence(
    one("job.created", "job.started", "alarm.scheduled", "debounce.event.added"),
    one(
      "alarm.fired",
      "debounce.flush.triggered",
      "execution.started",
      "execution.succeeded",
      "job.completed",
      "alarm.cancelled"
    )
  )
}
const allInstances = [...Object.values(steadyInstances), pendingAlarm]
/** A status call to every instance: each call's run ends with a flush of what the object holds. */
const prodEach = async (worker: RunningWorker) => {
  await statusOfEach(worker)
  await worker.call(pendingAlarm.jobType, pendingAlarm.jobName, "status", pendingAlarm.instanceName.split(":")[2])
}

const keysOf = async (worker: RunningWorker) =>
  Object.fromEntries(
    await Promise.all(
      allInstances.map(async (i) => [i.instanceName, [...(await worker.storageKeys(i.instanceName))].sort()] as const)
    )
  )
const outboxKeysOf = (keys: Record<string, ReadonlyArray<string>>) =>
  Object.values(keys).flatMap((list) => list.filter((key) => key.startsWith(keyPrefix)))

let bundles: Bundles
const cleanups = cleanupsAfterEach()
beforeAll(async () => {
  bundles = await sharedBundles()
})

const started = async <A extends { dispose?: () => Promise<void>; close?: () => Promise<void> }>(
  thing: A
): Promise<A> => {
  cleanups.push(() => (thing.dispose ?? thing.close)!.call(thing))
  return thing
}

describe("durable delivery (outbox) in workerd", () => {
  it("keeps undelivered events in the object's storage across a restart, and sends them on the next request or alarm", async () => {
    const persist = tempDir("det-e2e-persist-")
    cleanups.push(persist.remove)
    const collector: EventCollector = await started(await startEventCollector({ kind: "status", status: 503 }))

    // First life: the collector is down the whole time.
    const first = await startWorker({
      script: bundles.tracked,
      tracker: trackerConfig(collector.url, true),
      persistDir: persist.path
    })
    let firstDisposed = false
    cleanups.push(() => (firstDisposed ? undefined : first.dispose()))
    await outagePart(first)
    await settlePart(first)
    await first.call("debounce", "clicks", "add", { id: "ck-o", event: { page: "/late" } })
    const attempted = collector.requests.flatMap((request) => request.eventIds)
    const saved = outboxKeysOf(await keysOf(first))
      .map((key) => key.slice(keyPrefix.length))
      .filter((id) => id !== "")
    expect(collector.events()).toEqual([])
    expect(attempted.length).toBeGreaterThan(0)
    expect(attempted.filter((id) => !saved.includes(id))).toEqual([])
    await first.dispose()
    firstDisposed = true

    // The collector is back; workerd starts again over the same storage.
    await collector.setMode({ kind: "ok" })
    const second = await started(
      await startWorker({
        script: bundles.tracked,
        tracker: trackerConfig(collector.url, true, true),
        persistDir: persist.path
      })
    )
    // The next request to each instance sends what it saved; the pending alarm does it for its own.
    await statusOfEach(second)
    await second.fireAlarm(pendingAlarm.instanceName)
    const expected = [...steadyExpected, pendingAlarmStory]
    await waitForStories(collector, second, expected, () => prodEach(second))
    await expectStories(collector, second, expected, deployment)
    const accepted = new Set(collector.events().map((received) => received.event.eventId))
    expect(saved.filter((id) => !accepted.has(id))).toEqual([])
    // Delivered: the outbox empties again. The keys of a batch go once its answer is in, which
    // for an alarm's run can be after the collector has the events: wait for that, not a time,
    // and give each object a call meanwhile (what removes keys is a flush, and calls flush).
    const left = await waitUntil(
      "the outbox to empty after delivery",
      async () => {
        const keys = outboxKeysOf(await keysOf(second))
        if (keys.length > 0) await prodEach(second)
        return keys.length === 0 ? keys : undefined
      },
      { everyMs: 100 }
    )
    expect(left).toEqual([])
  })

  it("without the option nothing is written to storage; with it and a healthy collector, nothing either", async () => {
    const untracked = await started(await startWorker({ script: bundles.untracked }))
    await outagePart(untracked)
    await settlePart(untracked)
    const untrackedKeys = await keysOf(untracked)

    const failing = await started(await startEventCollector({ kind: "status", status: 503 }))
    const noOutbox = await started(
      await startWorker({ script: bundles.tracked, tracker: trackerConfig(failing.url, false) })
    )
    await outagePart(noOutbox)
    await settlePart(noOutbox)
    expect(failing.requests.length).toBeGreaterThan(0)
    expect(await keysOf(noOutbox)).toEqual(untrackedKeys)

    const healthy = await started(await startEventCollector())
    const withOutbox = await started(
      await startWorker({ script: bundles.tracked, tracker: trackerConfig(healthy.url, true) })
    )
    await outagePart(withOutbox)
    await settlePart(withOutbox)
    expect(healthy.events().length).toBeGreaterThan(0)
    expect(await keysOf(withOutbox)).toEqual(untrackedKeys)
  })
})
