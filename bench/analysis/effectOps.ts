/**
 * Effect operations per fixture workload, by kind, for each side (issue 28, fourth round): a count
 * that does not depend on load, beside the CPU times of the benchmarks. Each of the fiber runtime's
 * operation handlers is wrapped to count its calls; one workload warms up, the next is counted.
 * Not part of `npm run bench` (a few seconds):
 *   node --import tsx bench/analysis/effectOps.ts [side...]
 * Sides: plain, off, noop, in-memory, in-memory-spans, http, otel, queue (default: plain off in-memory).
 */
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"
import { runWorkload, sideNamed } from "../workload.js"

// The same module instance the workload runs on: effect's ESM build, found from its package.
const fiberRuntimeModule = () => {
  const effectRoot = dirname(createRequire(import.meta.url).resolve("effect/package.json"))
  return import(pathToFileURL(join(effectRoot, "dist/esm/internal/fiberRuntime.js")).href) as Promise<{
    readonly FiberRuntime: { readonly prototype: Record<string, unknown> }
  }>
}

const main = async () => {
  const names = process.argv.slice(2)
  const sides = names.length > 0 ? names : ["plain", "off", "in-memory"]
  const runtimes = Object.fromEntries(sides.map((name) => [name, sideNamed(name)]))
  const { FiberRuntime } = await fiberRuntimeModule()
  const proto = FiberRuntime.prototype
  const counts = new Map<string, number>()
  // The handlers are the methods named after an operation (`OnSuccess`, `Sync`, `WithRuntime`...).
  for (const key of Object.getOwnPropertyNames(proto)) {
    const handler = proto[key]
    if (!/^[A-Z][A-Za-z]+$/.test(key) || typeof handler !== "function") continue
    proto[key] = function (this: unknown, op: unknown) {
      counts.set(key, (counts.get(key) ?? 0) + 1)
      return (handler as (op: unknown) => unknown).call(this, op)
    }
  }
  const rows: Array<Record<string, unknown>> = []
  for (const name of sides) {
    await runWorkload(runtimes[name]!)
    counts.clear()
    await runWorkload(runtimes[name]!)
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0)
    rows.push({ side: name, total, ...Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])) })
  }
  console.log(JSON.stringify(rows, null, 2))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
