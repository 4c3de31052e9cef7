/**
 * A workload to run under `node --cpu-prof` for BENCHMARKS.md (issue 28), for a fixed time after
 * a warm-up; it prints the CPU time per iteration. Summarise the profile with profileSummary.ts.
 *   node --cpu-prof --cpu-prof-dir=<dir> --import tsx bench/analysis/profileTarget.ts <target> [seconds]
 * Targets:
 * - `flush`: the HTTP batch tracker alone, as a jobs runtime drives it per call: 4 job events
 *   emitted, then a flush to a `fetch` that acknowledges at once;
 * - `http`, `in-memory`, `plain`: the fixture workload (bench/workload.ts) with the HTTP
 *   tracker (acknowledging fetch), with the in-memory tracker, and without tracking.
 */
import { Effect } from "effect"
import { HttpBatchTracker } from "../../src/sinks/http/HttpBatchTracker.js"
import {
  acknowledgingHttpTracker,
  httpTrackedRuntime,
  inMemoryTrackedRuntime,
  plainRuntime,
  runWorkload,
  succeededEvent
} from "../workload.js"

const eventsPerCall = 4

const flushOnce = async (tracker: HttpBatchTracker): Promise<void> => {
  for (let i = 0; i < eventsPerCall; i++) {
    Effect.runSync(tracker.emit(succeededEvent(i)))
  }
  await Effect.runPromise(tracker.flush())
}

const targets: Record<string, () => Promise<void>> = {
  flush: (() => {
    const tracker = HttpBatchTracker.make(acknowledgingHttpTracker())
    return () => flushOnce(tracker)
  })(),
  http: () => runWorkload(httpTrackedRuntime),
  "in-memory": () => runWorkload(inMemoryTrackedRuntime),
  plain: () => runWorkload(plainRuntime)
}

const main = async () => {
  const [name = "flush", seconds = "10"] = process.argv.slice(2)
  const target = targets[name]
  if (target === undefined) throw new Error(`unknown target ${name}; known: ${Object.keys(targets).join(", ")}`)
  for (let i = 0; i < 30; i++) await target()
  const started = performance.now()
  const cpu = process.cpuUsage()
  let iterations = 0
  while (performance.now() - started < Number(seconds) * 1000) {
    await target()
    iterations++
  }
  const used = process.cpuUsage(cpu)
  console.log(`${name}: ${iterations} iterations, ${((used.user + used.system) / iterations).toFixed(1)} µs CPU each`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
