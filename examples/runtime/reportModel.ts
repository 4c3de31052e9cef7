import type { JobEventWire } from "../../src/jobs/events/JobEvent.js"

/**
 * What the HTML report draws, computed from the events alone: runs (an `execution.started`
 * paired with the `execution.succeeded`/`execution.failed` that ends it), the events that say
 * something went wrong, counts per instance, and an even time axis.
 */

type Started = Extract<JobEventWire, { type: "execution.started" }>
type Ended = Extract<JobEventWire, { type: "execution.succeeded" | "execution.failed" }>

/** One run of a job's code: from its start to its end, or open when no end arrived. */
export interface Run {
  readonly start: Started | undefined
  readonly end: Ended | undefined
  /** Epoch ms the run began: the start's timestamp, or the end's minus its duration. */
  readonly from: number
  /** Epoch ms it ended; for an open run, the last event time of the instance. */
  readonly to: number
  readonly outcome: "succeeded" | "failed" | "open"
  /** The duration the end event reports, when there is one. */
  readonly durationMs: number | undefined
  readonly attempt: number | undefined
  readonly runCount: number | undefined
}

const isStart = (event: JobEventWire): event is Started => event.type === "execution.started"
const isEnd = (event: JobEventWire): event is Ended =>
  event.type === "execution.succeeded" || event.type === "execution.failed"

/**
 * Pairs each end with the oldest open start of the instance (events in `eventId` order), preferring
 * a start with the same `runCount` and `attempt` when the events carry them. An end with no start
 * is drawn back from its timestamp by its `durationMs`; a start with no end stays open.
 */
export const runsOf = (events: ReadonlyArray<JobEventWire>): Array<Run> => {
  const open: Array<Started> = []
  const runs: Array<Run> = []
  const last = events.length === 0 ? 0 : Math.max(...events.map((event) => Date.parse(event.timestamp)))
  for (const event of events) {
    if (isStart(event)) {
      open.push(event)
      continue
    }
    if (!isEnd(event)) continue
    const same = open.findIndex((start) => start.runCount === event.runCount && start.attempt === event.attempt)
    const index = same === -1 ? 0 : same
    const start = open.splice(index, 1)[0]
    const to = Date.parse(event.timestamp)
    runs.push({
      start,
      end: event,
      from: start === undefined ? to - event.durationMs : Date.parse(start.timestamp),
      to,
      outcome: event.type === "execution.failed" ? "failed" : "succeeded",
      durationMs: event.durationMs,
      attempt: event.attempt ?? start?.attempt,
      runCount: event.runCount ?? start?.runCount
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
      attempt: start.attempt,
      runCount: start.runCount
    })
  }
  return runs.sort((a, b) => a.from - b.from)
}

/** Event types that say something failed or gave up. */
export const failureTypes: ReadonlySet<string> = new Set(["execution.failed", "job.failed", "retry.exhausted"])
/** Event types that say something will be, or is being, tried again. */
export const retryTypes: ReadonlySet<string> = new Set(["retry.scheduled", "retry.attempted"])

/** How an event reads at a glance: a failure, a retry, or neither. */
export const eventTone = (type: string): "failure" | "retry" | "plain" =>
  failureTypes.has(type) ? "failure" : retryTypes.has(type) ? "retry" : "plain"

export interface InstanceCounts {
  readonly runs: number
  readonly failedRuns: number
  readonly retries: number
  readonly exhausted: number
  readonly jobFailed: number
}

const count = (events: ReadonlyArray<JobEventWire>, type: JobEventWire["type"]) =>
  events.filter((event) => event.type === type).length

/** Runs (started or ended), failed runs, scheduled retries, exhausted retries, job failures. */
export const countsOf = (events: ReadonlyArray<JobEventWire>, runs: ReadonlyArray<Run>): InstanceCounts => ({
  runs: runs.length,
  failedRuns: runs.filter((run) => run.outcome === "failed").length,
  retries: count(events, "retry.scheduled"),
  exhausted: count(events, "retry.exhausted"),
  jobFailed: count(events, "job.failed")
})

/** The error message an event carries, on one line and at most `max` characters (cut ends in "…"). */
export const errorText = (event: JobEventWire | undefined, max = 90): string | undefined => {
  if (event === undefined || !("error" in event) || event.error === undefined) return undefined
  const { message, tag } = event.error
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
