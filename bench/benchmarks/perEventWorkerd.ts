import { startEventCollector, type EventCollector } from "../../examples/runtime/collector.js"
import { bundleWorker } from "../../examples/runtime/bundle.js"
import { copyJobsPackage } from "../../examples/runtime/fixture.js"
import type { RunningWorker } from "../../examples/runtime/miniflare.js"
import { waitUntil } from "../../examples/runtime/wait.js"
import { compareInterleavedMany, median, round, type BenchmarkResult, type Side } from "../stats.js"
import { acknowledgedEndpoint } from "../workerd/acknowledgedEndpoint.js"
import { processCpuMs, startMeasuredWorker, type MeasuredWorker } from "../workerdProcess.js"
import { figures } from "./perEvent.js"
import type { Scale } from "./scale.js"

/**
 * What tracking costs per event in workerd, the runtime a user's Durable Objects run in, as the
 * CPU time of the workerd process (all its threads). The per-event benchmark measures the same
 * thing in Node; this one runs the demo's jobs Worker, bundled as a user would bundle it, in
 * Miniflare 4, one workerd per side:
 * - plain: the untouched jobs package;
 * - off: the codemodded package with no tracker;
 * - the in-memory tracker (the tracked path alone: proxies, events, an `emit` that keeps them);
 * - the HTTP batch tracker, flushing after every call, with a `fetch` that acknowledges at once
 *   (no network: the tracker's and the proxies' own work);
 * - the same, sending to a real collector (a node:http server in this process, whose CPU is not
 *   counted): what the request itself adds in workerd.
 * A workload is nine client calls on fresh instances (a task, a continuous job and a debounce,
 * none of them waiting for an alarm). Each side's sample is its own workerd's CPU time over the
 * workload, so a flush that ends after the last response counts in that side's next sample, never
 * in another side's. Miniflare's own handling of each call is in every side alike.
 */

const deployment = { env: "bench", serviceKey: "bench" }

let workloads = 0

/** Nine calls on three instances no workload used before. */
const workload = async (worker: RunningWorker): Promise<void> => {
  const id = `w${++workloads}`
  const ok = async (call: ReturnType<RunningWorker["call"]>) => {
    const { result } = await call
    if (!result.ok) throw new Error(`a workload call failed: ${result.error}`)
  }
  await ok(worker.call("task", "orders", "send", { id, event: { kind: "now" } }))
  await ok(worker.call("task", "orders", "send", { id, event: { kind: "now" } }))
  await ok(worker.call("task", "orders", "getState", id))
  await ok(worker.call("continuous", "heartbeat", "start", { id, input: { beats: 0 } }))
  await ok(worker.call("continuous", "heartbeat", "status", id))
  await ok(worker.call("continuous", "heartbeat", "terminate", id, { reason: "bench" }))
  for (const page of ["/a", "/b", "/c"]) await ok(worker.call("debounce", "clicks", "add", { id, event: { page } }))
}

const callsPerWorkload = 9

/**
 * Events one workload emits, as the collector receives them: the count once it has stayed the same
 * for a second (each call's flush follows its response), checked on a second workload.
 */
const eventsPerWorkload = async (side: MeasuredWorker, collector: EventCollector): Promise<number> => {
  const counts: Array<number> = []
  for (let i = 0; i < 2; i++) {
    const before = collector.events().length
    await workload(side.worker)
    let seen = -1
    let since = performance.now()
    await waitUntil("the collector's count to settle", async () => {
      const now = collector.events().length
      if (now !== seen) [seen, since] = [now, performance.now()]
      return now > before && performance.now() - since >= 1_000 ? true : undefined
    })
    counts.push(seen - before)
  }
  if (counts[0] !== counts[1]) throw new Error(`two workloads emitted ${counts.join(" and ")} events`)
  return counts[0]!
}

const bundles = async () => {
  const tracked = await copyJobsPackage({ codemod: true })
  try {
    const untracked = await copyJobsPackage({ codemod: false })
    try {
      return {
        plain: await bundleWorker(untracked),
        tracked: await bundleWorker(tracked),
        acknowledging: await bundleWorker(tracked, "bench/workerd/acknowledgingFetchWorker.ts"),
        inMemory: await bundleWorker(tracked, "bench/workerd/inMemoryTrackerWorker.ts")
      }
    } finally {
      untracked.remove()
    }
  } finally {
    tracked.remove()
  }
}

const measuredSide = (name: string, side: MeasuredWorker): Side => ({
  name,
  run: () => workload(side.worker),
  clock: () => processCpuMs(side.pid)
})

export const perEventWorkerd = async (scale: Scale): Promise<BenchmarkResult> => {
  const scripts = await bundles()
  const collector = await startEventCollector()
  const started: Array<MeasuredWorker> = []
  const start = async (script: string, tracker?: Record<string, unknown>) => {
    const side = await startMeasuredWorker({ script, ...(tracker === undefined ? {} : { tracker }) })
    started.push(side)
    return side
  }
  try {
    const plain = await start(scripts.plain)
    const off = await start(scripts.tracked)
    const inMemory = await start(scripts.inMemory)
    const stub = await start(scripts.acknowledging, { endpoint: acknowledgedEndpoint, ...deployment })
    const sending = await start(scripts.tracked, { endpoint: collector.url, ...deployment })
    const events = await eventsPerWorkload(sending, collector)
    const results = await compareInterleavedMany(
      measuredSide("plain jobs Worker", plain),
      [
        measuredSide("codemodded, no tracker (off)", off),
        measuredSide("in-memory tracker", inMemory),
        measuredSide("HTTP tracker, acknowledging fetch", stub),
        measuredSide("HTTP tracker, collector process", sending)
      ],
      scale === "smoke"
        ? { warmup: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 }
        : { warmup: 10, minRounds: 30, maxRounds: 1_000, budgetMs: 120_000 }
    )
    const sides = figures(results, ["off", "inMemory", "httpStub", "httpCollector"], events)
    return {
      name: "per-event-workerd",
      value: sides.inMemory!.usPerEvent,
      unit: "µs of workerd CPU per event (tracked path, in-memory tracker, over off)",
      target: "reported",
      met: null,
      detail: {
        clock: "CPU time of each side's own workerd process, all threads",
        calls: callsPerWorkload,
        eventsPerSample: events,
        rounds: results[0]!.rounds,
        plainMedianMs: round(median(results[0]!.baseline)),
        plainMsPerCall: round(median(results[0]!.baseline) / callsPerWorkload),
        ...sides
      }
    }
  } finally {
    for (const side of started) await side.worker.dispose()
    await collector.close()
  }
}
