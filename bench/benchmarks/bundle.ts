import { gzipSync } from "node:zlib"
import { fileURLToPath } from "node:url"
import { bundleForWorker } from "../../test/support/workerBundle.js"
import { round, type BenchmarkResult } from "../stats.js"
import type { Scale } from "./scale.js"

const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url))
const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

// Both Workers use effect's Effect, Layer and Context the way a jobs runtime does (a service
// layer, provided and run); the tracked one also wraps it and joins an HTTP batch tracker.
const baselineWorker = `
import { Context, Effect, Layer } from "effect"
class Greeter extends Context.Tag("bench/Greeter")<Greeter, { greet(): Effect.Effect<string> }>() {}
const GreeterLayer = Layer.succeed(Greeter, { greet: () => Effect.succeed("hi") })
export default {
  async fetch() {
    const text = await Effect.runPromise(Effect.flatMap(Greeter, (g) => g.greet()).pipe(Effect.provide(GreeterLayer)))
    return new Response(text)
  }
}
`

const trackedWorker = `
import { Context, Effect, Layer } from "effect"
import { addTracker, defaultJobsEventMap, HttpBatchTracker, withTracking } from "durable-effect-tracking"
class Greeter extends Context.Tag("bench/Greeter")<Greeter, { greet(): Effect.Effect<string> }>() {}
const GreeterLayer = Layer.succeed(Greeter, { greet: () => Effect.succeed("hi") })
export default {
  async fetch(_request: Request, env: { EVENTS_URL: string }) {
    const tracker = HttpBatchTracker.make({ endpoint: env.EVENTS_URL, env: "prod", serviceKey: "jobs" })
    const layer = withTracking(GreeterLayer, { eventMap: defaultJobsEventMap }).pipe(Layer.provide(addTracker(Layer.empty, tracker)))
    const text = await Effect.runPromise(Effect.flatMap(Greeter, (g) => g.greet()).pipe(Effect.provide(layer)))
    return new Response(text)
  }
}
`

export interface WorkerBundle {
  readonly bytes: number
  readonly gzipBytes: number
  /** Every input file, for checks (no Node built-ins). */
  readonly inputs: ReadonlyArray<string>
  /** Minified bytes each input file contributes to the output. */
  readonly bytesByInput: ReadonlyMap<string, number>
}

/** A Worker script bundled as wrangler would (ESM, minified, Worker conditions), this library from source. */
export const bundleWorker = async (source: string): Promise<WorkerBundle> => {
  const bundle = await bundleForWorker({
    stdin: { contents: source, resolveDir: repoRoot, loader: "ts" },
    alias: { "durable-effect-tracking": entry },
    minify: true
  })
  return {
    bytes: bundle.contents.byteLength,
    gzipBytes: gzipSync(bundle.contents, { level: 9 }).byteLength,
    inputs: bundle.inputs,
    bytesByInput: bundle.bytesByInput
  }
}

export const trackedWorkerBundle = () => bundleWorker(trackedWorker)
export const baselineWorkerBundle = () => bundleWorker(baselineWorker)

const packageOf = (path: string): string => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:dist\/[^/]+\/)?(.*)$/.exec(path)
  return match === null ? path : `${match[1]}/${match[2]}`
}

/**
 * What `withTracking` (with `defaultJobsEventMap`, as a jobs Worker passes it) + `HttpBatchTracker.make` + `addTracker` add to a minified Worker bundle
 * that already uses effect's Effect, Layer and Context, in gzip bytes.
 */
export const workerBundle = async (_scale: Scale): Promise<BenchmarkResult> => {
  const baseline = await baselineWorkerBundle()
  const tracked = await trackedWorkerBundle()
  const addedKiB = (tracked.gzipBytes - baseline.gzipBytes) / 1024
  // Where the added bytes come from (minified, before gzip), largest first.
  const added = [...tracked.bytesByInput]
    .map(([path, bytes]) => [packageOf(path), bytes - (baseline.bytesByInput.get(path) ?? 0)] as const)
    .filter(([, bytes]) => bytes > 0)
    .sort((a, b) => b[1] - a[1])
  return {
    name: "worker-bundle",
    value: round(addedKiB, 1),
    unit: "KiB gzip added over effect's Effect/Layer/Context",
    target: "<= 20",
    met: addedKiB <= 20,
    detail: {
      baseline: { bytes: baseline.bytes, gzipBytes: baseline.gzipBytes },
      tracked: { bytes: tracked.bytes, gzipBytes: tracked.gzipBytes },
      addedMinifiedBytesByModule: Object.fromEntries(added.slice(0, 25))
    }
  }
}
