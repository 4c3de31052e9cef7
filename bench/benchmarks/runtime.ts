import { Layer } from "effect"
import { trackedDispatcherLayer } from "../../test/instrument/jobs/harness.js"
import { runtimeOver } from "../../test/instrument/jobs/harness.js"
import { EventTracker } from "../../src/tracker/EventTracker.js"
import { createInMemoryTracker } from "../../src/tracker/InMemoryTracker.js"
import { handPlacedDispatcherLayer } from "../handPlaced.js"
import { compareInterleaved, round, type BenchmarkResult, type ComparisonOptions, type Side } from "../stats.js"
import {
  callsPerWorkload,
  definitions,
  inMemoryTrackedRuntime,
  noopTrackedRuntime,
  plainRuntime,
  recordEventTypes,
  runWorkload,
  type RuntimeFactory
} from "../workload.js"
import type { Scale } from "./scale.js"

// One sample is one whole workload (11 calls, each a layer build and a run).
const sampling = (scale: Scale): ComparisonOptions =>
  scale === "smoke"
    ? { warmup: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 }
    : { warmup: 15, minRounds: 40, maxRounds: 1_000, budgetMs: 17_000 }

const side = (name: string, makeRuntime: RuntimeFactory): Side => ({ name, run: () => runWorkload(makeRuntime) })

const compareRuntimes = async (
  name: string,
  target: number,
  baseline: Side,
  subject: Side,
  scale: Scale
): Promise<BenchmarkResult> => {
  const result = await compareInterleaved(baseline, subject, sampling(scale))
  const medianOf = (samples: ReadonlyArray<number>) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!
  return {
    name,
    ratio: round(result.ratio),
    unit: `× ${baseline.name}`,
    target: `<= ${target}`,
    met: result.ratio <= target,
    detail: {
      baseline: baseline.name,
      subject: subject.name,
      rounds: result.rounds,
      callsPerSample: callsPerWorkload,
      medianMs: { baseline: round(medianOf(result.baseline)), subject: round(medianOf(result.subject)) },
      perRoundRatioIQR: result.spread.map((r) => round(r))
    }
  }
}

/** Tracking off: the tracked composition with the no-op tracker vs the plain fixture. */
export const off = (scale: Scale): Promise<BenchmarkResult> =>
  compareRuntimes("off", 1.02, side("plain fixture", plainRuntime), side("withTracking + NoopTrackerLayer", noopTrackedRuntime), scale)

/** Tracking on: the default map into an in-memory tracker vs the plain fixture. */
export const on = (scale: Scale): Promise<BenchmarkResult> =>
  compareRuntimes("on", 1.15, side("plain fixture", plainRuntime), side("withTracking + in-memory tracker", inMemoryTrackedRuntime), scale)

const freshInMemoryTracker = () => Layer.succeed(EventTracker, createInMemoryTracker().tracker)

const handPlacedRuntime: RuntimeFactory = (coreLayer) =>
  runtimeOver(handPlacedDispatcherLayer(coreLayer, freshInMemoryTracker(), definitions))

/**
 * The proxies of the default map vs the same events placed by hand. Checked first (untimed):
 * both emit the same event types in the same order for the workload.
 */
export const proxyVsHandPlaced = async (scale: Scale): Promise<BenchmarkResult> => {
  const proxied = await recordEventTypes((core, tracker) => trackedDispatcherLayer(core, tracker, definitions))
  const byHand = await recordEventTypes((core, tracker) => handPlacedDispatcherLayer(core, tracker, definitions))
  if (proxied.length === 0 || proxied.join() !== byHand.join()) {
    throw new Error(`the hand-placed variant emits other events than the proxies:\n${byHand.join(", ")}\nvs\n${proxied.join(", ")}`)
  }
  const result = await compareRuntimes(
    "proxy-vs-hand-placed",
    1.05,
    side("hand-placed emitEvent", handPlacedRuntime),
    side("withTracking proxies", inMemoryTrackedRuntime),
    scale
  )
  return { ...result, detail: { ...result.detail, eventsPerSample: proxied.length } }
}
