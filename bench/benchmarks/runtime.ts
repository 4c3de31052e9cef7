import { runtimeOver, trackedDispatcherLayer } from "../../test/support/jobsHarness.js"
import { InMemoryTracker } from "../../src/tracker/InMemoryTracker.js"
import { handPlacedDispatcherLayer } from "../handPlaced.js"
import {
  compareInterleaved,
  compareInterleavedMany,
  median,
  round,
  type BenchmarkResult,
  type Comparison,
  type ComparisonOptions,
  type Side
} from "../stats.js"
import {
  callsPerWorkload,
  definitions,
  httpTrackedRuntime,
  inMemoryTrackedRuntime,
  noopTrackedRuntime,
  offTrackedRuntime,
  plainRuntime,
  recordEventTypes,
  runWorkload,
  type RuntimeFactory
} from "../workload.js"
import type { Scale } from "./scale.js"

// One sample is one whole workload (11 calls, each a layer build and a run).
const sampling = (scale: Scale, budgetMs = 17_000): ComparisonOptions =>
  scale === "smoke"
    ? { warmup: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 }
    : { warmup: 15, minRounds: 40, maxRounds: 1_000, budgetMs, clock: "cpu" }

const side = (name: string, makeRuntime: RuntimeFactory): Side => ({ name, run: () => runWorkload(makeRuntime) })

const medianMs = (samples: ReadonlyArray<number>) => round(median(samples))

const describe = (baseline: Side, subject: Side, result: Comparison) => ({
  baseline: baseline.name,
  subject: subject.name,
  rounds: result.rounds,
  callsPerSample: callsPerWorkload,
  clock: "CPU time of the process",
  medianMs: { baseline: medianMs(result.baseline), subject: medianMs(result.subject) },
  perRoundRatioIQR: result.spread.map((r) => round(r))
})

const compareRuntimes = async (
  name: string,
  target: number,
  baseline: Side,
  subject: Side,
  scale: Scale
): Promise<BenchmarkResult> => {
  const result = await compareInterleaved(baseline, subject, sampling(scale))
  return {
    name,
    ratio: round(result.ratio),
    unit: `× ${baseline.name}`,
    target: `<= ${target}`,
    met: result.ratio <= target,
    detail: describe(baseline, subject, result)
  }
}

/**
 * Tracking off vs the plain fixture. Off is the tracked composition given no tracker, as a
 * runtime without a tracker option is built. An explicit no-op tracker (wrapped layers whose
 * proxies stand aside) is measured in the same rounds and reported alongside.
 */
export const off = async (scale: Scale): Promise<BenchmarkResult> => {
  const plain = side("plain fixture", plainRuntime)
  const noTracker = side("tracked composition, no tracker (off)", offTrackedRuntime)
  const noopTracker = side("tracked composition, NoopTracker", noopTrackedRuntime)
  const [offResult, noopResult] = await compareInterleavedMany(plain, [noTracker, noopTracker], sampling(scale, 22_000))
  return {
    name: "off",
    ratio: round(offResult!.ratio),
    unit: `× ${plain.name}`,
    target: "<= 1.02",
    met: offResult!.ratio <= 1.02,
    detail: {
      ...describe(plain, noTracker, offResult!),
      explicitNoopTracker: { ratio: round(noopResult!.ratio), ...describe(plain, noopTracker, noopResult!) }
    }
  }
}

/**
 * Tracking on: the default map into an in-memory tracker vs the plain fixture. In the same
 * rounds: the same with an HTTP batch tracker (reported), and tracking off, for the cost per
 * event on the tracked path ((on − off) / events per workload).
 */
export const on = async (scale: Scale): Promise<BenchmarkResult> => {
  const events = (await recordEventTypes((core, tracker) => trackedDispatcherLayer(core, tracker, definitions))).length
  const plain = side("plain fixture", plainRuntime)
  const inMemory = side("withTracking + in-memory tracker", inMemoryTrackedRuntime)
  const http = side("withTracking + HTTP batch tracker", httpTrackedRuntime)
  const noTracker = side("tracked composition, no tracker (off)", offTrackedRuntime)
  const [onResult, httpResult, offResult] = await compareInterleavedMany(
    plain,
    [inMemory, http, noTracker],
    sampling(scale, 30_000)
  )
  const nsPerEvent = (subject: Comparison) =>
    round(((median(subject.subject) - median(offResult!.subject)) * 1e6) / events, 0)
  return {
    name: "on",
    ratio: round(onResult!.ratio),
    unit: `× ${plain.name}`,
    target: "<= 1.10",
    met: onResult!.ratio <= 1.1,
    detail: {
      ...describe(plain, inMemory, onResult!),
      eventsPerSample: events,
      nsPerEvent: nsPerEvent(onResult!),
      httpTracker: {
        ratio: round(httpResult!.ratio),
        nsPerEvent: nsPerEvent(httpResult!),
        ...describe(plain, http, httpResult!)
      },
      off: { ratio: round(offResult!.ratio), ...describe(plain, noTracker, offResult!) }
    }
  }
}

const handPlacedRuntime: RuntimeFactory = (coreLayer) =>
  runtimeOver(handPlacedDispatcherLayer(coreLayer, InMemoryTracker.make().tracker, definitions))

/**
 * The proxies of the default map vs the same events placed by hand. Checked first (untimed):
 * both emit the same event types in the same order for the workload.
 */
export const proxyVsHandPlaced = async (scale: Scale): Promise<BenchmarkResult> => {
  const proxied = await recordEventTypes((core, tracker) => trackedDispatcherLayer(core, tracker, definitions))
  const byHand = await recordEventTypes((core, tracker) => handPlacedDispatcherLayer(core, tracker, definitions))
  if (proxied.length === 0 || proxied.join() !== byHand.join()) {
    throw new Error(
      `the hand-placed variant emits other events than the proxies:\n${byHand.join(", ")}\nvs\n${proxied.join(", ")}`
    )
  }
  const result = await compareRuntimes(
    "proxy-vs-hand-placed",
    1.0,
    side("hand-placed emitEvent", handPlacedRuntime),
    side("withTracking proxies", inMemoryTrackedRuntime),
    scale
  )
  return { ...result, detail: { ...result.detail, eventsPerSample: proxied.length } }
}
