import { runtimeOver } from "../../test/support/jobsHarness.js"
import { InMemoryTracker } from "../../src/tracker/InMemoryTracker.js"
import { startCollectorProcess } from "../collectorProcess.js"
import { handPlacedDispatcherLayer } from "../handPlaced.js"
import { otelLogRecords, otelSpans, ourHttpEvents } from "../otelAnchors.js"
import {
  compareInterleavedMany,
  median,
  pairedDifference,
  round,
  type BenchmarkResult,
  type Comparison,
  type ComparisonOptions,
  type Side
} from "../stats.js"
import {
  acknowledgingHttpTracker,
  benchLingerMs,
  callsPerWorkload,
  collectorTracker,
  collectorTrackedRuntime,
  definitions,
  eventsPerWorkload,
  httpTrackedRuntime,
  inMemoryTrackedRuntime,
  interceptingOnlyTrackedRuntime,
  leanScript,
  offTrackedRuntime,
  plainRuntime,
  runLingeringWorkload,
  runDeliveredThenIdle,
  runWorkload,
  script,
  type RuntimeFactory,
  type Step
} from "../workload.js"
import type { Scale } from "./scale.js"
import { withFastPaths } from "./trackerCost.js"

/**
 * What tracking costs per event, in µs of CPU, beside what an OpenTelemetry SDK costs per log
 * record and per span (issue 28). Three sets of interleaved rounds in one process:
 * - the fixture workload (42 events in 11 calls): plain, tracking off, the in-memory tracker,
 *   the same calls intercepted with no event made (every entry learning nothing: what
 *   intercepting alone costs, per event the default map emits), the HTTP batch tracker with an
 *   acknowledging `fetch` and with a real collector in another process, the hand-placed emits,
 *   and the two HTTP sides with `lingerMs`, each beside the same side without it, its deliveries
 *   counted alike and followed by the same idle wait (a lingering sample waits, idle, for its
 *   timers' flushes);
 * - the lean workload (ten task `send`s that do nothing): plain, off, in-memory, HTTP;
 * - the anchors: OpenTelemetry log records and spans, and our events through the HTTP tracker
 *   alone, per item.
 * Per event is (side − off) / events per workload, as `on` counts it: all that tracking adds, per
 * event emitted, paired by round; over plain too (off does the plain runtime's work).
 */

/** Interleaved rounds for `budgetMs` of CPU time, or one round at smoke scale. */
export const sampling = (scale: Scale, budgetMs: number): ComparisonOptions =>
  scale === "smoke"
    ? { warmup: 0, minRounds: 1, maxRounds: 1, budgetMs: 0, clock: "cpu" }
    : { warmup: 10, minRounds: 30, maxRounds: 1_000, budgetMs, clock: "cpu" }

type Steps = ReadonlyArray<ReadonlyArray<Step>>

export const workloadSide = (name: string, makeRuntime: RuntimeFactory, steps: Steps): Side => ({
  name,
  run: () => runWorkload(makeRuntime, steps)
})

/**
 * The OpenTelemetry anchors, interleaved: a log record, a span and `others` (made for the same
 * number of items per sample), in µs per item, the log record's first.
 */
export const anchorRounds = async (
  scale: Scale,
  budgetMs: number,
  others: (perSample: number) => ReadonlyArray<Side> = () => []
) => {
  const perSample = scale === "smoke" ? 20 : 1_000
  const results = await compareInterleavedMany(
    otelLogRecords(perSample),
    [otelSpans(perSample), ...others(perSample)],
    sampling(scale, budgetMs)
  )
  const usPer = (samples: ReadonlyArray<number>) => (median(samples) * 1000) / perSample
  return {
    perSample,
    rounds: results[0]!.rounds,
    logRecordUs: usPer(results[0]!.baseline),
    /** The span's, then each of `others`'. */
    subjectsUs: results.map((result) => usPer(result.subject))
  }
}

const handPlacedRuntime: RuntimeFactory = (coreLayer) =>
  runtimeOver(handPlacedDispatcherLayer(coreLayer, InMemoryTracker.make().tracker, definitions))

/** µs per event of `subject` over `base`, paired by round (see `pairedDifference`). */
const pairedUsPerEvent = (subject: ReadonlyArray<number>, base: ReadonlyArray<number>, events: number) =>
  round((pairedDifference(subject, base) * 1000) / events, 1)

/**
 * Per side: median ms, ratio to the baseline (with the per-round IQR), and µs per event over
 * the baseline and over tracking off (the first subject), both paired by round.
 */
export const figures = (results: ReadonlyArray<Comparison>, names: ReadonlyArray<string>, events: number) => {
  const off = results[0]!.subject
  return Object.fromEntries(
    results.map((result, i) => [
      names[i]!,
      {
        medianMs: round(median(result.subject)),
        ratio: round(result.ratio),
        perRoundRatioIQR: result.spread.map((r) => round(r)),
        usPerEventOverPlain: pairedUsPerEvent(result.subject, result.baseline, events),
        usPerEvent: pairedUsPerEvent(result.subject, off, events)
      }
    ])
  )
}

export const perEvent = async (scale: Scale): Promise<BenchmarkResult> => {
  const events = await eventsPerWorkload(script)
  const leanEvents = await eventsPerWorkload(leanScript)
  const collector = await startCollectorProcess()
  try {
    const fixtureNames = [
      "off",
      "inMemory",
      "interceptingOnly",
      "httpStub",
      "httpStubFallbacks",
      "httpCollector",
      "handPlaced",
      "httpStubIdle",
      "httpStubLingering",
      "httpCollectorIdle",
      "httpCollectorLingering"
    ]
    const fixture = await compareInterleavedMany(
      workloadSide("plain fixture", plainRuntime, script),
      [
        workloadSide("tracked composition, no tracker (off)", offTrackedRuntime, script),
        workloadSide("withTracking + in-memory tracker", inMemoryTrackedRuntime, script),
        workloadSide(
          "withTracking, every entry learning nothing (calls intercepted, no event) + in-memory tracker",
          interceptingOnlyTrackedRuntime,
          script
        ),
        workloadSide("withTracking + HTTP tracker, acknowledging fetch", httpTrackedRuntime, script),
        {
          name: "the same, every fallback of the tracker (full sizing route, sleeping fibers)",
          run: withFastPaths({ quickSizing: false, hostTimers: false }, () => runWorkload(httpTrackedRuntime, script))
        },
        workloadSide(
          "withTracking + HTTP tracker, collector process",
          collectorTrackedRuntime(collector.endpoint),
          script
        ),
        workloadSide("hand-placed emitEvent + in-memory tracker", handPlacedRuntime, script),
        {
          name: `the HTTP tracker, acknowledging fetch, delivered, then idle ${benchLingerMs} ms`,
          run: () => runDeliveredThenIdle(acknowledgingHttpTracker, events)
        },
        {
          name: `the HTTP tracker, acknowledging fetch, lingerMs ${benchLingerMs}`,
          run: () => runLingeringWorkload(acknowledgingHttpTracker, events)
        },
        {
          name: `the HTTP tracker, collector process, delivered, then idle ${benchLingerMs} ms`,
          run: () => runDeliveredThenIdle(() => collectorTracker(collector.endpoint), events)
        },
        {
          name: `the HTTP tracker, collector process, lingerMs ${benchLingerMs}`,
          run: () => runLingeringWorkload(() => collectorTracker(collector.endpoint), events)
        }
      ],
      sampling(scale, 120_000)
    )
    const leanNames = ["off", "inMemory", "httpStub"]
    const lean = await compareInterleavedMany(
      workloadSide("plain, lean", plainRuntime, leanScript),
      [
        workloadSide("off, lean", offTrackedRuntime, leanScript),
        workloadSide("in-memory, lean", inMemoryTrackedRuntime, leanScript),
        workloadSide("HTTP tracker (acknowledging fetch), lean", httpTrackedRuntime, leanScript)
      ],
      sampling(scale, 20_000)
    )
    const anchors = await anchorRounds(scale, 10_000, (perSample) => [ourHttpEvents(perSample)])
    const otelLogUs = anchors.logRecordUs
    const [spanUs, ourHttpAloneUs] = anchors.subjectsUs as [number, number]

    const fixtureFigures = figures(fixture, fixtureNames, events)
    // A lingering side against the same side without lingerMs, its deliveries counted alike and
    // ending with the same idle wait (see `runDeliveredThenIdle`): what lingering changes per
    // event, added to the side's own figure.
    const samplesOf = (name: string) => fixture[fixtureNames.indexOf(name)]!.subject
    const lingering = (eager: string) => {
      const changeUsPerEvent = pairedUsPerEvent(samplesOf(`${eager}Lingering`), samplesOf(`${eager}Idle`), events)
      return { changeUsPerEvent, usPerEvent: round(fixtureFigures[eager]!.usPerEvent + changeUsPerEvent, 1) }
    }
    const lingerFigures = {
      lingerMs: benchLingerMs,
      httpStub: lingering("httpStub"),
      httpCollector: lingering("httpCollector")
    }
    const leanFigures = figures(lean, leanNames, leanEvents)
    const trackedUs = fixtureFigures.inMemory!.usPerEvent
    const httpUs = fixtureFigures.httpStub!.usPerEvent
    const multiple = (us: number) => round(us / otelLogUs, 1)
    const goals = {
      "tracked path, in-memory: <= 15 µs/event": trackedUs <= 15,
      "HTTP tracker, acknowledging fetch: <= 25 µs/event": httpUs <= 25,
      "HTTP tracker, collector process: <= 25 µs/event": fixtureFigures.httpCollector!.usPerEvent <= 25,
      [`HTTP tracker, collector process, lingerMs ${benchLingerMs}: <= 25 µs/event`]:
        lingerFigures.httpCollector.usPerEvent <= 25,
      "on with the HTTP tracker: <= 1.05× plain": fixtureFigures.httpStub!.ratio <= 1.05,
      "on with the in-memory tracker: <= 1.03× plain": fixtureFigures.inMemory!.ratio <= 1.03,
      "tracked path per event: <= 5× an OpenTelemetry log record": trackedUs / otelLogUs <= 5
    }
    return {
      name: "per-event",
      value: trackedUs,
      unit: "µs CPU per event (tracked path, in-memory tracker, fixture workload)",
      target: "<= 15",
      met: trackedUs <= 15,
      detail: {
        clock: "CPU time of the process",
        goals,
        fixture: {
          calls: callsPerWorkload,
          eventsPerSample: events,
          rounds: fixture[0]!.rounds,
          plainMedianMs: round(median(fixture[0]!.baseline)),
          ...fixtureFigures,
          lingering: lingerFigures
        },
        lean: {
          calls: leanScript.reduce((sum, steps) => sum + steps.length, 0),
          eventsPerSample: leanEvents,
          rounds: lean[0]!.rounds,
          plainMedianMs: round(median(lean[0]!.baseline)),
          ...leanFigures
        },
        anchors: {
          itemsPerSample: anchors.perSample,
          rounds: anchors.rounds,
          usPerOtelLogRecord: round(otelLogUs, 2),
          usPerOtelSpan: round(spanUs, 2),
          usPerEventOurHttpTrackerAlone: round(ourHttpAloneUs, 2),
          multiplesOfOtelLogRecord: {
            trackedPathInMemory: multiple(trackedUs),
            interceptingOnly: multiple(fixtureFigures.interceptingOnly!.usPerEvent),
            trackedPathHttpStub: multiple(httpUs),
            trackedPathHttpCollector: multiple(fixtureFigures.httpCollector!.usPerEvent),
            trackedPathHttpCollectorLingering: multiple(lingerFigures.httpCollector.usPerEvent),
            handPlaced: multiple(fixtureFigures.handPlaced!.usPerEvent),
            leanInMemory: multiple(leanFigures.inMemory!.usPerEvent),
            ourHttpTrackerAlone: multiple(ourHttpAloneUs)
          }
        }
      }
    }
  } finally {
    await collector.stop()
  }
}
