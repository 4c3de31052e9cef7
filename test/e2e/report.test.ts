import { describe, expect, it } from "vitest"
import { escapeHtml, renderReport } from "../../examples/runtime/report.js"
import { axisFor, countsOf, errorText, formatDuration, runsOf } from "../../examples/runtime/reportModel.js"
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

  it("writes one lane per instance and a mark per moment, every text escaped, nothing external", () => {
    const html = renderReport({ title: "Report <1>", summary: ["a & b"], timelines: timelinesOf([a1, b1, a2]) })
    expect(html.match(/class="lane-row /g)).toHaveLength(2)
    // One mark per event: the two job.created 5 ms apart are in different lanes.
    expect(html.match(/class="mark /g)).toHaveLength(3)
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
    expect(html).toContain('aria-label="job.terminated at +1.000 s, arrived late"')
    expect(html).toContain("<dt>arrived</dt><dd>2.500 s after it happened</dd>")
    expect(html).toContain("<dt>arrived</dt><dd>0.040 s after it happened</dd>")
    const text = renderTimelines(timelines, { delays })
    expect(text).toMatch(/job\.terminated .*\(arrived 2\.5 s later\)/)
    expect(text).not.toMatch(/job\.created .*arrived/)
  })

  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
  })

  describe("what the report draws", () => {
    const job = { instanceId: "instance-r", jobType: "continuous", jobName: "poller" } as const
    const started = (ms: number, fields: object = {}) =>
      wire(makeJobEvent({ type: "execution.started", ...job, ...fields }, at(ms)))
    const succeeded = (ms: number, durationMs: number, fields: object = {}) =>
      wire(makeJobEvent({ type: "execution.succeeded", ...job, durationMs, ...fields }, at(ms)))
    const failed = (ms: number, durationMs: number, message: string, fields: object = {}) =>
      wire(makeJobEvent({ type: "execution.failed", ...job, durationMs, error: { message }, ...fields }, at(ms)))

    it("pairs each run's start with its end, by attempt when the events say it, else the oldest open start", () => {
      const events = [
        started(0, { attempt: 1 }),
        started(10, { attempt: 2 }),
        succeeded(40, 30, { attempt: 2 }),
        failed(50, 50, "boom", { attempt: 1 }),
        started(100),
        succeeded(150, 50),
        started(200)
      ]
      const runs = runsOf(events)
      expect(runs.map((run) => [run.from - at(0), run.to - at(0), run.outcome, run.attempt])).toEqual([
        [0, 50, "failed", 1],
        [10, 40, "succeeded", 2],
        [100, 150, "succeeded", undefined],
        // No end arrived: open up to the instance's last event.
        [200, 200, "open", undefined]
      ])
      // An end without its start is drawn back from its timestamp by its duration.
      expect(runsOf([succeeded(500, 120)]).map((run) => [run.from - at(0), run.to - at(0)])).toEqual([[380, 500]])
    })

    it("writes a failed run's error beside its bar, escaped, and a filter control per job type and outcome", () => {
      const events = [
        started(0, { attempt: 1 }),
        failed(120, 120, `<script>alert("x")</script> timed out`, { attempt: 1 }),
        started(200),
        succeeded(300, 100),
        wire(makeJobEvent({ type: "job.created", ...job, jobType: "task", instanceId: "instance-t" }, at(300)))
      ]
      const html = renderReport({ title: "t", summary: [], timelines: timelinesOf(events) })
      expect(html.match(/class="run failed/g)).toHaveLength(1)
      expect(html.match(/class="run succeeded/g)).toHaveLength(1)
      expect(html).toContain(
        `<span class="run-label" aria-hidden="true">✕ failed after 120 ms: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; timed out</span>`
      )
      expect(html).toContain(`<span class="run-label" aria-hidden="true">✓ 100 ms</span>`)
      expect(html).not.toMatch(/<script/i)
      expect(html).toContain(`<input type="checkbox" id="f-type-0" checked>continuous (1)`)
      expect(html).toContain(`<input type="checkbox" id="f-type-1" checked>task (1)`)
      expect(html).toContain(`id="f-outcome-failed">With failures (1)`)
      expect(html).toContain(`<section class="lane-row t-0 has-failure"`)
      expect(html).toContain(`<section class="lane-row t-1 no-failure"`)
    })

    it("counts runs, failed runs, scheduled and exhausted retries, and job failures per instance", () => {
      const events = [
        started(0),
        failed(10, 10, "a"),
        wire(
          makeJobEvent(
            { type: "retry.scheduled", ...job, attempt: 2, resumeAt: new Date(at(90)).toISOString() },
            at(11)
          )
        ),
        started(90),
        failed(95, 5, "b"),
        wire(makeJobEvent({ type: "retry.exhausted", ...job, attempts: 2 }, at(96))),
        wire(makeJobEvent({ type: "job.failed", ...job, error: { message: "b" } }, at(97)))
      ]
      expect(countsOf(events, runsOf(events))).toEqual({
        runs: 2,
        failedRuns: 2,
        retries: 1,
        exhausted: 1,
        jobFailed: 1
      })
    })

    it("says an error on one line, with its tag, cut to a length a lane can show", () => {
      expect(errorText(failed(0, 0, "line one\n  line two", { error: { message: "x\ny", tag: "Boom" } }))).toBe(
        "Boom: x y"
      )
      expect(errorText(failed(0, 0, "Boom: already tagged", { error: { message: "Boom: it", tag: "Boom" } }))).toBe(
        "Boom: it"
      )
      const long = errorText(failed(0, 0, "e".repeat(500)))!
      expect(long).toHaveLength(90)
      expect(long.endsWith("…")).toBe(true)
      expect(errorText(started(0))).toBeUndefined()
    })

    it("puts ticks at 1, 2 or 5 × 10^n, the axis ending on a tick", () => {
      const labels = (span: number) => axisFor(span).ticks.map((tick) => tick.label)
      expect(labels(950)).toEqual(["0", "+200 ms", "+400 ms", "+600 ms", "+800 ms", "+1000 ms"])
      expect(axisFor(950)).toMatchObject({ step: 200, length: 1_000 })
      expect(labels(7_300)).toEqual(["0", "+1 s", "+2 s", "+3 s", "+4 s", "+5 s", "+6 s", "+7 s", "+8 s"])
      expect(labels(3_000)).toEqual(["0", "+0.5 s", "+1.0 s", "+1.5 s", "+2.0 s", "+2.5 s", "+3.0 s"])
      expect(axisFor(42_000)).toMatchObject({ step: 10_000, length: 50_000 })
      // A report of one moment still has an axis.
      expect(labels(0)).toEqual(["0", "+1 ms"])
      for (const span of [1, 7, 13, 99, 101, 2_345, 61_000, 3_600_000]) {
        const { step, length, ticks } = axisFor(span)
        expect(String(step / 10 ** Math.floor(Math.log10(step)))).toMatch(/^[125]$/)
        expect(length).toBeGreaterThanOrEqual(span)
        expect(ticks.length - 1).toBeLessThanOrEqual(8)
      }
    })

    it("writes durations as a person reads them", () => {
      expect([84, 999.6, 1_250, 12_345, 125_000].map(formatDuration)).toEqual([
        "84 ms",
        "1 s",
        "1.25 s",
        "12.3 s",
        "2 min 5 s"
      ])
    })
  })
})
