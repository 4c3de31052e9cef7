/**
 * Where the cost of `off` and `on` comes from: the fixture workload over compositions that add
 * one piece of the tracked runtime at a time, all interleaved in one process. (This breakdown
 * led to `withTracking({ enabled })` and `addTracker`; the joins are kept as parameters.) Not part of
 * `npm run bench` (about a minute): `node --import tsx bench/analysis/trackingCost.ts [seconds]`.
 *
 * The composition below has the shape of the fixture's createDispatcherLayer (and of the tracked
 * harness), with the wrapper and the way the tracker joins the core as parameters.
 */
import { Context, Layer } from "effect"
import type { RuntimeLayer } from "@durable-effect/core"
import { createJobRegistry } from "../../test/fixtures/jobs/src/registry/index.js"
import { createDispatcherLayer } from "../../test/fixtures/jobs/src/runtime/runtime.js"
import { composeJobs, runtimeOver, type LayerWrap } from "../../test/support/jobsHarness.js"
import { withTracking } from "../../src/instrument/withTracking.js"
import { defaultJobsEventMap } from "../../src/jobs/defaultJobsEventMap.js"
import { EventTracker, type EventTrackerService } from "../../src/tracker/EventTracker.js"
import { InMemoryTracker } from "../../src/tracker/InMemoryTracker.js"
import { NoopTracker } from "../../src/tracker/NoopTracker.js"
import { median, quantile } from "../stats.js"
import { definitions, plainRuntime, runWorkload, type RuntimeFactory } from "../workload.js"

type Join = (core: RuntimeLayer, tracker: EventTrackerService) => RuntimeLayer

const joins: Record<string, Join> = {
  "Layer.merge": (core, tracker) => Layer.merge(core, Layer.succeed(EventTracker, tracker)),
  "Layer.provideMerge": (core, tracker) => Layer.succeed(EventTracker, tracker).pipe(Layer.provideMerge(core)),
  "Layer.map + Context.add": (core, tracker) =>
    Layer.map(core, (context) => Context.add(context, EventTracker, tracker))
}

const compose =
  (join: Join, wrap: LayerWrap, tracker: () => EventTrackerService): RuntimeFactory =>
  (coreLayer) =>
    runtimeOver(composeJobs(join(coreLayer, tracker()), definitions, wrap))

const identity: LayerWrap = (layer) => layer
const noop = () => NoopTracker
const inMemory = () => InMemoryTracker.make().tracker as EventTrackerService

const variants: ReadonlyArray<readonly [string, RuntimeFactory]> = [
  ["plain fixture runtime", plainRuntime],
  ["+ flush at each run's end", (core) => runtimeOver(createDispatcherLayer(core, createJobRegistry(definitions)))],
  ["+ no-op tracker, Layer.merge", compose(joins["Layer.merge"]!, identity, noop)],
  ["+ no-op tracker, Layer.provideMerge", compose(joins["Layer.provideMerge"]!, identity, noop)],
  ["+ no-op tracker, Layer.map + Context.add", compose(joins["Layer.map + Context.add"]!, identity, noop)],
  [
    "+ 6 × Layer.map(identity) wrappers (map join)",
    compose(joins["Layer.map + Context.add"]!, (l) => Layer.map(l, (c) => c), noop)
  ],
  [
    "+ 6 × withTracking, no-op (map join)",
    compose(joins["Layer.map + Context.add"]!, (l) => withTracking(l, { eventMap: defaultJobsEventMap }), noop)
  ],
  [
    "+ 6 × withTracking, in-memory (map join: as addTracker joins it now)",
    compose(joins["Layer.map + Context.add"]!, (l) => withTracking(l, { eventMap: defaultJobsEventMap }), inMemory)
  ],
  [
    "+ 6 × withTracking, in-memory (Layer.merge: the original on)",
    compose(joins["Layer.merge"]!, (l) => withTracking(l, { eventMap: defaultJobsEventMap }), inMemory)
  ]
]

const main = async () => {
  const seconds = Number(process.argv[2] ?? 60)
  const samples = variants.map(() => [] as Array<number>)
  for (let i = 0; i < 8; i++) for (const [, make] of variants) await runWorkload(make)
  const started = performance.now()
  for (let round = 0; performance.now() - started < seconds * 1000; round++) {
    for (let k = 0; k < variants.length; k++) {
      const index = (k + round) % variants.length
      const t0 = performance.now()
      await runWorkload(variants[index]![1])
      samples[index]!.push(performance.now() - t0)
    }
  }
  const base = median(samples[0]!)
  console.log(
    `rounds: ${samples[0]!.length}; ratios are of medians to the plain runtime's (${base.toFixed(1)} ms per workload)`
  )
  variants.forEach(([name], i) => {
    const s = samples[i]!
    console.log(
      `${(median(s) / base).toFixed(3)}  [p25 ${(quantile(s, 0.25) / base).toFixed(3)}, p75 ${(quantile(s, 0.75) / base).toFixed(3)}]  ${name}`
    )
  })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
