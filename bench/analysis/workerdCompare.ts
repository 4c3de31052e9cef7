/**
 * Two trees' tracked path side by side in workerd (issue 28, seventh round): each tree's
 * in-memory Worker (workerdBundles.ts) in a workerd of its own, beside one tree's tracked Worker
 * with no tracker (off), interleaved round by round over bench/workerdWorkload.ts's workload.
 * Each sample is its own workerd's CPU time, so the two trees share no JIT state, as they would
 * in one Node process. Not part of `npm run bench`:
 *   node --import tsx bench/analysis/workerdCompare.ts <dir A> <dir B> [seconds]
 * prints each tree's µs per event over off (events counted once, through a collector), and B
 * over A paired by round, with the quartiles of the rounds. The same directory twice gives the
 * method's own scatter.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { startEventCollector } from "../../examples/runtime/collector.js"
import { compareInterleavedMany, median, quantile, round } from "../stats.js"
import { startMeasuredWorker, type MeasuredWorker } from "../workerdProcess.js"
import { eventsPerWorkload, workerdSide } from "../workerdWorkload.js"

const [dirA, dirB, seconds = "120"] = process.argv.slice(2)
if (dirA === undefined || dirB === undefined) {
  console.error("usage: node --import tsx bench/analysis/workerdCompare.ts <dir A> <dir B> [seconds]")
  process.exit(2)
}
const script = (dir: string, name: string) => readFileSync(join(dir, name), "utf8")

const started: Array<MeasuredWorker> = []
const start = async (source: string, tracker?: Record<string, unknown>) => {
  const side = await startMeasuredWorker({ script: source, ...(tracker === undefined ? {} : { tracker }) })
  started.push(side)
  return side
}
const collector = await startEventCollector()
try {
  const counting = await start(script(dirA, "tracked.js"), {
    endpoint: collector.url,
    env: "bench",
    serviceKey: "bench"
  })
  const events = await eventsPerWorkload(counting, collector)
  await counting.worker.dispose()
  started.splice(started.indexOf(counting), 1)
  const off = await start(script(dirA, "tracked.js"))
  const a = await start(script(dirA, "in-memory.js"))
  const b = await start(script(dirB, "in-memory.js"))
  const [overA, overB] = await compareInterleavedMany(
    workerdSide("off (A)", off),
    [workerdSide("in-memory (A)", a), workerdSide("in-memory (B)", b)],
    { warmup: 10, minRounds: 30, maxRounds: 100_000, budgetMs: Number(seconds) * 1000 }
  )
  const perEvent = (subject: ReadonlyArray<number>, base: ReadonlyArray<number>) =>
    subject.map((ms, i) => ((ms - base[i]!) * 1000) / events)
  const quartiles = (values: ReadonlyArray<number>) =>
    [0.25, 0.5, 0.75].map((q) => round(quantile(values, q), 1)).join(" / ")
  console.log(`${overA!.rounds} rounds, ${events} events per workload, off ${round(median(overA!.baseline), 2)} ms`)
  console.log(`A over off, µs per event (p25 / median / p75): ${quartiles(perEvent(overA!.subject, overA!.baseline))}`)
  console.log(`B over off, µs per event: ${quartiles(perEvent(overB!.subject, overB!.baseline))}`)
  console.log(`B over A, µs per event, paired by round: ${quartiles(perEvent(overB!.subject, overA!.subject))}`)
} finally {
  for (const side of started) await side.worker.dispose()
  await collector.close()
}
