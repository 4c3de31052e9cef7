/**
 * Tracking's cost in workerd, piece by piece (issue 28, seventh round): what trackingPieces.ts
 * splits in Node, for the jobs Worker in workerd. Each side is the in-memory Worker
 * (bench/workerd/inMemoryTrackerWorker.ts) over a codemodded copy that turns one more piece on
 * than the side before, each in a workerd of its own, interleaved round by round over
 * bench/workerdWorkload.ts's workload, in three sets of workerds. Two runs of 400–500 rounds put
 * the pieces in different places (BENCHMARKS.md, seventh round): run it far longer than that.
 * Not part of `npm run bench`:
 *   node --import tsx bench/analysis/workerdPieces.ts [seconds per set]
 * The sides, each over the one before:
 * - tracking off (the codemodded Worker without a tracker);
 * - the in-memory tracker joined to the core and flushed at each call's end, nothing wrapped (the
 *   copy's runtime with `withTracking`'s `enabled` false);
 * - the layers wrapped with a map of no services: no proxy is made;
 * - every entry of the default map replaced by one that learns nothing: proxies are made, and
 *   each traced method's effect is followed by one `flatMap`;
 * - the default map: the full trace (context, frames, events, the in-memory emit).
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { bundleWorker } from "../../examples/runtime/bundle.js"
import { copyJobsPackage } from "../../examples/runtime/fixture.js"
import { median, pairedDifference, round } from "../stats.js"
import { compareInWorkerdSets, eventsOfWorker, workerdSide } from "../workerdWorkload.js"

// The copy's src/tracking.ts for each piece (the default map, cut down), or for the first, its
// runtime with wrapping turned off while the tracker is still joined (and flushed).
const notWrapped = "the in-memory tracker joined (flushed at each call's end), nothing wrapped"
const trackingModules: ReadonlyArray<readonly [string, string | undefined]> = [
  [notWrapped, undefined],
  [
    "wrapped, no proxy (a map of no services)",
    `import { defaultJobsEventMap, type EventMap } from "durable-effect-tracking"
export const trackingEventMap: EventMap = { ...defaultJobsEventMap, services: {} }
`
  ],
  [
    "proxies, each call's effect followed by a flatMap (entries learn nothing)",
    `import { defaultJobsEventMap, type EventMap } from "durable-effect-tracking"
export const trackingEventMap: EventMap = {
  ...defaultJobsEventMap,
  services: Object.fromEntries(
    Object.entries(defaultJobsEventMap.services).map(([key, entry]) => [
      key,
      { ...entry, methods: Object.fromEntries(Object.keys(entry.methods).map((name) => [name, { learn: () => undefined }])) }
    ])
  )
}
`
  ],
  ["the full trace (the default map)", undefined]
]

const bundles = async () => {
  const copy = await copyJobsPackage({ codemod: true })
  try {
    const tracked = await bundleWorker(copy)
    const pieces: Array<string> = []
    const runtimePath = join(copy.jobsDir, "src/runtime/runtime.ts")
    const runtime = readFileSync(runtimePath, "utf8")
    const wrapping = "enabled: tracker !== undefined"
    if (!runtime.includes(wrapping)) throw new Error(`the codemodded runtime no longer says \`${wrapping}\``)
    for (const [name, module] of trackingModules) {
      writeFileSync(runtimePath, name === notWrapped ? runtime.replace(wrapping, "enabled: false") : runtime)
      if (module !== undefined) writeFileSync(join(copy.jobsDir, "src/tracking.ts"), module)
      pieces.push(await bundleWorker(copy, "bench/workerd/inMemoryTrackerWorker.ts"))
    }
    return { tracked, pieces }
  } finally {
    copy.remove()
  }
}

const seconds = Number(process.argv[2] ?? "60")
const { tracked, pieces } = await bundles()
const events = await eventsOfWorker(tracked)
const results = await compareInWorkerdSets(
  3,
  async (start) => {
    const sides = [workerdSide("tracking off", await start(tracked))]
    for (const [i, script] of pieces.entries()) sides.push(workerdSide(trackingModules[i]![0], await start(script)))
    return sides
  },
  { warmup: 10, minRounds: 10, maxRounds: 100_000, budgetMs: seconds * 1000 }
)
console.log(`${results[0]!.rounds} rounds in 3 sets of workerds, ${events} events per workload`)
console.log(`tracking off: ${round(median(results[0]!.baseline), 2)} ms of workerd CPU per workload (median)`)
let previous = results[0]!.baseline
for (const [i, result] of results.entries()) {
  // Paired by round: the median of the differences to the line above, in that round.
  const added = pairedDifference(result.subject, previous)
  console.log(
    `${trackingModules[i]![0]}: ${added < 0 ? "" : "+"}${round(added, 3)} ms per workload over the line above ` +
      `(${round((added * 1000) / events, 1)} µs per event); ${round(result.ratio)}× off`
  )
  previous = result.subject
}
