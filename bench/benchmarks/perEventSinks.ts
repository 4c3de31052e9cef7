import { compareInterleavedMany, median, round, type BenchmarkResult } from "../stats.js"
import {
  callsPerWorkload,
  eventsPerWorkload,
  httpTrackedRuntime,
  inMemorySpansTrackedRuntime,
  inMemoryTrackedRuntime,
  offTrackedRuntime,
  otelTrackedRuntime,
  plainRuntime,
  queueTrackedRuntime,
  script,
  type RuntimeFactory
} from "../workload.js"
import { anchorRounds, figures, sampling, workloadSide } from "./perEvent.js"
import type { Scale } from "./scale.js"

/**
 * What tracking costs per event with the sinks users already run, and with spans, on the
 * fixture workload (42 events in 11 calls), in µs of CPU: the figure a user of OpenTelemetry or
 * Cloudflare Queues sees, beside the in-memory tracker in the same rounds. Sides, interleaved in
 * one process, each over the plain fixture:
 * - tracking off, the in-memory tracker and the HTTP tracker with an acknowledging `fetch` (the
 *   references of `per-event`);
 * - the in-memory tracker with `spans: true` (each traced call in an Effect span, Effect's own
 *   tracer: no OpenTelemetry bridge is installed here);
 * - the OpenTelemetry logs tracker over the SDK's `LoggerProvider` with a `BatchLogRecordProcessor`
 *   and an exporter that does nothing, the provider shared as a Worker would share it, the
 *   tracker's flush per call being the provider's `forceFlush`; and the same with spans on both
 *   (each record carries its method's span);
 * - the Queue tracker over a producer that takes every batch at once.
 * Per event is (side − off) / events per workload, paired by round, as in `per-event`. An
 * SDK log record and span alone are measured in the same run, for the multiples.
 */

/**
 * The tracked sides, each a runtime per instance as `addTracker` makes one. `delivered` hears how
 * many events each OpenTelemetry export and each Queue send carried (a test counts them).
 */
export const sinkSides = (
  delivered: (events: number) => void = () => undefined
): ReadonlyArray<readonly [key: string, name: string, runtime: RuntimeFactory]> => [
  ["off", "tracked composition, no tracker (off)", offTrackedRuntime],
  ["inMemory", "withTracking + in-memory tracker", inMemoryTrackedRuntime],
  ["inMemorySpans", "withTracking with spans + in-memory tracker", inMemorySpansTrackedRuntime],
  ["httpStub", "withTracking + HTTP tracker, acknowledging fetch", httpTrackedRuntime],
  ["otelLogs", "withTracking + OpenTelemetry logs tracker (SDK, no-op exporter)", otelTrackedRuntime(false, delivered)],
  ["otelLogsSpans", "the same, spans on both (records carry the method's span)", otelTrackedRuntime(true, delivered)],
  ["queue", "withTracking + Queue tracker (a producer that takes every batch)", queueTrackedRuntime(delivered)]
]

export const perEventSinks = async (scale: Scale): Promise<BenchmarkResult> => {
  const events = await eventsPerWorkload(script)
  const sides = sinkSides()
  const fixture = await compareInterleavedMany(
    workloadSide("plain fixture", plainRuntime, script),
    sides.map(([, name, runtime]) => workloadSide(name, runtime, script)),
    sampling(scale, 90_000)
  )
  const anchors = await anchorRounds(scale, 5_000)
  const otelLogUs = anchors.logRecordUs
  const bySink = figures(
    fixture,
    sides.map(([key]) => key),
    events
  )
  const otelUs = bySink.otelLogs!.usPerEvent
  return {
    name: "per-event-sinks",
    value: otelUs,
    unit: "µs CPU per event (tracked path, OpenTelemetry logs tracker, fixture workload)",
    target: "reported",
    met: null,
    detail: {
      clock: "CPU time of the process",
      calls: callsPerWorkload,
      eventsPerSample: events,
      rounds: fixture[0]!.rounds,
      plainMedianMs: round(median(fixture[0]!.baseline)),
      ...bySink,
      usPerOtelLogRecord: round(otelLogUs, 2),
      usPerOtelSpan: round(anchors.subjectsUs[0]!, 2),
      multiplesOfOtelLogRecord: Object.fromEntries(
        Object.entries(bySink).map(([key, figure]) => [key, round(figure.usPerEvent / otelLogUs, 1)])
      )
    }
  }
}
