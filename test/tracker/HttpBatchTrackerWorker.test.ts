import { Miniflare } from "miniflare"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Collector, startCollector } from "./support/collector.js"
import { bundleForWorker } from "./support/workerBundle.js"

// The tracker must run unchanged in a Cloudflare Worker: bundle it for a neutral platform
// (which fails on any Node built-in) and run it in workerd.

let collector: Collector
let script: string
beforeAll(async () => {
  collector = await startCollector()
  script = (await bundleForWorker({ entryPoints: [fileURLToPath(new URL("./support/tracker-worker.ts", import.meta.url))] })).text
})
afterAll(async () => {
  await collector.close()
})

describe("HttpBatchTracker in a Cloudflare Worker", () => {
  it("bundles without Node built-ins", () => {
    expect(script).not.toMatch(/from\s*["']node:|require\(["']node:/)
  })

  it("runs in workerd with the platform fetch: keeps events across a failed flush, then delivers them", async () => {
    collector.enqueue({ status: 503 })
    const mf = new Miniflare({
      modules: true,
      script,
      compatibilityDate: "2025-01-01",
      bindings: { ENDPOINT: collector.url }
    })
    try {
      const response = await mf.dispatchFetch("http://localhost/")
      const body = (await response.json()) as { stats: Record<string, unknown>; resolvedIsLayer: boolean }
      expect(body.resolvedIsLayer).toBe(true)
      expect(body.stats).toMatchObject({ emitted: 3, sent: 3, requeued: 3, pending: 0, lastFailure: { kind: "status", status: 503 } })
    } finally {
      await mf.dispose()
    }
    expect(collector.requests.map((r) => r.status)).toEqual([503, 200])
    const [failed, delivered] = collector.requests.map((r) => r.json as { events: Array<Record<string, unknown>> })
    expect(delivered).toEqual(failed)
    expect(delivered?.events.map((e) => [e.eventId, e.env, e.serviceKey])).toEqual([
      ["event-0", "worker", "svc"],
      ["event-1", "worker", "svc"],
      ["event-2", "worker", "svc"]
    ])
  })
})
