/**
 * Two trees' tracked path side by side in workerd (issue 28, seventh round): each tree's
 * in-memory Worker (workerdBundles.ts) in a workerd of its own, beside one tree's tracked Worker
 * with no tracker (off), interleaved round by round over bench/workerdWorkload.ts's workload, in
 * three sets of workerds (the seconds shared among them). Each sample is its own workerd's CPU
 * time, so the two trees share no JIT state, as they would in one Node process. Not part of
 * `npm run bench`:
 *   node --import tsx bench/analysis/workerdCompare.ts <dir A> <dir B> [seconds]
 * prints each tree's µs per event over off (events counted once, through a collector), and B
 * over A paired by round, with the quartiles of the rounds. The same directory twice gives the
 * method's own scatter.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { median, quantile, round } from "../stats.js"
import { compareInWorkerdSets, eventsOfWorker, workerdSide } from "../workerdWorkload.js"

const [dirA, dirB, seconds = "120"] = process.argv.slice(2)
if (dirA === undefined || dirB === undefined) {
  console.error("usage: node --import tsx bench/analysis/workerdCompare.ts <dir A> <dir B> [seconds]")
  process.exit(2)
}
const script = (dir: string, name: string) => readFileSync(join(dir, name), "utf8")

const events = await eventsOfWorker(script(dirA, "tracked.js"))
const [overA, overB] = await compareInWorkerdSets(
  3,
  async (start) => [
    workerdSide("off (A)", await start(script(dirA, "tracked.js"))),
    workerdSide("in-memory (A)", await start(script(dirA, "in-memory.js"))),
    workerdSide("in-memory (B)", await start(script(dirB, "in-memory.js")))
  ],
  { warmup: 10, minRounds: 10, maxRounds: 100_000, budgetMs: (Number(seconds) * 1000) / 3 }
)
const perEvent = (subject: ReadonlyArray<number>, base: ReadonlyArray<number>) =>
  subject.map((ms, i) => ((ms - base[i]!) * 1000) / events)
const quartiles = (values: ReadonlyArray<number>) =>
  [0.25, 0.5, 0.75].map((q) => round(quantile(values, q), 1)).join(" / ")
console.log(`${overA!.rounds} rounds, ${events} events per workload, off ${round(median(overA!.baseline), 2)} ms`)
console.log(`A over off, µs per event (p25 / median / p75): ${quartiles(perEvent(overA!.subject, overA!.baseline))}`)
console.log(`B over off, µs per event: ${quartiles(perEvent(overB!.subject, overB!.baseline))}`)
console.log(`B over A, µs per event, paired by round: ${quartiles(perEvent(overB!.subject, overA!.subject))}`)
