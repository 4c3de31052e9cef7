/**
 * The HTTP tracker's flush in the runtime and alone, in one process (issue 28, sixth round): the
 * CPU time of each `flush()` a jobs runtime runs at the end of a call of the fixture workload,
 * beside the same tracker's flush of 4 events called in a loop, interleaved round by round.
 * Both trackers answer from an acknowledging `fetch`, and both flushes are timed the same way
 * (process CPU time around the flush's effect, so V8's helper threads count in both). Their
 * ratio says how much dearer the runtime makes the same work. Not part of `npm run bench`:
 *   node --import tsx bench/analysis/flushInSitu.ts [seconds]
 */
import { Effect } from "effect"
import type { EventTrackerService } from "../../src/tracker/EventTracker.js"
import { HttpBatchTracker } from "../../src/sinks/http/HttpBatchTracker.js"
import { acknowledgingHttpTracker, runWorkload, succeededEvent, trackedRuntime } from "../workload.js"

interface FlushTimes {
  micros: Array<number>
}

/** `tracker` with each flush's CPU time added to `times` (its emits untouched: they still run in place). */
const timedFlushes = (tracker: EventTrackerService, times: FlushTimes): EventTrackerService => ({
  emit: tracker.emit,
  pending: tracker.pending,
  flush: () =>
    Effect.suspend(() => {
      const start = process.cpuUsage()
      return Effect.ensuring(
        tracker.flush(),
        Effect.sync(() => {
          const used = process.cpuUsage(start)
          times.micros.push(used.user + used.system)
        })
      )
    })
})

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const main = async () => {
  const seconds = Number(process.argv[2] ?? 60)
  const inRuntime: FlushTimes = { micros: [] }
  const alone: FlushTimes = { micros: [] }
  const runtime = trackedRuntime(() => timedFlushes(HttpBatchTracker.make(acknowledgingHttpTracker()), inRuntime))
  const lone = timedFlushes(HttpBatchTracker.make(acknowledgingHttpTracker()), alone)
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
        rounds,
        flushes: { inRuntime: inRuntime.micros.length, alone: alone.micros.length },
        medianMicrosPerFlush: { inRuntime: inRuntimeMedian, alone: aloneMedian },
        meanMicrosPerFlush: {
          inRuntime: Math.round((inRuntime.micros.reduce((a, b) => a + b, 0) / inRuntime.micros.length) * 10) / 10,
          alone: Math.round((alone.micros.reduce((a, b) => a + b, 0) / alone.micros.length) * 10) / 10
        },
        ratioOfMedians: Math.round((inRuntimeMedian / aloneMedian) * 100) / 100
      },
      null,
      2
    )
  )
}

await main()
