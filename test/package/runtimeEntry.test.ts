import { build } from "esbuild"
import { builtinModules } from "node:module"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import {
  baselineWorkerBundle,
  bundleWorker,
  trackedWorkerBundle,
  type WorkerBundle
} from "../../bench/benchmarks/bundle.js"
import { startMiniflare } from "../support/runtime.js"

const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url))

// A Worker that uses the runtime entry the way a jobs runtime does: a tracker, the schema, emit.
const workerSource = `
import { Effect, Schema } from "effect"
import { InMemoryTracker, emitEvent, makeJobEvent, JobEvent, withTracking, NoopTracker } from "durable-effect-tracking"
export default {
  async fetch() {
    const memory = InMemoryTracker.make()
    const { handle } = memory
    const layer = InMemoryTracker.layer(memory)
    const event = makeJobEvent({ type: "job.created", instanceId: "do-1", jobType: "task", jobName: "probe" })
    await Effect.runPromise(emitEvent(event).pipe(Effect.provide(layer)))
    const events = await Effect.runPromise(handle.getEvents())
    const decoded = Schema.decodeUnknownSync(Schema.Array(JobEvent))(events)
    return Response.json({ types: decoded.map((e) => e.type), wrapped: typeof withTracking, noop: typeof NoopTracker.layer })
  }
}
`

// A tracked Worker whose tracker has a durable outbox (the bench's tracked Worker has none).
const outboxWorkerSource = `
import { Effect } from "effect"
import { durableOutbox, flushEvents, HttpBatchTracker } from "durable-effect-tracking"
export default {
  async fetch(_request: Request, env: { EVENTS_URL: string }) {
    const tracker = HttpBatchTracker.layer({ endpoint: env.EVENTS_URL, env: "prod", serviceKey: "jobs", outbox: durableOutbox() })
    await Effect.runPromise(flushEvents.pipe(Effect.provide(tracker)))
    return new Response("ok")
  }
}
`

// A tracked Worker whose tracker is told the jobs vocabulary (the bench's tracked Worker is told none).
const gatedWorkerSource = `
import { Effect } from "effect"
import { flushEvents, HttpBatchTracker, jobEvents, vocabularyGate } from "durable-effect-tracking"
export default {
  async fetch(_request: Request, env: { EVENTS_URL: string }) {
    const tracker = HttpBatchTracker.layer({ endpoint: env.EVENTS_URL, env: "prod", serviceKey: "jobs", vocabularies: vocabularyGate(jobEvents) })
    await Effect.runPromise(flushEvents.pipe(Effect.provide(tracker)))
    return new Response("ok")
  }
}
`

const vocabularyGateModule = /(^|\/)src\/delivery\/VocabularyGate\.ts$/

/** The bytes the inputs whose path matches put in a bundle. */
const bytesOf = (bundle: WorkerBundle, path: RegExp): number =>
  [...bundle.bytesByInput].reduce((sum, [input, bytes]) => (path.test(input) ? sum + bytes : sum), 0)

/** The durable outbox's modules that put code in a bundle, by file name. */
const outboxModules = (bundle: WorkerBundle): ReadonlyArray<string> =>
  [...bundle.bytesByInput]
    .filter(([path, bytes]) => bytes > 0 && /(^|\/)src\/delivery\/(Durable|Transactional)?Outbox\.ts$/.test(path))
    .map(([path]) => path.slice(path.lastIndexOf("/") + 1))
    .sort()

describe("the runtime entry", () => {
  it("bundles for a Worker without Node built-ins, and runs in workerd", async () => {
    const bundled = await build({
      stdin: { contents: workerSource, resolveDir: process.cwd(), loader: "ts" },
      alias: { "durable-effect-tracking": entry },
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      conditions: ["workerd", "worker", "browser"],
      metafile: true,
      logLevel: "silent"
    })
    const inputs = Object.keys(bundled.metafile.inputs)
    const nodeOnly = inputs.filter(
      (path) => path.startsWith("node:") || builtinModules.includes(path) || path.includes("ts-morph")
    )
    expect(nodeOnly).toEqual([])

    const { mf, dispose } = await startMiniflare({
      modules: true,
      script: bundled.outputFiles[0]!.text,
      compatibilityDate: "2025-01-01"
    })
    try {
      const response = await mf.dispatchFetch("http://worker/")
      expect(await response.json()).toEqual({ types: ["job.created"], wrapped: "function", noop: "object" })
    } finally {
      await dispose()
    }
  })

  it("withTracking, HttpBatchTracker.make and addTracker bundle for a Worker without Node built-ins, the event schema, the durable outbox or the coverage requirements", async () => {
    const bundle = await trackedWorkerBundle()
    const nodeOnly = bundle.inputs.filter((path) => path.startsWith("node:") || builtinModules.includes(path))
    expect(nodeOnly).toEqual([])
    // Tracking needs the event types, not the schema: Schema, ParseResult and fast-check stay out.
    const schemaModules = [...bundle.bytesByInput]
      .filter(
        ([path, bytes]) => bytes > 0 && /effect\/dist\/esm\/(Schema|ParseResult|FastCheck)\.js$|fast-check/.test(path)
      )
      .map(([path]) => path)
    expect(schemaModules).toEqual([])
    // Without an outbox, none of the outbox's code (issue 25): it comes with durableOutbox().
    expect(outboxModules(bundle)).toEqual([])
    // Told no vocabularies, none of the vocabulary gate's code (issue 25): it comes with vocabularyGate().
    expect(bytesOf(bundle, vocabularyGateModule)).toBe(0)
    // The default map's requirements, which only coverage reads, stay out (issue 25).
    expect(bytesOf(bundle, /(^|\/)src\/jobs\/requirements\.ts$/)).toBe(0)
    // No effect namespace a Worker that uses Effect, Layer and Context does not already carry:
    // `import { FiberRef } from "effect"` would bundle FiberRef's every export (issue 25).
    const baseline = await baselineWorkerBundle()
    expect(bytesOf(bundle, /effect\/dist\/esm\/FiberRef\.js$/)).toBeLessThan(
      bytesOf(baseline, /effect\/dist\/esm\/FiberRef\.js$/) + 200
    )
  })

  it("bundles the vocabulary gate's code when the tracker is given vocabularyGate()", async () => {
    expect(bytesOf(await bundleWorker(gatedWorkerSource), vocabularyGateModule)).toBeGreaterThan(0)
  })

  it("bundles the durable outbox's code when the tracker is given durableOutbox()", async () => {
    expect(outboxModules(await bundleWorker(outboxWorkerSource))).toEqual([
      "DurableOutbox.ts",
      "Outbox.ts",
      "TransactionalOutbox.ts"
    ])
  })
})
