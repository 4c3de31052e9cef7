/**
 * Tracking's cost on the fixture workload, piece by piece (issue 28, fourth round): each side turns
 * one more piece on, all interleaved in one process, through public options only (no switch in
 * the library). Not part of `npm run bench` (about twice the budget):
 *   node --import tsx bench/analysis/trackingPieces.ts [seconds] [--built-once]
 * `--built-once`: every side's runtime builds its layers once per instance (a `ManagedRuntime`),
 * where the jobs runtime builds them on every call (issue 28, eleventh round): what tracking costs
 * when its proxies are made once per object's life, not once per call.
 * The sides, each over the one before:
 * - tracking off (the composition of `trackedDispatcherLayer` without a tracker);
 * - the in-memory tracker joined to the core, nothing wrapped (a flush at each call's end);
 * - the layers wrapped with a map of no services: no proxy is made;
 * - the default map with every method entry replaced by one that learns nothing (an empty entry
 *   is refused): proxies are made, and each traced method's effect is followed by one `flatMap`;
 * - the default map: the full trace (context, frames, events, the in-memory emit).
 */
import { Effect, ManagedRuntime, type Layer } from "effect"
import { flushEvents } from "@durable-effect/core"
import { Dispatcher } from "../../test/fixtures/jobs/src/runtime/dispatcher.js"
import { composeJobs, runtimeOver, type JobsRuntimeUnderTest, type LayerWrap } from "../../test/support/jobsHarness.js"
import { addTracker } from "../../src/instrument/addTracker.js"
import type { EventMap } from "../../src/instrument/EventMap.js"
import { withTracking } from "../../src/instrument/withTracking.js"
import { defaultJobsEventMap } from "../../src/jobs/defaultJobsEventMap.js"
import { InMemoryTracker } from "../../src/tracker/InMemoryTracker.js"
import { compareInterleavedMany, median, pairedDifference, round } from "../stats.js"
import {
  callsPerWorkload,
  definitions,
  eventsPerWorkload,
  interceptingOnlyEventMap,
  runWorkload,
  type RuntimeFactory
} from "../workload.js"

const noServices: EventMap = { ...defaultJobsEventMap, services: {} }

const unwrapped: LayerWrap = (layer) => layer
const wrappedWith =
  (eventMap: EventMap): LayerWrap =>
  (layer) =>
    withTracking(layer, { eventMap })

// The layers built once, on the instance's first call, and kept for its later calls; each call
// still flushes at its end. (The runtime is not disposed: its scope goes with it.)
const builtOnce = (layer: Layer.Layer<Dispatcher>): JobsRuntimeUnderTest => {
  const runtime = ManagedRuntime.make(layer)
  const call = <A, E>(effect: Effect.Effect<A, E, Dispatcher>) =>
    runtime.runPromise(effect.pipe(Effect.ensuring(flushEvents)))
  return {
    handle: (request) => call(Effect.flatMap(Dispatcher, (dispatcher) => dispatcher.handle(request))),
    handleAlarm: () => call(Effect.flatMap(Dispatcher, (dispatcher) => dispatcher.handleAlarm()))
  }
}

const once = process.argv.includes("--built-once")

const composed =
  (tracked: boolean, wrap: LayerWrap): RuntimeFactory =>
  (core) =>
    (once ? builtOnce : runtimeOver)(
      composeJobs(addTracker(core, tracked ? InMemoryTracker.make().tracker : undefined), definitions, wrap)
    )

const pieces: ReadonlyArray<readonly [string, RuntimeFactory]> = [
  ["the in-memory tracker joined, nothing wrapped", composed(true, unwrapped)],
  ["the layers wrapped, no proxy (a map of no services)", composed(true, wrappedWith(noServices))],
  [
    "proxies, each call's effect followed by a flatMap (entries learn nothing)",
    composed(true, wrappedWith(interceptingOnlyEventMap()))
  ],
  ["the full trace (the default map)", composed(true, wrappedWith(defaultJobsEventMap))]
]

const main = async () => {
  const seconds = Number(process.argv.slice(2).find((arg) => !arg.startsWith("--")) ?? "120")
  const side = ([name, runtime]: readonly [string, RuntimeFactory]) => ({ name, run: () => runWorkload(runtime) })
  const results = await compareInterleavedMany(side(["tracking off", composed(false, unwrapped)]), pieces.map(side), {
    warmup: 30,
    minRounds: 30,
    maxRounds: 100_000,
    budgetMs: seconds * 1000,
    clock: "cpu"
  })
  const events = await eventsPerWorkload()
  console.log(
    `${results[0]!.rounds} rounds, ${callsPerWorkload} calls and ${events} events per workload, ` +
      `layers built ${once ? "once per instance" : "on every call"}`
  )
  console.log(`tracking off: ${round(median(results[0]!.baseline), 2)} ms CPU per workload (median)`)
  let previous = results[0]!.baseline
  for (const [i, result] of results.entries()) {
    // Paired by round: the median of the differences to the line above, in that round.
    const added = pairedDifference(result.subject, previous)
    const sign = added < 0 ? "" : "+"
    console.log(
      `${pieces[i]![0]}: ${sign}${round(added, 3)} ms per workload over the line above ` +
        `(${round((added * 1000) / events, 1)} µs per event); ${round(result.ratio)}× off`
    )
    previous = result.subject
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
