import { startEventCollector } from "../../examples/runtime/collector.js"
import { median, round, type BenchmarkResult, type Comparison } from "../stats.js"
import { acknowledgedEndpoint } from "../workerd/acknowledgedEndpoint.js"
import { benchDeployment, benchLingerMs } from "../workload.js"
import {
  callsPerWorkload,
  compareInWorkerdSets,
  eventsPerWorkload,
  workerdBundles,
  workerdSide
} from "../workerdWorkload.js"
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
 *   counted): what the request itself adds in workerd;
 * - the same with `lingerMs`: one request per instance instead of one per call (and the
 *   acknowledging side with it too: what lingering costs of its own when a request is free).
 * The workload is bench/workerdWorkload.ts's nine calls, sampled in three sets of workerds. Each
 * side's sample is its own workerd's CPU time from the end of its previous sample to the end of
 * its workload, so a flush after the last response, or a lingering tracker's timer, counts in
 * that side's next sample, never in another side's, and is never lost between samples. A workerd
 * idle while the other sides run is counted too, alike for every side. Miniflare's own handling
 * of each call is in every side alike.
 */

export const perEventWorkerd = async (scale: Scale): Promise<BenchmarkResult> => {
  const scripts = await workerdBundles()
  const collector = await startEventCollector()
  // Three sets of workerds, each sampled for a third of the time (see compareInWorkerdSets).
  const sets = scale === "smoke" ? 1 : 3
  let events: number | undefined
  let results: ReadonlyArray<Comparison>
  try {
    results = await compareInWorkerdSets(
      sets,
      async (start) => {
        const plain = await start(scripts.plain)
        const off = await start(scripts.tracked)
        const inMemory = await start(scripts.inMemory)
        const stub = await start(scripts.acknowledging, { endpoint: acknowledgedEndpoint, ...benchDeployment })
        const stubLingering = await start(scripts.acknowledging, {
          endpoint: acknowledgedEndpoint,
          ...benchDeployment,
          lingerMs: benchLingerMs
        })
        const sending = await start(scripts.tracked, { endpoint: collector.url, ...benchDeployment })
        const lingering = await start(scripts.tracked, {
          endpoint: collector.url,
          ...benchDeployment,
          lingerMs: benchLingerMs
        })
        events ??= await eventsPerWorkload(sending.worker, collector)
        return [
          workerdSide("plain jobs Worker", plain),
          workerdSide("codemodded, no tracker (off)", off),
          workerdSide("in-memory tracker", inMemory),
          workerdSide("HTTP tracker, acknowledging fetch", stub),
          workerdSide(`HTTP tracker, acknowledging fetch, lingerMs ${benchLingerMs}`, stubLingering),
          workerdSide("HTTP tracker, collector process", sending),
          workerdSide(`HTTP tracker, collector process, lingerMs ${benchLingerMs}`, lingering)
        ]
      },
      scale === "smoke"
        ? { warmup: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 }
        : { warmup: 10, minRounds: 10, maxRounds: 1_000, budgetMs: 40_000 }
    )
  } finally {
    await collector.close()
  }
  const sides = figures(
    results,
    ["off", "inMemory", "httpStub", "httpStubLingering", "httpCollector", "httpCollectorLingering"],
    events!
  )
  return {
    name: "per-event-workerd",
    value: sides.inMemory!.usPerEvent,
    unit: "µs of workerd CPU per event (tracked path, in-memory tracker, over off)",
    target: "reported",
    met: null,
    detail: {
      clock: "CPU time of each side's own workerd process, all threads, from the end of its previous sample",
      lingerMs: benchLingerMs,
      calls: callsPerWorkload,
      eventsPerSample: events,
      workerdSets: sets,
      rounds: results[0]!.rounds,
      plainMedianMs: round(median(results[0]!.baseline)),
      plainMsPerCall: round(median(results[0]!.baseline) / callsPerWorkload),
      ...sides
    }
  }
}
