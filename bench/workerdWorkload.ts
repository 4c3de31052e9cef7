import { startEventCollector, type EventCollector } from "../examples/runtime/collector.js"
import { bundleWorker } from "../examples/runtime/bundle.js"
import { copyJobsPackage } from "../examples/runtime/fixture.js"
import { startWorker, type RunningWorker } from "../examples/runtime/miniflare.js"
import { waitUntil } from "../examples/runtime/wait.js"
import { compareInterleavedMany, comparisonsOf, type Comparison, type ComparisonOptions, type Side } from "./stats.js"
import { processCpuMs, startMeasuredWorker, type MeasuredWorker } from "./workerdProcess.js"
import { benchDeployment } from "./workload.js"

/**
 * The jobs Worker's workload in workerd, for per-event-workerd and the analysis scripts that
 * compare trees there: nine client calls on fresh instances (a task, a continuous job and a
 * debounce, none of them waiting for an alarm).
 */

let workloads = 0

export const callsPerWorkload = 9

/** Nine calls on three instances no workload used before. */
export const workload = async (worker: RunningWorker): Promise<void> => {
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

/**
 * Events one workload emits, as the collector receives them from `worker` (a Worker whose tracker
 * sends there): the count once it has stayed the same for a second (each call's flush follows
 * its response), checked on a second workload.
 */
export const eventsPerWorkload = async (worker: RunningWorker, collector: EventCollector): Promise<number> => {
  const counts: Array<number> = []
  for (let i = 0; i < 2; i++) {
    const before = collector.events().length
    await workload(worker)
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

/**
 * Events one workload emits in the tracked Worker `script`, counted at a collector of its own by
 * an HTTP tracker, in a workerd that is stopped before this returns (so none runs idle beside the
 * sides a comparison then measures).
 */
export const eventsOfWorker = async (script: string): Promise<number> => {
  const collector = await startEventCollector()
  try {
    const worker = await startWorker({ script, tracker: { endpoint: collector.url, ...benchDeployment } })
    try {
      return await eventsPerWorkload(worker, collector)
    } finally {
      await worker.dispose()
    }
  } finally {
    await collector.close()
  }
}

/**
 * A side whose sample is its own workerd's CPU time over one workload and whatever that workerd
 * did since its previous sample: a Worker's flush after its response, or a lingering tracker's
 * timer, runs while other sides are sampled, and counts in this side's next sample.
 */
export const workerdSide = (name: string, side: MeasuredWorker): Side => ({
  name,
  run: () => workload(side.worker),
  clock: () => processCpuMs(side.pid),
  fromLastSample: true
})

/** This tree's jobs Workers, bundled as a user would bundle them (see bench/workerd/). */
export interface WorkerdBundles {
  /** The untouched jobs package. */
  readonly plain: string
  /** The codemodded package: tracking off without a `TRACKER` binding, the HTTP tracker with one. */
  readonly tracked: string
  /** Codemodded, with a `fetch` that acknowledges the bench's endpoint at once. */
  readonly acknowledging: string
  /** Codemodded, its Durable Object tracking into an in-memory tracker. */
  readonly inMemory: string
}

export const workerdBundles = async (): Promise<WorkerdBundles> => {
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

/** Starts a Worker in a workerd of its own, stopped when its set is done. */
export type StartWorkerd = (script: string, tracker?: Record<string, unknown>) => Promise<MeasuredWorker>

/**
 * Compares sides in `sets` sets of workerds, each started afresh (by `sidesOf`, which gives the
 * baseline first) and sampled with `options`, and pools their rounds. A workerd keeps its JIT's
 * state for as long as it runs, and that state alone moved one side against another by several
 * percent from one set to the next (BENCHMARKS.md, issue 28's seventh round).
 */
export const compareInWorkerdSets = async (
  sets: number,
  sidesOf: (start: StartWorkerd) => Promise<ReadonlyArray<Side>>,
  options: ComparisonOptions
): Promise<ReadonlyArray<Comparison>> => {
  const samples: Array<Array<number>> = []
  for (let set = 0; set < sets; set++) {
    const started: Array<MeasuredWorker> = []
    try {
      const [baseline, ...subjects] = await sidesOf(async (script, tracker) => {
        const side = await startMeasuredWorker({ script, ...(tracker === undefined ? {} : { tracker }) })
        started.push(side)
        return side
      })
      const compared = await compareInterleavedMany(baseline!, subjects, options)
      const pooled = [compared[0]!.baseline, ...compared.map((comparison) => comparison.subject)]
      pooled.forEach((sideSamples, i) => (samples[i] ??= []).push(...sideSamples))
    } finally {
      for (const side of started) await side.worker.dispose()
    }
  }
  return comparisonsOf(samples)
}
