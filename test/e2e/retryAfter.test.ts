import { beforeAll, describe, expect, it } from "vitest"
import { cleanupsAfterEach } from "../support/cleanups.js"
import { type EventCollector, startEventCollector } from "../support/collector.js"
import { startWorker, instance, type Bundles, sharedBundles } from "../support/runtime.js"
import { tempDir } from "../support/tempDir.js"

// A collector's Retry-After longer than a flush may wait, in workerd: the object's flushes stop
// sending until it is over, and the time is kept in the object's storage with the saved events,
// so the object honours it after a restart too. (That the first flush after the time sends is
// shown on the TestClock in test/tracker/retryAfterDeferral.test.ts: here it is 10 minutes away.)

const keyPrefix = "tracking:outbox:"
const trackerConfig = (endpoint: string) => ({
  endpoint,
  env: "e2e",
  serviceKey: "jobs-retry-after",
  timeoutMs: 250,
  flushTimeoutMs: 600,
  retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 200 },
  outbox: { keyPrefix }
})
const orders = instance("task", "orders", "or-r", "orders sent while the collector asks for 10 minutes' rest")

let bundles: Bundles
const cleanups = cleanupsAfterEach()
beforeAll(async () => {
  bundles = await sharedBundles({ untracked: false })
})

describe("a collector's Retry-After in workerd", () => {
  it("no request after the one answered 'Retry-After: 600', across calls and a restart; the time is saved with the events", async () => {
    const persist = tempDir("det-e2e-retry-after-")
    cleanups.push(persist.remove)
    const collector: EventCollector = await startEventCollector({
      kind: "status",
      status: 429,
      headers: { "retry-after": "600" }
    })
    cleanups.push(() => collector.close())

    const first = await startWorker({
      script: bundles.tracked,
      tracker: trackerConfig(collector.url),
      persistDir: persist.path
    })
    let firstDisposed = false
    cleanups.push(() => (firstDisposed ? undefined : first.dispose()))
    const calls = [
      await first.call("task", "orders", "send", { id: "or-r", event: { kind: "now" } }),
      await first.call("task", "orders", "send", { id: "or-r", event: { kind: "now" } }),
      await first.call("task", "orders", "status", "or-r")
    ]
    expect(calls.filter((call) => !call.result.ok)).toEqual([])
    // The first call's flush was answered 429 and not retried (600 s > maxDelayMs); the calls
    // after it sent nothing.
    expect(collector.requests.map((request) => request.status)).toEqual([429])
    const saved = (await first.storageKeys(orders.instanceName)).filter((key) => key.startsWith(keyPrefix))
    expect(saved).toContain(`${keyPrefix}~notBefore`)
    // The events of the first call (those the collector refused) and of the second one, kept while deferred.
    const refused = collector.requests[0]!.eventIds
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.filter((id) => !saved.includes(keyPrefix + id))).toEqual([])
    expect(saved.length).toBeGreaterThan(refused.length + 2)
    await first.dispose()
    firstDisposed = true

    // workerd restarts over the same storage; the collector would now accept everything.
    await collector.setMode({ kind: "ok" })
    const second = await startWorker({
      script: bundles.tracked,
      tracker: trackerConfig(collector.url),
      persistDir: persist.path
    })
    cleanups.push(() => second.dispose())
    const afterRestart = await second.call("task", "orders", "send", { id: "or-r", event: { kind: "now" } })
    expect(afterRestart.result.ok).toBe(true)
    expect(collector.requests).toHaveLength(1)
    expect(await second.storageKeys(orders.instanceName)).toContain(`${keyPrefix}~notBefore`)
  })
})
