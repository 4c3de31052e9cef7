import { beforeAll, describe, expect, it } from "vitest"
import { cleanupsAfterEach } from "../support/cleanups.js"
import { type EventCollector, startEventCollector } from "../support/collector.js"
import { type Bundles, instance, type RunningWorker, sharedBundles, startWorker } from "../support/runtime.js"
import { waitUntil } from "../support/wait.js"

// `lingerMs` in workerd: a call's flush leaves its events waiting, and a timer in the Durable
// Object sends them after the request has ended, with no later call. (How the wait is bounded
// and shared between flushes is shown on the TestClock in test/sinks/http/linger.test.ts.)

const keyPrefix = "tracking:outbox:"
const trackerConfig = (endpoint: string, lingerMs: number, outbox?: Record<string, unknown>) => ({
  endpoint,
  env: "e2e",
  serviceKey: "jobs-linger",
  lingerMs,
  ...(outbox === undefined ? {} : { outbox })
})

let bundles: Bundles
const cleanups = cleanupsAfterEach()
beforeAll(async () => {
  bundles = await sharedBundles({ untracked: false })
})

/** A worker tracked with `lingerMs`, sending to a collector of its own; both stopped after the test. */
const tracked = async (
  lingerMs: number,
  outbox?: Record<string, unknown>
): Promise<{ worker: RunningWorker; collector: EventCollector }> => {
  const collector = await startEventCollector()
  cleanups.push(() => collector.close())
  const worker = await startWorker({ script: bundles.tracked, tracker: trackerConfig(collector.url, lingerMs, outbox) })
  cleanups.push(() => worker.dispose())
  return { worker, collector }
}

/** Three calls on one task instance, each answered. */
const orders = async (worker: RunningWorker, id: string) => {
  const calls = [
    await worker.call("task", "orders", "send", { id, event: { kind: "now" } }),
    await worker.call("task", "orders", "send", { id, event: { kind: "now" } }),
    await worker.call("task", "orders", "status", id)
  ]
  expect(calls.filter((call) => !call.result.ok)).toEqual([])
}

const types = (collector: EventCollector) => collector.events().map((received) => received.event.type)

describe("lingerMs in workerd", () => {
  it("calls' flushes send nothing while less than a batch waits; a timer sends it after the last request ended", async () => {
    // What the calls emit, each call's flush sending it (the default).
    const eager = await tracked(0)
    await orders(eager.worker, "or-l")
    const expected = types(eager.collector)
    expect(expected.length).toBeGreaterThan(3)
    expect(eager.collector.requests.length).toBeGreaterThanOrEqual(2)

    // A minute of linger: no call's flush sends (the calls take far less than a minute).
    const waiting = await tracked(60_000)
    await orders(waiting.worker, "or-l")
    expect(waiting.collector.requests).toHaveLength(0)

    // 200 ms: the same events arrive with no call after the last one, all of them.
    const lingering = await tracked(200)
    await orders(lingering.worker, "or-l")
    await waitUntil("the lingering events to arrive", () =>
      types(lingering.collector).length >= expected.length ? true : undefined
    )
    expect(types(lingering.collector)).toEqual(expected)
    expect(lingering.collector.invalidBodies).toEqual([])
  })

  it("with an outbox, what waits is in the object's storage until the timer's flush delivered it", async () => {
    const { worker, collector } = await tracked(60_000, { keyPrefix })
    await orders(worker, "or-lo")
    expect(collector.requests).toHaveLength(0)
    const saved = (await worker.storageKeys(instance("task", "orders", "or-lo", "").instanceName)).filter((key) =>
      key.startsWith(keyPrefix)
    )
    expect(saved.length).toBeGreaterThan(3)

    // The same with a short wait: delivered by the timer, then deleted from storage by it.
    const short = await tracked(200, { keyPrefix })
    await orders(short.worker, "or-ls")
    await waitUntil("the lingering events to arrive", () => (short.collector.events().length > 3 ? true : undefined))
    const name = instance("task", "orders", "or-ls", "").instanceName
    await waitUntil("the delivered events to leave storage", async () =>
      (await short.worker.storageKeys(name)).some(
        (key) => key.startsWith(keyPrefix) && key.length > keyPrefix.length && !key.startsWith(`${keyPrefix}~`)
      )
        ? undefined
        : true
    )
    expect(short.collector.invalidBodies).toEqual([])
  })
})
