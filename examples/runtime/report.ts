import { type EventView, fieldOf, jobsView, type ShownEvent } from "./eventView.js"
import { axisFor, countsOf, errorText, eventTone, formatDuration, type Run, runsOf } from "./reportModel.js"
import { type ArrivalDelays, eventDetails, eventGroup, type InstanceTimeline, LATE_MS, timeRange } from "./timeline.js"

/** Text made safe for HTML content and attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")

export interface ReportInput<E extends ShownEvent = ShownEvent> {
  readonly title: string
  /** Lines said above the lanes (what ran, where the events came from). */
  readonly summary: ReadonlyArray<string>
  /** One lane each; read with their vocabulary's view (jobs when there are none). */
  readonly timelines: ReadonlyArray<InstanceTimeline<E>>
  /** How late each event arrived at the collector; late ones get a ring. */
  readonly delays?: ArrivalDelays
}

// Group colours for plain events come from the view. Success is green, and no failure uses it;
// failures are red (a colour no group uses) and also drawn as a diamond, a striped bar and the
// words "failed".
const FAILURE = "#dc2626"

const groupColor = (view: EventView<any>, type: string): string => view.groupColors[eventGroup(type)]?.html ?? "#475569"

const allFields = (
  view: EventView<any>,
  event: ShownEvent,
  delay: number | undefined
): Array<readonly [string, string]> => [
  ["type", event.type],
  ["timestamp", event.timestamp],
  ["eventId", event.eventId],
  ...view.identityFields(event),
  ...eventDetails(event, view),
  ["env", String(fieldOf(event, "env"))],
  ["serviceKey", String(fieldOf(event, "serviceKey"))],
  ...(delay === undefined ? [] : [["arrived", `${(delay / 1000).toFixed(3)} s after it happened`] as const])
]

/** Where things go on the shared axis, what each event says beyond its fields, and how to read them. */
interface Frame {
  readonly start: number
  readonly length: number
  readonly delays: ArrivalDelays
  readonly view: EventView<any>
}

const pct = (frame: Frame, time: number): number =>
  frame.length === 0 ? 0 : Math.min(100, Math.max(0, ((time - frame.start) / frame.length) * 100))

const isLate = (frame: Frame, event: ShownEvent): boolean => (frame.delays.get(event.eventId) ?? 0) > LATE_MS

/** When an event happened, from the start of the report. */
const offset = (frame: Frame, event: ShownEvent): string =>
  `+${((Date.parse(event.timestamp) - frame.start) / 1000).toFixed(3)} s`

/** The card shown on hover and focus: every field of each event, under its type and time. */
const card = (frame: Frame, id: string, events: ReadonlyArray<ShownEvent>): string =>
  `<div class="tip" role="tooltip" id="${id}">` +
  events
    .map(
      (event) =>
        `<p class="tip-head">${escapeHtml(`${event.type} at ${offset(frame, event)}`)}</p><dl>` +
        allFields(frame.view, event, frame.delays.get(event.eventId))
          .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
          .join("") +
        `</dl>`
    )
    .join("") +
  `</div>`

// Width of a run's label in % of the lane, roughly (7 px a character on a ~1100 px lane).
const labelWidth = (text: string): number => text.length * 0.65 + 1.5
const ROW_HEIGHT = 20

const runText = (run: Run<ShownEvent>): { readonly label: string; readonly name: string } => {
  const which = run.attempt === undefined ? "run" : `attempt ${run.attempt}`
  // The end's own duration; a workflow's pause or failure carries none: the time between the events.
  const duration = run.outcome === "open" ? "" : formatDuration(run.durationMs ?? run.to - run.from)
  const error = errorText(run.end)
  switch (run.outcome) {
    case "succeeded":
      return { label: `✓ ${duration}`, name: `${which} succeeded in ${duration}` }
    case "failed": {
      const label = `✕ failed after ${duration}${error === undefined ? "" : `: ${error}`}`
      return { label, name: `${which} ${label.slice(2)}` }
    }
    case "paused":
      return { label: `paused after ${duration}`, name: `${which} paused after ${duration}` }
    case "cancelled":
      return { label: `cancelled after ${duration}`, name: `${which} cancelled after ${duration}` }
    case "open":
      return { label: "… no end received", name: `${which} started, no end received` }
  }
}

/** Runs as bars from start to end, packed into rows so that no bar or label covers another. */
const runTrack = (frame: Frame, runs: ReadonlyArray<Run<ShownEvent>>, laneIndex: number): string => {
  if (runs.length === 0) return ""
  const rows: Array<Array<readonly [number, number]>> = []
  const bars = runs.map((run, index) => {
    const x0 = pct(frame, run.from)
    const x1 = Math.max(x0, pct(frame, run.to))
    const { label, name } = runText(run)
    const toLeft = x1 + labelWidth(label) > 100 && x0 - labelWidth(label) >= 0
    const taken: readonly [number, number] = toLeft ? [x0 - labelWidth(label), x1] : [x0, x1 + labelWidth(label)]
    let row = rows.findIndex((used) => used.every(([a, b]) => taken[1] < a || taken[0] > b))
    if (row === -1) row = rows.push([]) - 1
    rows[row]!.push(taken)
    const events = [run.start, run.end].filter((event) => event !== undefined)
    const late = events.some((event) => isLate(frame, event))
    const at = run.start ?? run.end!
    const tipId = `run-${laneIndex}-${index}`
    const aria = `${name}, at ${offset(frame, at)}${late ? ", arrived late" : ""}`
    return (
      `<div class="run ${run.outcome}${toLeft ? " left" : ""}${late ? " late" : ""}" role="img" tabindex="0" ` +
      `aria-label="${escapeHtml(aria)}" aria-describedby="${tipId}" data-duration-ms="${run.to - run.from}" ` +
      `style="left:${x0.toFixed(3)}%;width:${(x1 - x0).toFixed(3)}%;top:${row * ROW_HEIGHT + 4}px">` +
      `<span class="run-label" aria-hidden="true">${escapeHtml(label)}</span>${card(frame, tipId, events)}</div>`
    )
  })
  return `<div class="track runs" style="height:${rows.length * ROW_HEIGHT + 6}px">${bars.join("")}</div>`
}

// Events closer than this (in % of the lane) share one mark, which counts them.
const CLUSTER_DISTANCE = 1.2

/** Every event that is not part of a run: one mark each, or one per cluster of events close in time. */
const eventTrack = (
  frame: Frame,
  events: ReadonlyArray<ShownEvent>,
  runs: ReadonlyArray<Run<ShownEvent>>,
  laneIndex: number
): string => {
  const inRuns = new Set(runs.flatMap((run) => [run.start, run.end]))
  const clusters: Array<{ x: number; events: Array<ShownEvent> }> = []
  for (const event of events.filter((e) => !inRuns.has(e))) {
    const x = pct(frame, Date.parse(event.timestamp))
    const last = clusters.at(-1)
    if (last !== undefined && x - last.x < CLUSTER_DISTANCE) last.events.push(event)
    else clusters.push({ x, events: [event] })
  }
  if (clusters.length === 0) return ""
  const marks = clusters.map(({ x, events: group }, index) => {
    const tones = group.map((event) => eventTone(event.type, frame.view))
    const tone = tones.includes("failure") ? "failure" : tones.includes("retry") ? "retry" : "plain"
    const lead = group.find((event) => eventTone(event.type, frame.view) === tone)!
    const late = group.some((event) => isLate(frame, event))
    const tipId = `tip-${laneIndex}-${index}`
    const named = (event: ShownEvent) => `${event.type}${isLate(frame, event) ? " (arrived late)" : ""}`
    const name =
      group.length === 1
        ? `${lead.type} at ${offset(frame, lead)}${late ? ", arrived late" : ""}`
        : `${group.length} events at ${offset(frame, group[0]!)}: ${group.map(named).join(", ")}`
    const color = tone === "failure" ? FAILURE : groupColor(frame.view, lead.type)
    // One card per mark (no `title`): shown on hover and on keyboard focus, and named to
    // assistive technology through aria-describedby.
    return (
      `<div class="mark ${tone}${x > 60 ? " left" : ""}${late ? " late" : ""}" role="img" tabindex="0" ` +
      `aria-label="${escapeHtml(name)}" aria-describedby="${tipId}" style="left:${x.toFixed(3)}%;--c:${color}">` +
      (group.length > 1 ? `<span class="count" aria-hidden="true">${group.length}</span>` : "") +
      `${card(frame, tipId, group)}</div>`
    )
  })
  return `<div class="track events">${marks.join("")}</div>`
}

const failedInstance = (timeline: InstanceTimeline<ShownEvent>): boolean =>
  timeline.events.some((event) => eventTone(event.type, timeline.view) === "failure")

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`

const lane = (frame: Frame, timeline: InstanceTimeline<ShownEvent>, laneIndex: number, typeIndex: number): string => {
  const { view, title } = timeline
  const runs = runsOf(timeline.events, view)
  const counts = countsOf(timeline.events, runs, view)
  const failed = failedInstance(timeline)
  const label = timeline.label ?? timeline.instanceId.slice(0, 12)
  const badge = (count: number, text: string, kind: string) =>
    `<span class="badge${count > 0 ? ` ${kind}` : ""}">${escapeHtml(text)}</span>`
  return (
    `<section class="lane-row t-${typeIndex} ${failed ? "has-failure" : "no-failure"}" aria-label="${escapeHtml(`${title} ${label}`)}">` +
    `<header><strong>${escapeHtml(title)}</strong><span>${escapeHtml(label)}</span>` +
    `<span class="counts">${badge(counts.runs, plural(counts.runs, "run"), "runs")}` +
    badge(counts.failedRuns, `${counts.failedRuns} failed`, "bad") +
    badge(counts.retries, plural(counts.retries, "retry", "retries"), "retry") +
    (counts.exhausted > 0 ? badge(counts.exhausted, "✕ retries exhausted", "bad") : "") +
    (counts.jobFailed > 0 ? badge(counts.jobFailed, view.instanceFailure!.badge, "bad") : "") +
    `</span><span class="muted">${timeline.events.length} events · ${escapeHtml(timeline.instanceId.slice(0, 12))}…</span></header>` +
    `<div class="tracks">${runTrack(frame, runs, laneIndex)}${eventTrack(frame, timeline.events, runs, laneIndex)}</div>` +
    problems(timeline) +
    `<details class="sequence"><summary>All ${timeline.events.length} events in order</summary><ol>` +
    timeline.events
      .map(
        (event) =>
          `<li class="${eventTone(event.type, view)}" style="--c:${eventTone(event.type, view) === "failure" ? FAILURE : groupColor(view, event.type)}">` +
          `<span class="muted">${escapeHtml(offset(frame, event))}</span> ${escapeHtml(event.type)}</li>`
      )
      .join("") +
    `</ol></details></section>`
  )
}

/** Failures that are not runs (a job that failed, retries given up), with their errors, in words. */
const problems = (timeline: InstanceTimeline<ShownEvent>): string => {
  const lines = timeline.events.flatMap((event) => {
    const what = timeline.view.problemText(event)
    if (what === undefined) return []
    const error = errorText(event)
    return [`<li>✕ ${escapeHtml(`${what}${error === undefined ? "" : `: ${error}`}`)}</li>`]
  })
  return lines.length === 0 ? "" : `<ul class="problems">${lines.join("")}</ul>`
}

const styles = (kinds: ReadonlyArray<string>, axisSteps: number): string => `
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px 32px; color: #0f172a; background: #f8fafc; }
  h1 { font-size: 20px; margin: 0 0 8px; }
  .summary { color: #334155; margin: 0 0 12px; padding-left: 18px; }
  .filters { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 10px; }
  .filters fieldset { border: 1px solid #cbd5e1; border-radius: 8px; padding: 4px 12px 6px; margin: 0; background: #fff; }
  .filters legend { font-weight: 600; padding: 0 4px; }
  .filters label { margin-right: 12px; white-space: nowrap; cursor: pointer; }
  .filters input { margin: 0 4px 0 0; vertical-align: -1px; }
  .filters input:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 2px; }
  .legend { color: #334155; font-size: 13px; }
  .legend span { margin-right: 14px; white-space: nowrap; display: inline-block; }
  .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 5px; vertical-align: -1px; background: var(--c); }
  .legend i.diamond { border-radius: 1px; transform: rotate(45deg) scale(.85); }
  .legend i.square { border-radius: 2px; }
  .legend i.bar { width: 22px; height: 8px; border-radius: 2px; }
  .legend i.late { outline: 2px dashed #0f172a; outline-offset: 2px; background: #94a3b8; margin: 0 9px 0 4px; }
  .axis { position: sticky; top: 0; z-index: 20; height: 22px; margin: 12px 0 0; padding: 0 13px; background: #f8fafc; color: #475569; font-size: 12px; border-bottom: 1px solid #cbd5e1; }
  .axis div { position: relative; height: 100%; }
  .axis span { position: absolute; top: 2px; transform: translateX(-50%); white-space: nowrap; }
  .axis span:first-child { transform: none; }
  .axis span:last-child { transform: translateX(-100%); }
  .lane-row { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 8px 12px 8px; margin: 8px 0; }
  .lane-row.has-failure { border-left: 4px solid ${FAILURE}; padding-left: 9px; }
  .lane-row header { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; margin-bottom: 4px; }
  .counts { display: inline-flex; gap: 6px; }
  .badge { font-size: 12px; padding: 0 7px; border-radius: 10px; background: #f1f5f9; color: #475569; }
  .badge.runs { background: #dcfce7; color: #14532d; }
  .badge.bad { background: #fee2e2; color: #991b1b; font-weight: 600; }
  .badge.retry { background: #fef3c7; color: #78350f; }
  .muted { color: #64748b; font-size: 12px; }
  .tracks { background-image: linear-gradient(to right, #e2e8f0 1px, transparent 1px); background-size: calc(100% / ${axisSteps}) 100%; border-right: 1px solid #e2e8f0; }
  .track { position: relative; }
  .track.events { height: 24px; border-top: 1px dashed #cbd5e1; }
  .run { position: absolute; height: 14px; min-width: 3px; border-radius: 3px; box-sizing: border-box; cursor: pointer; outline-offset: 2px; }
  .run.succeeded { background: #16a34a; }
  .run.failed { background-color: ${FAILURE}; background-image: repeating-linear-gradient(135deg, rgba(255,255,255,.55) 0 3px, transparent 3px 7px); border: 1px solid #7f1d1d; }
  .run.open { background: repeating-linear-gradient(90deg, #94a3b8 0 6px, transparent 6px 10px); border: 1px dashed #475569; }
  .run-label { position: absolute; left: calc(100% + 6px); top: -2px; white-space: nowrap; font-size: 12px; color: #14532d; }
  .run.left .run-label { left: auto; right: calc(100% + 6px); }
  .run.failed .run-label { color: #991b1b; font-weight: 600; }
  .run.open .run-label { color: #475569; }
  .run.paused, .legend i.bar.paused { background: #64748b; }
  .run.paused .run-label { color: #334155; }
  .run.cancelled, .legend i.bar.cancelled { background: repeating-linear-gradient(90deg, #64748b 0 4px, #cbd5e1 4px 6px); }
  .run.cancelled .run-label { color: #334155; }
  .mark { position: absolute; top: 5px; width: 12px; height: 12px; border-radius: 50%; background: var(--c); transform: translateX(-50%); cursor: pointer; outline-offset: 2px; }
  .mark.retry { border-radius: 2px; }
  .mark.failure { background: none; border-radius: 1px; }
  .mark.failure::before { content: ""; position: absolute; inset: 1px; border-radius: 1px; background: var(--c); transform: rotate(45deg); box-shadow: 0 0 0 1px #7f1d1d; }
  .mark .count { position: absolute; left: 11px; top: -8px; font-size: 10px; line-height: 1; color: #334155; font-weight: 600; }
  .tip { display: none; position: absolute; left: 16px; top: -6px; z-index: 30; background: #0f172a; color: #f8fafc; padding: 8px 10px; border-radius: 6px; font-size: 12px; font-weight: 400; white-space: nowrap; box-shadow: 0 4px 14px rgba(0,0,0,.25); }
  .run .tip { left: 0; top: 20px; }
  .run.left .tip { left: auto; right: 0; }
  .mark:hover .tip, .mark:focus .tip, .run:hover .tip, .run:focus .tip { display: block; }
  .mark:hover, .mark:focus, .run:hover, .run:focus { z-index: 25; box-shadow: 0 0 0 3px rgba(15,23,42,.35); }
  .mark.left .tip { left: auto; right: 16px; }
  .mark.late, .run.late { outline: 2px dashed #0f172a; }
  .tip-head { margin: 6px 0 2px; font-weight: 600; color: #f8fafc; }
  .tip-head:first-child { margin-top: 0; }
  .tip dl { margin: 0; display: grid; grid-template-columns: max-content minmax(max-content, 560px); gap: 1px 10px; }
  .tip dt { color: #94a3b8; }
  .tip dd { margin: 0; white-space: normal; overflow-wrap: anywhere; }
  .problems { list-style: none; margin: 4px 0 0; padding: 0; color: #991b1b; font-weight: 600; font-size: 13px; }
  .sequence { margin-top: 4px; font-size: 12px; color: #475569; }
  .sequence summary { cursor: pointer; width: max-content; }
  .sequence ol { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px; }
  .sequence li { border-left: 3px solid var(--c); padding: 0 6px; background: #f1f5f9; border-radius: 3px; color: #0f172a; }
  .sequence li.failure { background: #fee2e2; font-weight: 600; }
  ${kinds.map((_, i) => `body:has(#f-type-${i}:not(:checked)) .lane-row.t-${i}`).join(",\n  ")}${kinds.length === 0 ? ".never" : ""},
  body:has(#f-outcome-failed:checked) .lane-row.no-failure,
  body:has(#f-outcome-ok:checked) .lane-row.has-failure { display: none; }
`

/**
 * A self-contained HTML page (no external assets, no script): one lane per job instance on an
 * even time axis, each run a bar from start to end with its duration, failures in red as
 * striped bars and diamonds with their error beside them, a mark per other event with its
 * fields on hover and focus, counts per instance, and a CSS-only filter by job type and outcome.
 */
export const renderReport = <E extends ShownEvent>(input: ReportInput<E>): string => {
  const { start, end } = timeRange(input.timelines)
  const axis = axisFor(end - start)
  const view: EventView<any> = input.timelines[0]?.view ?? jobsView
  const frame: Frame = { start, length: axis.length, delays: input.delays ?? new Map(), view }
  const kinds = [...new Set(input.timelines.map((timeline) => timeline.kind))]
  const failedCount = input.timelines.filter(failedInstance).length
  const typeFilter = kinds
    .map((kind, i) => {
      const count = input.timelines.filter((timeline) => timeline.kind === kind).length
      return `<label><input type="checkbox" id="f-type-${i}" checked>${escapeHtml(kind)} (${count})</label>`
    })
    .join("")
  const failures = [...view.failureTypes].filter((type) => !view.runEnds.has(type))
  const outcome = (id: string, text: string, checked = false) =>
    `<label><input type="radio" name="outcome" id="f-outcome-${id}"${checked ? " checked" : ""}>${escapeHtml(text)}</label>`
  const legend =
    `<span><i class="bar" style="--c:#16a34a"></i>run, succeeded (✓ duration)</span>` +
    `<span><i class="bar" style="--c:${FAILURE}"></i>run, failed (✕, striped, with its error)</span>` +
    [...view.runEnds.values()]
      .filter((outcome) => outcome === "paused" || outcome === "cancelled")
      .map((outcome) => `<span><i class="bar ${outcome}"></i>run, ${outcome}</span>`)
      .join("") +
    `<span><i class="diamond" style="--c:${FAILURE}"></i>failure: ${escapeHtml(failures.join(", "))}</span>` +
    `<span><i class="square" style="--c:${groupColor(view, "retry.")}"></i>retry.*</span>` +
    Object.entries(view.groupColors)
      .filter(([group]) => group !== "retry" && !view.runGroups.has(group))
      .map(([group, color]) => `<span><i style="--c:${color.html}"></i>${escapeHtml(group)}.*</span>`)
      .join("") +
    `<span><i class="late"></i>arrived over ${LATE_MS / 1000} s late (held back by an outage)</span>`
  const ticks = axis.ticks
    .map((tick) => `<span style="left:${((tick.at / axis.length) * 100).toFixed(3)}%">${escapeHtml(tick.label)}</span>`)
    .join("")
  const typeIndex = new Map(kinds.map((kind, i) => [kind, i]))
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${styles(kinds, axis.ticks.length - 1)}</style>
</head>
<body>
<main>
<h1>${escapeHtml(input.title)}</h1>
<ul class="summary">${input.summary.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>
<div class="filters">
<fieldset><legend>${escapeHtml(view.kindName)}</legend>${typeFilter}</fieldset>
<fieldset><legend>Outcome</legend>${outcome("all", `All (${input.timelines.length})`, true)}${outcome("failed", `With failures (${failedCount})`)}${outcome("ok", `Without failures (${input.timelines.length - failedCount})`)}</fieldset>
</div>
<div class="legend">${legend}</div>
<div class="axis" aria-hidden="true"><div>${ticks}</div></div>
<div class="lanes">
${input.timelines.map((timeline, index) => lane(frame, timeline, index, typeIndex.get(timeline.kind) ?? 0)).join("\n")}
</div>
</main>
</body>
</html>
`
}
