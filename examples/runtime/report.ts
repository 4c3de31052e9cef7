import type { JobEventWire } from "../../src/event/JobEvent.js"
import { type ArrivalDelays, eventDetails, eventGroup, type InstanceTimeline, LATE_MS, timeRange } from "./timeline.js"

/** Text made safe for HTML content and attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")

export interface ReportInput {
  readonly title: string
  /** Lines said above the lanes (what ran, where the events came from). */
  readonly summary: ReadonlyArray<string>
  readonly timelines: ReadonlyArray<InstanceTimeline>
  /** How late each event arrived at the collector; late ones get a ring. */
  readonly delays?: ArrivalDelays
}

const groupColors: Record<string, string> = {
  job: "#0e7490",
  execution: "#15803d",
  retry: "#b45309",
  alarm: "#7e22ce",
  task: "#1d4ed8",
  debounce: "#be185d"
}

const allFields = (event: JobEventWire, delay: number | undefined): Array<readonly [string, string]> => [
  ["type", event.type],
  ["timestamp", event.timestamp],
  ["eventId", event.eventId],
  ["instanceId", event.instanceId],
  ["job", `${event.jobType} ${event.jobName}`],
  ...eventDetails(event),
  ["env", event.env],
  ["serviceKey", event.serviceKey],
  ...(delay === undefined ? [] : [["arrived", `${(delay / 1000).toFixed(3)} s after it happened`] as const])
]

// Events of one call share a millisecond: marks closer than this (in % of the lane) stack.
const STACK_DISTANCE = 1.2

/** When an event happened, from the start of the report, as the axis says it. */
const offset = (event: JobEventWire, start: number): string =>
  `+${((Date.parse(event.timestamp) - start) / 1000).toFixed(3)} s`

const lane = (
  timeline: InstanceTimeline,
  laneIndex: number,
  start: number,
  span: number,
  delays: ArrivalDelays
): string => {
  let previousX = -Infinity
  let level = 0
  let levels = 1
  const marks = timeline.events.map((event, index) => {
    const x = span === 0 ? 0 : ((Date.parse(event.timestamp) - start) / span) * 100
    level = x - previousX < STACK_DISTANCE ? level + 1 : 0
    previousX = x - previousX < STACK_DISTANCE ? previousX : x
    levels = Math.max(levels, level + 1)
    const delay = delays.get(event.eventId)
    const late = delay !== undefined && delay > LATE_MS
    const rows = allFields(event, delay)
      .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
      .join("")
    const color = groupColors[eventGroup(event.type)] ?? "#475569"
    const tipId = `tip-${laneIndex}-${index}`
    // One tooltip per mark (no `title`): the card below, shown on hover and on keyboard focus,
    // and named to assistive technology through aria-describedby.
    const name = `${event.type} at ${offset(event, start)}${late ? ", arrived late" : ""}`
    return (
      `<div class="mark${x > 60 ? " left" : ""}${late ? " late" : ""}" role="img" tabindex="0" aria-label="${escapeHtml(name)}" aria-describedby="${tipId}" ` +
      `style="left:${x.toFixed(3)}%;top:${level * 18 + 4}px;background:${color}">` +
      `<div class="tip" role="tooltip" id="${tipId}"><dl>${rows}</dl></div></div>`
    )
  })
  const label = timeline.label ?? timeline.instanceId.slice(0, 12)
  const title = `${timeline.jobType} ${timeline.jobName}`
  return (
    `<section class="lane-row" aria-label="${escapeHtml(`${title} ${label}`)}">` +
    `<header><strong>${escapeHtml(title)}</strong>` +
    `<span>${escapeHtml(label)}</span><span class="muted">${timeline.events.length} events · ${escapeHtml(timeline.instanceId.slice(0, 12))}…</span></header>` +
    `<div class="lane" style="height:${levels * 18 + 8}px">${marks.join("")}</div>` +
    `<ol class="sequence">${timeline.events
      .map(
        (event) =>
          `<li style="border-color:${groupColors[eventGroup(event.type)] ?? "#475569"}">${escapeHtml(event.type)}</li>`
      )
      .join("")}</ol>` +
    `</section>`
  )
}

/** A self-contained HTML page (no external assets, no script): one lane per job instance, a mark per event, its fields on hover. */
export const renderReport = (input: ReportInput): string => {
  const { start, end } = timeRange(input.timelines)
  const span = end - start
  const legend =
    Object.entries(groupColors)
      .map(([group, color]) => `<span><i style="background:${color}"></i>${escapeHtml(group)}.*</span>`)
      .join("") +
    `<span><i class="late" style="background:#94a3b8"></i>arrived over ${LATE_MS / 1000} s late (held back by an outage)</span>`
  const ticks = Array.from(
    { length: 6 },
    (_, i) => `<span style="left:${i * 20}%">+${((span * i) / 5 / 1000).toFixed(1)} s</span>`
  ).join("")
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px 32px; color: #0f172a; background: #f8fafc; }
  h1 { font-size: 20px; margin: 0 0 8px; }
  .summary { color: #334155; margin: 0 0 16px; padding-left: 18px; }
  .legend span { margin-right: 14px; white-space: nowrap; }
  .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 5px; vertical-align: -1px; }
  .axis { position: relative; height: 18px; margin: 14px 41px 0 13px; color: #64748b; font-size: 12px; }
  .axis span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
  .lane-row { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 40px 10px 12px; margin: 10px 0; }
  .lane-row header { display: flex; gap: 14px; align-items: baseline; margin-bottom: 6px; }
  .muted { color: #64748b; font-size: 12px; }
  .lane { position: relative; border-top: 1px dashed #cbd5e1; margin-left: 0; }
  .mark { position: absolute; width: 12px; height: 12px; border-radius: 50%; transform: translateX(-50%); cursor: pointer; outline-offset: 2px; }
  .mark .tip { display: none; position: absolute; left: 16px; top: -6px; z-index: 10; background: #0f172a; color: #f8fafc; padding: 8px 10px; border-radius: 6px; font-size: 12px; white-space: nowrap; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
  .mark:hover .tip, .mark:focus .tip { display: block; }
  .mark:hover, .mark:focus { z-index: 5; box-shadow: 0 0 0 3px rgba(15,23,42,.25); }
  .mark.left .tip { left: auto; right: 16px; }
  .mark.late, .legend i.late { box-shadow: 0 0 0 2px #f8fafc, 0 0 0 4px #dc2626; }
  .tip dl { margin: 0; display: grid; grid-template-columns: max-content minmax(max-content, 560px); gap: 1px 10px; }
  .tip dt { color: #94a3b8; }
  .tip dd { margin: 0; white-space: normal; overflow-wrap: anywhere; }
  .sequence { list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 4px; font-size: 11px; }
  .sequence li { border-left: 3px solid; padding: 0 6px; background: #f1f5f9; border-radius: 3px; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<ul class="summary">${input.summary.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>
<div class="legend">${legend}</div>
<div class="axis">${ticks}</div>
${input.timelines.map((timeline, index) => lane(timeline, index, start, span, input.delays ?? new Map())).join("\n")}
</body>
</html>
`
}
