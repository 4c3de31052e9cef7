import type { JobEventWire } from "../../src/jobs/events/JobEvent.js"
import { type EventView, jobsView, type ShownEvent } from "./eventView.js"

/** How late an event arrived, in ms after its own timestamp, by eventId. */
export type ArrivalDelays = ReadonlyMap<string, number>

/** Events that arrived more than this after they happened were held back (an outage). */
export const LATE_MS = 500

/** The events of one instance (a job instance, a workflow), oldest first. */
export interface InstanceTimeline<E extends ShownEvent = JobEventWire> {
  /** The instance's id in its vocabulary (`instanceId`, `workflowId`). */
  readonly instanceId: string
  /** What the report filters by (`jobType`, `workflowName`). */
  readonly kind: string
  /** The lane's title (`jobType jobName`, `workflowName executionId`). */
  readonly title: string
  /** A readable name for the instance (the client's instance name), when known. */
  readonly label: string | undefined
  readonly events: ReadonlyArray<E>
  /** The vocabulary the events are read with. */
  readonly view: EventView<E>
}

/** The group of an event type: its first word (`job`, `execution`, `workflow`, `step`, ...). */
export const eventGroup = (type: string): string => type.slice(0, type.indexOf("."))

/** An event's own fields (beyond its vocabulary's base fields), as `[name, text]`, nested values as JSON. */
export const eventDetails = <E extends ShownEvent>(
  event: E,
  view: EventView<E> = jobsView as unknown as EventView<E>
): Array<readonly [string, string]> =>
  Object.entries(event)
    .filter(([name, value]) => !view.baseFields.has(name) && value !== undefined)
    .map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value)] as const)

/**
 * Groups events by instance (as the vocabulary's `view` names it; jobs by default), in order of
 * each instance's first event; within an instance, events are ordered by `eventId` (UUIDv7:
 * time-ordered, and ordered within a millisecond).
 */
export const timelinesOf = <E extends ShownEvent = JobEventWire>(
  events: ReadonlyArray<E>,
  labels: ReadonlyMap<string, string> = new Map(),
  view: EventView<E> = jobsView as unknown as EventView<E>
): Array<InstanceTimeline<E>> => {
  const byInstance = new Map<string, Array<E>>()
  for (const event of [...events].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0))) {
    const list = byInstance.get(view.instanceOf(event))
    if (list === undefined) byInstance.set(view.instanceOf(event), [event])
    else list.push(event)
  }
  return [...byInstance].map(([instanceId, list]) => ({
    instanceId,
    kind: view.kindOf(list[0]!),
    title: view.titleOf(list[0]!),
    label: labels.get(instanceId),
    events: list,
    view
  }))
}

/** The earliest and latest event time over all timelines, in epoch ms. */
export const timeRange = (
  timelines: ReadonlyArray<InstanceTimeline<any>>
): { readonly start: number; readonly end: number } => {
  const times = timelines.flatMap((timeline) => timeline.events.map((event) => Date.parse(event.timestamp)))
  return times.length === 0 ? { start: 0, end: 0 } : { start: Math.min(...times), end: Math.max(...times) }
}

/** The timelines as terminal text: one block per instance, one line per event, times from the first event. */
export const renderTimelines = <E extends ShownEvent>(
  timelines: ReadonlyArray<InstanceTimeline<E>>,
  options: { readonly color?: boolean; readonly delays?: ArrivalDelays } = {}
): string => {
  const paint = (code: number, text: string) => (options.color === true ? `\u001b[${code}m${text}\u001b[0m` : text)
  const { start } = timeRange(timelines)
  const width = Math.max(0, ...timelines.flatMap((timeline) => timeline.events.map((event) => event.type.length)))
  const lines: Array<string> = []
  for (const timeline of timelines) {
    const { title, view } = timeline
    const name = timeline.label === undefined ? "" : `  ${timeline.label}`
    lines.push(
      `${paint(1, title)}${name}  ${paint(2, `instance ${timeline.instanceId.slice(0, 12)}…  ${timeline.events.length} events`)}`
    )
    for (const violation of view.orderProblems(timeline.events)) {
      lines.push(`  ${paint(31, `order: ${violation.rule}: ${violation.message} (event ${violation.index + 1})`)}`)
    }
    for (const event of timeline.events) {
      const at = `+${((Date.parse(event.timestamp) - start) / 1000).toFixed(3)}s`.padStart(9)
      const details = eventDetails(event, view)
        .map(([key, value]) => `${key}=${value.length > 60 ? `${value.slice(0, 57)}...` : value}`)
        .join(" ")
      const delay = options.delays?.get(event.eventId)
      const late =
        delay !== undefined && delay > LATE_MS ? paint(33, `(arrived ${(delay / 1000).toFixed(1)} s later)`) : ""
      const type = paint(
        view.groupColors[eventGroup(event.type)]?.terminal ?? 0,
        details === "" && late === "" ? event.type : event.type.padEnd(width)
      )
      lines.push(["  " + paint(2, at), type, details, late].filter((part) => part !== "").join("  "))
    }
    lines.push("")
  }
  return lines.join("\n")
}
