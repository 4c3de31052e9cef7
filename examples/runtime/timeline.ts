import { checkEventSequence } from "../../src/jobs/events/eventSequence.js"
import type { JobEventWire } from "../../src/jobs/events/JobEvent.js"

/** How late an event arrived, in ms after its own timestamp, by eventId. */
export type ArrivalDelays = ReadonlyMap<string, number>

/** Events that arrived more than this after they happened were held back (an outage). */
export const LATE_MS = 500

/** The events of one job instance, oldest first. */
export interface InstanceTimeline {
  readonly instanceId: string
  readonly jobType: string
  readonly jobName: string
  /** A readable name for the instance (the client's `type:name:id`), when known. */
  readonly label: string | undefined
  readonly events: ReadonlyArray<JobEventWire>
}

const baseFields = new Set(["eventId", "timestamp", "instanceId", "jobType", "jobName", "type", "env", "serviceKey"])

/** The group of an event type (`job`, `execution`, `retry`, `alarm`, `task`, `debounce`). */
export const eventGroup = (type: string): string => type.slice(0, type.indexOf("."))

/** An event's own fields (beyond the base fields), as `[name, text]`, nested values as JSON. */
export const eventDetails = (event: JobEventWire): Array<readonly [string, string]> =>
  Object.entries(event)
    .filter(([name, value]) => !baseFields.has(name) && value !== undefined)
    .map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)] as const)

/**
 * Groups events by instance, in order of each instance's first event; within an instance,
 * events are ordered by `eventId` (UUIDv7: time-ordered, and ordered within a millisecond).
 */
export const timelinesOf = (
  events: ReadonlyArray<JobEventWire>,
  labels: ReadonlyMap<string, string> = new Map()
): Array<InstanceTimeline> => {
  const byInstance = new Map<string, Array<JobEventWire>>()
  for (const event of [...events].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0))) {
    const list = byInstance.get(event.instanceId)
    if (list === undefined) byInstance.set(event.instanceId, [event])
    else list.push(event)
  }
  return [...byInstance].map(([instanceId, list]) => ({
    instanceId,
    jobType: list[0]!.jobType,
    jobName: list[0]!.jobName,
    label: labels.get(instanceId),
    events: list
  }))
}

/** The earliest and latest event time over all timelines, in epoch ms. */
export const timeRange = (
  timelines: ReadonlyArray<InstanceTimeline>
): { readonly start: number; readonly end: number } => {
  const times = timelines.flatMap((timeline) => timeline.events.map((event) => Date.parse(event.timestamp)))
  return times.length === 0 ? { start: 0, end: 0 } : { start: Math.min(...times), end: Math.max(...times) }
}

const groupColors: Record<string, number> = { job: 36, execution: 32, retry: 33, alarm: 35, task: 34, debounce: 94 }

/** The timelines as terminal text: one block per instance, one line per event, times from the first event. */
export const renderTimelines = (
  timelines: ReadonlyArray<InstanceTimeline>,
  options: { readonly color?: boolean; readonly delays?: ArrivalDelays } = {}
): string => {
  const paint = (code: number, text: string) => (options.color === true ? `\u001b[${code}m${text}\u001b[0m` : text)
  const { start } = timeRange(timelines)
  const width = Math.max(0, ...timelines.flatMap((timeline) => timeline.events.map((event) => event.type.length)))
  const lines: Array<string> = []
  for (const timeline of timelines) {
    const title = `${timeline.jobType} ${timeline.jobName}`
    const name = timeline.label === undefined ? "" : `  ${timeline.label}`
    lines.push(
      `${paint(1, title)}${name}  ${paint(2, `instance ${timeline.instanceId.slice(0, 12)}…  ${timeline.events.length} events`)}`
    )
    // The documented causal order, checked as a collector would (docs/events.md, "Order").
    for (const violation of checkEventSequence(timeline.events)) {
      lines.push(`  ${paint(31, `order: ${violation.rule}: ${violation.message} (event ${violation.index + 1})`)}`)
    }
    for (const event of timeline.events) {
      const at = `+${((Date.parse(event.timestamp) - start) / 1000).toFixed(3)}s`.padStart(9)
      const details = eventDetails(event)
        .map(([key, value]) => `${key}=${value.length > 60 ? `${value.slice(0, 57)}...` : value}`)
        .join(" ")
      const delay = options.delays?.get(event.eventId)
      const late =
        delay !== undefined && delay > LATE_MS ? paint(33, `(arrived ${(delay / 1000).toFixed(1)} s later)`) : ""
      const type = paint(
        groupColors[eventGroup(event.type)] ?? 0,
        details === "" && late === "" ? event.type : event.type.padEnd(width)
      )
      lines.push(["  " + paint(2, at), type, details, late].filter((part) => part !== "").join("  "))
    }
    lines.push("")
  }
  return lines.join("\n")
}
