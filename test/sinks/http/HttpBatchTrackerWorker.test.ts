import { builtinModules } from "node:module"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startMiniflare } from "../../support/runtime.js"
import { type Collector, startCollector } from "../../support/collector.js"
import { bundleForWorker } from "../../support/workerBundle.js"

// The tracker must run unchanged in a Cloudflare Worker: bundle it for a neutral platform
// (which fails on any Node built-in) and run it in workerd.

let collector: Collector
let script: string
let inputs: ReadonlyArray<string>
beforeAll(async () => {
  collector = await startCollector()
  ;({ text: script, inputs } = await bundleForWorker({
    entryPoints: [fileURLToPath(new URL("../../support/workers/tracker-worker.ts", import.meta.url))]
  }))
})
afterAll(async () => {
  await collector.close()
})

describe("HttpBatchTracker in a Cloudflare Worker", () => {
  it("bundles without Node built-ins", () => {
    // What esbuild says went in (the bundle's own text could mention "node:" in a string).
    expect(inputs.length).toBeGreaterThan(0)
    expect(inputs.filter((path) => path.startsWith("node:") || builtinModules.includes(path))).toEqual([])
  })

  it("runs in workerd with the platform fetch: keeps events across a failed flush, then delivers them", async () => {
    collector.enqueue({ status: 503 })
    const { mf, dispose } = await startMiniflare({
      modules: true,
      script,
      compatibilityDate: "2025-01-01",
      bindings: { ENDPOINT: collector.url }
    })
    try {
      const response = await mf.dispatchFetch("http://localhost/")
      const body = (await response.json()) as { stats: Record<string, unknown>; resolvedIsLayer: boolean }
      expect(body.resolvedIsLayer).toBe(true)
      expect(body.stats).toMatchObject({
        emitted: 3,
        sent: 3,
        requeued: 3,
        pending: 0,
        lastFailure: { kind: "status", status: 503 }
      })
    } finally {
      await dispose()
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
