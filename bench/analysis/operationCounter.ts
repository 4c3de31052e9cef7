/**
 * Counts the effect operations the fiber runtime runs, by kind (issue 28, fourth round): each of
 * effect's `FiberRuntime` operation handlers (the methods named after an operation: `OnSuccess`,
 * `Sync`, `WithRuntime`...) is wrapped to count its calls. For the analysis scripts only: once
 * started, it counts for the rest of the process.
 */
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { pathToFileURL } from "node:url"

// The same module instance the code under study runs on: effect's ESM build, found from its package.
const fiberRuntimeModule = () => {
  const effectRoot = dirname(createRequire(import.meta.url).resolve("effect/package.json"))
  return import(pathToFileURL(join(effectRoot, "dist/esm/internal/fiberRuntime.js")).href) as Promise<{
    readonly FiberRuntime: { readonly prototype: Record<string, unknown> }
  }>
}

/** Starts counting; the map returned holds the counts so far by kind (clear it to start again). */
export const countOperations = async (): Promise<Map<string, number>> => {
  const { FiberRuntime } = await fiberRuntimeModule()
  const proto = FiberRuntime.prototype
  const counts = new Map<string, number>()
  for (const key of Object.getOwnPropertyNames(proto)) {
    const handler = proto[key]
    if (!/^[A-Z][A-Za-z]+$/.test(key) || typeof handler !== "function") continue
    proto[key] = function (this: unknown, op: unknown) {
      counts.set(key, (counts.get(key) ?? 0) + 1)
      return (handler as (op: unknown) => unknown).call(this, op)
    }
  }
  return counts
}
