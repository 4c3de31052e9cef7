/**
 * The traced call in a hot loop (issue 28, thirteenth round): what the trace costs when its code
 * runs warm, to set beside what it costs in the fixture workload, where every piece runs a few
 * times per call. Two compositions of the toy services of `test/instrument/support.ts`, built once:
 * untraced, and wrapped by `withTracking` with a clock read in place (as the jobs map's is) over a
 * tracker whose `emit` is a plain `Effect.sync` that keeps nothing (so no heap grows) but counts
 * what it is handed (the script checks that each call emits its three events). Each sample
 * runs `Outer.run` many times; each call traces `Outer.run` and the `Inner.step` it calls, two
 * traced calls and three events. Samples interleaved, CPU time; then one loop per side counts its
 * effect operations. Not part of `npm run bench`:
 *   node --import tsx bench/analysis/traceLoop.ts [seconds]
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import { countOperations } from "./operationCounter.js"
import { compareInterleavedMany, median } from "../stats.js"
import { withTracking } from "../../src/instrument/withTracking.js"
import { EventTracker } from "../../src/tracker/EventTracker.js"
import {
  Inner,
  InnerLayer,
  Instance,
  InstanceLayer,
  Outer,
  OuterLayer,
  toyEventMap
} from "../../test/instrument/support.js"

const callsPerSample = 2_000
const tracedCallsPerCall = 2
const eventsPerCall = 3

const clockedEventMap = {
  ...toyEventMap,
  clock: { tagKey: Instance.key, now: () => Effect.sync(() => Date.now()) }
}

// Counts what it is handed, so that the figures are known to include every event.
let emitted = 0
const discarding = Layer.succeed(EventTracker, {
  emit: () =>
    Effect.sync(() => {
      emitted++
    }),
  flush: () => Effect.void,
  pending: () => Effect.succeed(0)
})

const composition = (traced: boolean) => {
  const wrap = <ROut, E, RIn>(layer: Layer.Layer<ROut, E, RIn>) =>
    traced ? withTracking(layer, { eventMap: clockedEventMap }) : layer
  const base = traced ? Layer.merge(discarding, InstanceLayer) : InstanceLayer
  const inner = wrap(InnerLayer({ name: "found" })).pipe(Layer.provideMerge(base))
  return ManagedRuntime.make(wrap(OuterLayer).pipe(Layer.provideMerge(inner)))
}

const calls = (count: number) =>
  Effect.flatMap(Outer, (outer) =>
    Effect.forEach(Array.from({ length: count }), () => outer.run("loop", Effect.succeed(1)), { discard: true })
  )

const main = async () => {
  const seconds = Number(process.argv[2] ?? 30)
  const untraced = composition(false)
  const traced = composition(true)
  const sample = calls(callsPerSample)
  const [comparison] = await compareInterleavedMany(
    { name: "untraced", run: () => untraced.runPromise(sample) },
    [{ name: "traced", run: () => traced.runPromise(sample) }],
    { warmup: 10, minRounds: 20, maxRounds: 100_000, budgetMs: seconds * 1000, clock: "cpu" }
  )
  const perCall = (ms: ReadonlyArray<number>) => (median(ms) * 1000) / callsPerSample
  const plain = perCall(comparison!.baseline)
  const withTrace = perCall(comparison!.subject)
  const counts = await countOperations()
  const operationsPerCall = async (runtime: typeof traced) => {
    counts.clear()
    await runtime.runPromise(calls(100))
    return [...counts.values()].reduce((sum, n) => sum + n, 0) / 100
  }
  const untracedOperations = await operationsPerCall(untraced)
  emitted = 0
  const operations = { untraced: untracedOperations, traced: await operationsPerCall(traced) }
  if (emitted !== 100 * eventsPerCall)
    throw new Error(`expected ${100 * eventsPerCall} events, the tracker got ${emitted}`)
  await Promise.all([untraced.dispose(), traced.dispose()])
  console.log(
    JSON.stringify(
      {
        rounds: comparison!.baseline.length,
        microsecondsPerCall: { untraced: plain, traced: withTrace },
        microsecondsPerTracedCall: (withTrace - plain) / tracedCallsPerCall,
        microsecondsPerEvent: (withTrace - plain) / eventsPerCall,
        effectOperationsPerCall: operations
      },
      null,
      2
    )
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
