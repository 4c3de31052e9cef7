import { describe, expect, it } from "vitest"
import { escapeHtml, renderReport } from "../../examples/runtime/report.js"
import { renderTimelines, timelinesOf } from "../../examples/runtime/timeline.js"
import type { JobEventWire } from "durable-effect-tracking"
import { makeJobEvent } from "durable-effect-tracking"

const wire = (event: object): JobEventWire => ({ ...(event as JobEventWire), env: "test", serviceKey: "svc" })
const at = (ms: number) => Date.UTC(2026, 0, 1) + ms

// Emitted in this order (eventIds are time-ordered), delivered out of order on purpose.
const a1 = wire(
  makeJobEvent({ type: "job.created", instanceId: "instance-a", jobType: "task", jobName: "orders" }, at(0))
)
const b1 = wire(
  makeJobEvent(
    { type: "job.created", instanceId: "instance-b", jobType: "debounce", jobName: "<img src=x onerror=alert(1)>" },
    at(5)
  )
)
const a2 = wire(
  makeJobEvent(
    {
      type: "job.terminated",
      instanceId: "instance-a",
      jobType: "task",
      jobName: "orders",
      reason: `"bye" & <b>`,
      source: "client"
    },
    at(1_000)
  )
)

describe("the demo's timeline and report", () => {
  it("groups events by instance, in eventId order, with times from the first event", () => {
    const timelines = timelinesOf([a2, b1, a1], new Map([["instance-a", "task:orders:o-1"]]))
    expect(
      timelines.map((timeline) => [timeline.instanceId, timeline.label, timeline.events.map((event) => event.type)])
    ).toEqual([
      ["instance-a", "task:orders:o-1", ["job.created", "job.terminated"]],
      ["instance-b", undefined, ["job.created"]]
    ])
    const text = renderTimelines(timelines)
    expect(text).toContain("task orders  task:orders:o-1")
    expect(text).toMatch(/\+1\.000s {2}job\.terminated {2}reason="bye" & <b> source=client/)
    expect(text).toMatch(/\+0\.005s {2}job\.created/)
  })

  it("names a break of the documented order under its instance, and nothing when the order holds", () => {
    const early = wire(
      makeJobEvent({ type: "task.event.received", instanceId: "instance-c", jobType: "task", jobName: "orders" }, at(0))
    )
    const created = wire(
      makeJobEvent({ type: "job.created", instanceId: "instance-c", jobType: "task", jobName: "orders" }, at(1))
    )
    const text = renderTimelines(timelinesOf([early, created, a1, a2]))
    expect(text).toContain("order: created-first: task.event.received before the instance's job.created (event 1)")
    expect(text).toContain(
      "order: task-event-cause: task.event.received is not followed by the execution.started of its onEvent run (got job.created) (event 2)"
    )
    // instance-a's created-then-terminated life keeps the order: nothing is said of it.
    expect(text.match(/order:/g)).toHaveLength(2)
  })

  it("writes one lane per instance and one mark per event, every text escaped, nothing external", () => {
    const html = renderReport({ title: "Report <1>", summary: ["a & b"], timelines: timelinesOf([a1, b1, a2]) })
    expect(html.match(/class="lane-row"/g)).toHaveLength(2)
    expect(html.match(/class="mark[ "]/g)).toHaveLength(3)
    expect(html).toContain("<title>Report &lt;1&gt;</title>")
    expect(html).toContain("<li>a &amp; b</li>")
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;")
    expect(html).toContain("&quot;bye&quot; &amp; &lt;b&gt;")
    expect(html).not.toContain("<img")
    expect(html).not.toContain("<b>")
    // Self-contained: no scripts, no links, no loads from anywhere.
    expect(html).not.toMatch(/<script|<link|\bsrc="|\bhref=|url\(|@import/i)
    // The hover card carries every field of the event.
    expect(html).toContain(`<dt>eventId</dt><dd>${a2.eventId}</dd>`)
    expect(html).toContain("<dt>source</dt><dd>client</dd>")
  })

  it("rings the events that arrived late, and says how late, in the report and the terminal", () => {
    const delays = new Map([
      [a1.eventId, 40],
      [a2.eventId, 2_500]
    ])
    const timelines = timelinesOf([a1, a2])
    const html = renderReport({ title: "t", summary: [], timelines, delays })
    expect(html.match(/class="mark[^"]* late"/g)).toHaveLength(1)
    expect(html).toContain("<dt>arrived</dt><dd>2.500 s after it happened</dd>")
    expect(html).toContain("<dt>arrived</dt><dd>0.040 s after it happened</dd>")
    const text = renderTimelines(timelines, { delays })
    expect(text).toMatch(/job\.terminated .*\(arrived 2\.5 s later\)/)
    expect(text).not.toMatch(/job\.created .*arrived/)
  })

  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
  })
})
