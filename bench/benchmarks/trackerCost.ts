import { Effect } from "effect"
import { setHostTimers } from "../../src/delivery/ClockTimer.js"
import { makeEventSizer, setQuickSizing, type SizedEvent } from "../../src/delivery/EventSize.js"
import type { JobEvent } from "../../src/jobs/events/JobEvent.js"
import { HttpBatchTracker } from "../../src/sinks/http/HttpBatchTracker.js"
import { minorGc } from "../gc.js"
import { compareInterleavedMany, median, round, type BenchmarkResult, type Side } from "../stats.js"
import { acknowledgingHttpTracker, benchDeployment, succeededEvent } from "../workload.js"
import type { Scale } from "./scale.js"

/**
 * The HTTP batch tracker's own cost (issue 28), each fast path measured both ways in the same
 * rounds: `emit` with the quick sizing route and with the full one, and a jobs runtime's call
 * (a few events, then a flush) with host timers and with sleeping fibers for the time bounds.
 */

/** Runs `run` with the fast paths set as given, and puts them back. */
export const withFastPaths =
  (paths: { readonly quickSizing: boolean; readonly hostTimers: boolean }, run: () => Promise<void> | void) =>
  async (): Promise<void> => {
    setQuickSizing(paths.quickSizing)
    setHostTimers(paths.hostTimers)
    try {
      await run()
    } finally {
      setQuickSizing(true)
      setHostTimers(true)
    }
  }

const fast = { quickSizing: true, hostTimers: true }
const fallbacks = { quickSizing: false, hostTimers: false }

const sampling = (scale: Scale, budgetMs: number) =>
  scale === "smoke"
    ? { warmup: 0, minRounds: 1, maxRounds: 1, budgetMs: 0, clock: "cpu" as const }
    : { warmup: 20, minRounds: 50, maxRounds: 2_000, budgetMs, clock: "cpu" as const }

/**
 * ns per `emit` on the HTTP batch tracker (sized at emit), the quick route against the full
 * one: a fresh tracker per sample (never flushed), 2,000 fresh job events emitted. The quick
 * route copies a small plain event and makes its JSON when it is first read (at flush), so two
 * more sides size the same events without a tracker and read each one's JSON, by either route:
 * what sizing costs an event once its batch is made.
 */
export const emitSizing = async (scale: Scale): Promise<BenchmarkResult> => {
  const perSample = scale === "smoke" ? 10 : 2_000
  const limits = { ...benchDeployment, maxEventBytes: 65_536, maxBatchBytes: 1_048_576 }
  const side = (name: string, quickSizing: boolean, readJson: boolean): Side => {
    let tracker: HttpBatchTracker | undefined
    let events: ReadonlyArray<JobEvent> = []
    // The same events sized as the tracker sizes them, for the side that reads their JSON.
    const sizer = makeEventSizer(limits)
    return {
      name,
      setup: () => {
        tracker = HttpBatchTracker.make({ ...acknowledgingHttpTracker(), maxBufferSize: perSample })
        events = Array.from({ length: perSample }, (_, i) => succeededEvent(i))
        minorGc()
      },
      run: withFastPaths({ ...fast, quickSizing }, () => {
        if (readJson) {
          for (const event of events) void (sizer(event) as SizedEvent).json
          return
        }
        Effect.runSync(Effect.forEach(events, (event) => tracker!.emit(event), { discard: true }))
      })
    }
  }
  const [quick, quickJson, fullJson] = await compareInterleavedMany(
    side("full route", false, false),
    [
      side("quick route", true, false),
      side("quick route, sized and its JSON read", true, true),
      side("full route, sized and its JSON read", false, true)
    ],
    sampling(scale, 8_000)
  )
  const ns = (samples: ReadonlyArray<number>) => round((median(samples) * 1e6) / perSample, 0)
  const quickNs = ns(quick!.subject)
  return {
    name: "emit-sizing",
    value: quickNs,
    unit: "ns CPU per emit (HTTP tracker, sized at emit)",
    target: "<= 1000",
    met: quickNs <= 1_000,
    detail: {
      emitsPerSample: perSample,
      rounds: quick!.rounds,
      nsPerEmit: { quickRoute: quickNs, fullRoute: ns(quick!.baseline) },
      // Sizing alone (no tracker, no buffer), the JSON made as a flush makes it.
      nsPerEventSizedAndSerialised: { quickRoute: ns(quickJson!.subject), fullRoute: ns(fullJson!.subject) },
      ratio: round(quick!.ratio),
      perRoundRatioIQR: quick!.spread.map((r) => round(r))
    }
  }
}

/**
 * A jobs runtime's call as the HTTP tracker sees it: 4 events emitted, then a flush to a fetch
 * that acknowledges at once, 100 calls per sample on one tracker. Fast paths on, host timers
 * off, and every fallback (full sizing route, sleeping fibers).
 */
export const httpFlush = async (scale: Scale): Promise<BenchmarkResult> => {
  const calls = scale === "smoke" ? 2 : 100
  const eventsPerCall = 4
  const side = (name: string, paths: typeof fast): Side => {
    const tracker = HttpBatchTracker.make(acknowledgingHttpTracker())
    return {
      name,
      run: withFastPaths(paths, async () => {
        for (let call = 0; call < calls; call++) {
          Effect.runSync(
            Effect.forEach(
              Array.from({ length: eventsPerCall }, (_, i) => succeededEvent(i)),
              (event) => tracker.emit(event),
              { discard: true }
            )
          )
          await Effect.runPromise(tracker.flush())
        }
      })
    }
  }
  const [sleepingFibers, allFallbacks] = await compareInterleavedMany(
    side("fast paths", fast),
    [side("sleeping fibers for the bounds", { ...fast, hostTimers: false }), side("every fallback", fallbacks)],
    sampling(scale, 15_000)
  )
  const usPerCall = (samples: ReadonlyArray<number>) => (median(samples) * 1000) / calls
  const fastUs = usPerCall(sleepingFibers!.baseline)
  return {
    name: "http-flush",
    value: round(fastUs / eventsPerCall, 1),
    unit: `µs CPU per event (${eventsPerCall} events, then a flush, per call; acknowledging fetch)`,
    target: "reported",
    met: null,
    detail: {
      callsPerSample: calls,
      eventsPerCall,
      rounds: sleepingFibers!.rounds,
      usPerCall: {
        fastPaths: round(fastUs, 1),
        sleepingFibers: round(usPerCall(sleepingFibers!.subject), 1),
        everyFallback: round(usPerCall(allFallbacks!.subject), 1)
      },
      ratioToFastPaths: { sleepingFibers: round(sleepingFibers!.ratio), everyFallback: round(allFallbacks!.ratio) },
      perRoundRatioIQR: {
        sleepingFibers: sleepingFibers!.spread.map((r) => round(r)),
        everyFallback: allFallbacks!.spread.map((r) => round(r))
      }
    }
  }
}
