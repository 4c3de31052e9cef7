import type { JobEventWire } from "../../src/jobs/events/JobEvent.js"
import { type EventView, fieldOf, jobsView, type RunEnd, type ShownEvent } from "./eventView.js"

/**
 * What the HTML report draws, computed from the events alone: runs (an event that starts a run
 * of the package's code paired with the one that ends it, as the vocabulary's view names them),
 * the events that say something went wrong, counts per instance, and an even time axis.
 */

/** One run of the package's code: from its start to its end, or open when no end arrived. */
export interface Run<E extends ShownEvent = JobEventWire> {
  readonly start: E | undefined
  readonly end: E | undefined
  /** Epoch ms the run began: the start's timestamp, or the end's minus its duration. */
  readonly from: number
  /** Epoch ms it ended; for an open run, the last event time of the instance. */
  readonly to: number
  readonly outcome: RunEnd | "open"
  /** The duration the end event reports, when there is one. */
  readonly durationMs: number | undefined
  readonly attempt: number | undefined
  readonly runCount: number | undefined
}

const numberField = (event: ShownEvent | undefined, name: string): number | undefined =>
  event === undefined ? undefined : (fieldOf(event, name) as number | undefined)

/**
 * Pairs each end with the oldest open start of the instance (events in `eventId` order), preferring
 * a start with the same `runCount` and `attempt` when the events carry them. An end with no start
 * is drawn back from its timestamp by its `durationMs` (without one, it is not a run: a mark); a
 * start with no end stays open.
 */
export const runsOf = <E extends ShownEvent = JobEventWire>(
  events: ReadonlyArray<E>,
  view: EventView<E> = jobsView as unknown as EventView<E>
): Array<Run<E>> => {
  const open: Array<E> = []
  const runs: Array<Run<E>> = []
  const last = events.length === 0 ? 0 : Math.max(...events.map((event) => Date.parse(event.timestamp)))
  for (const event of events) {
    if (view.runStarts.has(event.type)) {
      open.push(event)
      continue
    }
    const outcome = view.runEnds.get(event.type)
    if (outcome === undefined) continue
    const runCount = numberField(event, "runCount")
    const attempt = numberField(event, "attempt")
    const durationMs = numberField(event, "durationMs")
    const same = open.findIndex(
      (start) => numberField(start, "runCount") === runCount && numberField(start, "attempt") === attempt
    )
    const start = open.splice(same === -1 ? 0 : same, 1)[0]
    const to = Date.parse(event.timestamp)
    if (start === undefined && durationMs === undefined) continue
    runs.push({
      start,
      end: event,
      from: start === undefined ? to - durationMs! : Date.parse(start.timestamp),
      to,
      outcome,
      durationMs,
      attempt: attempt ?? numberField(start, "attempt"),
      runCount: runCount ?? numberField(start, "runCount")
    })
  }
  for (const start of open) {
    runs.push({
      start,
      end: undefined,
      from: Date.parse(start.timestamp),
      to: Math.max(last, Date.parse(start.timestamp)),
      outcome: "open",
      durationMs: undefined,
      attempt: numberField(start, "attempt"),
      runCount: numberField(start, "runCount")
    })
  }
  return runs.sort((a, b) => a.from - b.from)
}

/** How an event reads at a glance: a failure, a retry, or neither. */
export const eventTone = <E extends ShownEvent>(
  type: string,
  view: EventView<E> = jobsView as unknown as EventView<E>
): "failure" | "retry" | "plain" =>
  view.failureTypes.has(type) ? "failure" : view.retryTypes.has(type) ? "retry" : "plain"

export interface InstanceCounts {
  readonly runs: number
  readonly failedRuns: number
  readonly retries: number
  readonly exhausted: number
  /** Events of the view's `instanceFailure` (`job.failed`; workflows have none). */
  readonly jobFailed: number
}

const count = (events: ReadonlyArray<ShownEvent>, type: string | undefined) =>
  events.filter((event) => event.type === type).length

/** Runs (started or ended), failed runs, scheduled retries, exhausted retries, instance failures. */
export const countsOf = <E extends ShownEvent>(
  events: ReadonlyArray<E>,
  runs: ReadonlyArray<Run<E>>,
  view: EventView<E> = jobsView as unknown as EventView<E>
): InstanceCounts => ({
  runs: runs.length,
  failedRuns: runs.filter((run) => run.outcome === "failed").length,
  retries: count(events, "retry.scheduled"),
  exhausted: count(events, "retry.exhausted"),
  jobFailed: count(events, view.instanceFailure?.type)
})

/** The error message an event carries, on one line and at most `max` characters (cut ends in "…"). */
export const errorText = (event: ShownEvent | undefined, max = 90): string | undefined => {
  const error =
    event === undefined ? undefined : (fieldOf(event, "error") as { message: string; tag?: string } | undefined)
  if (error === undefined) return undefined
  const { message, tag } = error
  const text = (tag !== undefined && !message.startsWith(tag) ? `${tag}: ${message}` : message)
    .replace(/\s+/g, " ")
    .trim()
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

export interface Axis {
  /** The axis runs from 0 to this many ms after the first event: a whole number of steps. */
  readonly length: number
  readonly step: number
  /** Tick positions in ms from the start, and their labels. */
  readonly ticks: ReadonlyArray<{ readonly at: number; readonly label: string }>
}

/**
 * An even axis over `span` ms: ticks every 1, 2 or 5 × 10^n ms, at most `maxTicks` intervals, the
 * axis ending on the first tick at or past the span. Labels in ms below 1 s steps' reach, else s.
 */
export const axisFor = (span: number, maxTicks = 8): Axis => {
  const length0 = Math.max(span, 1)
  let step = 1
  for (let power = 1; ; power *= 10) {
    const found = [1, 2, 5].map((m) => m * power).find((candidate) => length0 / candidate <= maxTicks)
    if (found !== undefined) {
      step = found
      break
    }
  }
  const count = Math.max(1, Math.ceil(length0 / step))
  const length = count * step
  const inSeconds = length >= 2_000
  const decimals = inSeconds ? Math.max(0, -Math.floor(Math.log10(step / 1000))) : 0
  const label = (at: number) =>
    at === 0 ? "0" : inSeconds ? `+${(at / 1000).toFixed(decimals)} s` : `+${at.toFixed(decimals)} ms`
  return {
    length,
    step,
    ticks: Array.from({ length: count + 1 }, (_, i) => ({ at: i * step, label: label(i * step) }))
  }
}

/** A duration as a person reads it: "84 ms", "1.25 s", "2 min 5 s". */
export const formatDuration = (ms: number): string =>
  Math.round(ms) < 1_000
    ? `${Math.round(ms)} ms`
    : ms < 60_000
      ? `${Number((ms / 1000).toPrecision(3))} s`
      : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
