/**
 * Effect operations per fixture workload, by kind, for each side (issue 28, fourth round): a count
 * that does not depend on load, beside the CPU times of the benchmarks. Each of the fiber runtime's
 * operation handlers is wrapped to count its calls; one workload warms up, the next is counted.
 * Not part of `npm run bench` (a few seconds):
 *   node --import tsx bench/analysis/effectOps.ts [side...]
 * Sides: plain, off, noop, in-memory, in-memory-spans, http, otel, queue (default: plain off in-memory).
 */
import { countOperations } from "./operationCounter.js"
import { runWorkload, sideNamed } from "../workload.js"

const main = async () => {
  const names = process.argv.slice(2)
  const sides = names.length > 0 ? names : ["plain", "off", "in-memory"]
  const runtimes = Object.fromEntries(sides.map((name) => [name, sideNamed(name)]))
  const counts = await countOperations()
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
