/**
 * The HTTP tracker's flush in the runtime and alone, in one process (issue 28, sixth round): the
 * CPU time of each `flush()` a jobs runtime runs at the end of a call of the fixture workload,
 * beside the same tracker's flush of 4 events called in a loop, interleaved round by round.
 * Both trackers answer from an acknowledging `fetch`, and both flushes are timed the same way
 * (process CPU time around the flush's effect, so V8's helper threads count in both). Their
 * ratio says how much dearer the runtime makes the same work. Not part of `npm run bench`:
 *   node --import tsx bench/analysis/flushInSitu.ts [seconds] [flush|void|promise]
 * `void` and `promise` time a stand-in instead of the flush, in the same places: `Effect.void`,
 * or an `Effect.promise` that resolves at once. They say what the timing itself costs, and
 * whether code other than the flush is as much dearer in the runtime.
 */
import { Effect } from "effect"
import type { EventTrackerService } from "../../src/tracker/EventTracker.js"
import { HttpBatchTracker } from "../../src/sinks/http/HttpBatchTracker.js"
import { median, round } from "../stats.js"
import { acknowledgingHttpTracker, runWorkload, succeededEvent, trackedRuntime } from "../workload.js"

interface FlushTimes {
  micros: Array<number>
}

type Timed = "flush" | "void" | "promise"

const settled = Effect.promise(() => Promise.resolve())

/**
 * `tracker` with each flush's CPU time added to `times` (its emits untouched: they still run in
 * place); with a stand-in `timed`, the stand-in runs and is timed instead of the flush.
 */
const timedFlushes = (tracker: EventTrackerService, times: FlushTimes, timed: Timed): EventTrackerService => ({
  emit: tracker.emit,
  pending: tracker.pending,
  flush: () =>
    Effect.suspend(() => {
      const start = process.cpuUsage()
      return Effect.ensuring(
        timed === "flush" ? tracker.flush() : timed === "void" ? Effect.void : settled,
        Effect.sync(() => {
          const used = process.cpuUsage(start)
          times.micros.push(used.user + used.system)
        })
      )
    })
})

const mean = (values: ReadonlyArray<number>): number => values.reduce((a, b) => a + b, 0) / values.length

const main = async () => {
  const seconds = Number(process.argv[2] ?? 60)
  const timed = (process.argv[3] ?? "flush") as Timed
  if (!["flush", "void", "promise"].includes(timed)) throw new Error(`unknown ${timed}: flush, void or promise`)
  const inRuntime: FlushTimes = { micros: [] }
  const alone: FlushTimes = { micros: [] }
  const runtime = trackedRuntime(() =>
    timedFlushes(HttpBatchTracker.make(acknowledgingHttpTracker()), inRuntime, timed)
  )
  const lone = timedFlushes(HttpBatchTracker.make(acknowledgingHttpTracker()), alone, timed)
  const events = [0, 1, 2, 3].map(succeededEvent)
  const aloneCalls = async (calls: number) => {
    for (let i = 0; i < calls; i++) {
      await Effect.runPromise(Effect.forEach(events, (event) => lone.emit(event), { discard: true }))
      await Effect.runPromise(lone.flush())
    }
  }
  for (let i = 0; i < 30; i++) {
    await runWorkload(runtime)
    await aloneCalls(11)
  }
  inRuntime.micros.length = 0
  alone.micros.length = 0
  const started = Date.now()
  let rounds = 0
  while (rounds < 20 || Date.now() - started < seconds * 1000) {
    // Alternating which goes first, so neither always follows the other.
    if (rounds % 2 === 0) {
      await runWorkload(runtime)
      await aloneCalls(11)
    } else {
      await aloneCalls(11)
      await runWorkload(runtime)
    }
    rounds++
  }
  const inRuntimeMedian = median(inRuntime.micros)
  const aloneMedian = median(alone.micros)
  console.log(
    JSON.stringify(
      {
        timed,
        rounds,
        flushes: { inRuntime: inRuntime.micros.length, alone: alone.micros.length },
        medianMicrosPerFlush: { inRuntime: inRuntimeMedian, alone: aloneMedian },
        meanMicrosPerFlush: { inRuntime: round(mean(inRuntime.micros), 1), alone: round(mean(alone.micros), 1) },
        ratioOfMedians: round(inRuntimeMedian / aloneMedian, 2)
      },
      null,
      2
    )
  )
}

await main()
