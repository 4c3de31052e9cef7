import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { newEventId } from "../../src/event/eventId.js"
import { compareInterleaved, median, round, type BenchmarkResult } from "../stats.js"
import { bundleWorker } from "./bundle.js"
import type { Scale } from "./scale.js"

/**
 * The event id made here (`src/event/eventId.ts`) beside the `uuidv7` npm package, the library
 * the design names: time per id (interleaved, same process) and bytes each adds to a minified
 * Worker bundle. `uuidv7` is not a dependency: it is taken from the directory `UUIDV7_PATH`
 * names (an unpacked `npm pack uuidv7@<version>`, or a `node_modules/uuidv7`), else from
 * `node_modules` when installed. Without it, only our own cost per id is reported.
 */

const eventIdModule = fileURLToPath(new URL("../../src/event/eventId.ts", import.meta.url))

interface Uuidv7Package {
  readonly directory: string
  readonly version: string
  readonly entry: string
}

/** Where `uuidv7` is, if anywhere: `UUIDV7_PATH`, then this repository's `node_modules`. */
const findUuidv7 = (): Uuidv7Package | undefined => {
  const candidates = [
    process.env.UUIDV7_PATH,
    fileURLToPath(new URL("../../node_modules/uuidv7", import.meta.url))
  ].filter((path): path is string => path !== undefined && path !== "")
  for (const candidate of candidates) {
    // The package itself, or a directory it was installed into (`npm install --prefix <dir>`).
    const directory = [join(candidate, "node_modules", "uuidv7"), candidate].find(
      (path) => existsSync(join(path, "dist")) && existsSync(join(path, "package.json"))
    )
    if (directory === undefined || !statSync(directory).isDirectory()) continue
    const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as {
      readonly name: string
      readonly version: string
      readonly module?: string
      readonly main?: string
    }
    if (manifest.name !== "uuidv7") continue
    return {
      directory,
      version: manifest.version,
      entry: join(directory, manifest.module ?? manifest.main ?? "index.js")
    }
  }
  return undefined
}

const workerWith = (importLine: string, call: string) => `
${importLine}
export default {
  async fetch() {
    return new Response(${call})
  }
}
`

/** Minified and gzip bytes of a Worker that makes one id per request, beside one that answers a constant. */
const bundleBytes = async (uuidv7: Uuidv7Package | undefined) => {
  const baseline = await bundleWorker(workerWith("", '"hi"'))
  const ours = await bundleWorker(
    workerWith(`import { newEventId } from ${JSON.stringify(eventIdModule)}`, "newEventId()")
  )
  const library =
    uuidv7 === undefined
      ? undefined
      : await bundleWorker(workerWith(`import { uuidv7 } from ${JSON.stringify(uuidv7.entry)}`, "uuidv7()"))
  const added = (bundle: { bytes: number; gzipBytes: number }) => ({
    bytes: bundle.bytes - baseline.bytes,
    gzipBytes: bundle.gzipBytes - baseline.gzipBytes
  })
  return { ours: added(ours), uuidv7: library === undefined ? null : added(library) }
}

export const eventId = async (scale: Scale): Promise<BenchmarkResult> => {
  const perSample = scale === "smoke" ? 100 : 20_000
  const options =
    scale === "smoke"
      ? { warmup: 1, minRounds: 2, maxRounds: 2, budgetMs: 0 }
      : { warmup: 20, minRounds: 40, maxRounds: 400, budgetMs: 4_000 }
  const uuidv7 = findUuidv7()
  const bundle = await bundleBytes(uuidv7)
  let sink = ""
  const ours = {
    name: "ours",
    run: () => {
      for (let i = 0; i < perSample; i++) sink = newEventId()
    }
  }
  const nsPerId = (samples: ReadonlyArray<number>) => round((median(samples) * 1e6) / perSample, 1)
  if (uuidv7 === undefined) {
    const samples: Array<number> = []
    for (let i = 0; i < options.warmup; i++) ours.run()
    for (let i = 0; i < Math.max(options.minRounds, 2); i++) {
      const started = performance.now()
      ours.run()
      samples.push(performance.now() - started)
    }
    return {
      name: "event-id",
      value: nsPerId(samples),
      unit: "ns per id, ours (uuidv7 not found: set UUIDV7_PATH to compare)",
      target: "reported",
      met: null,
      detail: { idsPerSample: perSample, bundleBytesAdded: bundle, lastId: sink }
    }
  }
  const module = (await import(pathToFileURL(uuidv7.entry).href)) as { readonly uuidv7: () => string }
  const library = {
    name: "uuidv7",
    run: () => {
      for (let i = 0; i < perSample; i++) sink = module.uuidv7()
    }
  }
  const comparison = await compareInterleaved(library, ours, options)
  return {
    name: "event-id",
    ratio: round(comparison.ratio),
    unit: `x uuidv7@${uuidv7.version}'s time per id (ours / uuidv7)`,
    target: "reported",
    met: null,
    detail: {
      uuidv7Version: uuidv7.version,
      nsPerId: { ours: nsPerId(comparison.subject), uuidv7: nsPerId(comparison.baseline) },
      spread: comparison.spread.map((value) => round(value)),
      rounds: comparison.rounds,
      idsPerSample: perSample,
      bundleBytesAdded: bundle,
      lastId: sink
    }
  }
}
