import { describe, expect, it } from "vitest"
import { renderReport } from "../../examples/runtime/report.js"
import { countsOf, runsOf } from "../../examples/runtime/reportModel.js"
import { renderTimelines, timelinesOf } from "../../examples/runtime/timeline.js"
import { workflowView } from "../../examples/runtime/workflowView.js"
import type { WorkflowEventWire } from "durable-effect-tracking"

// The workflow demo's timeline and report, on events made here (the demo itself runs workerd:
// test/examples/workflowDemo.test.ts, in `npm run test:slow`).

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString()
let sequence = 0
const event = (workflowId: string, ms: number, type: string, fields: object = {}): WorkflowEventWire =>
  ({
    // Ordered as emitted, as UUIDv7 ids are (timelines sort by eventId).
    eventId: `0000000${++sequence}`.slice(-8) + "-0000-7000-8000-000000000000",
    timestamp: at(ms),
    source: "workflow",
    workflowId,
    workflowName: workflowId === "wf-a" ? "payment" : "approval",
    executionId: workflowId === "wf-a" ? "p-1" : "a-1",
    type,
    ...fields,
    env: "test",
    serviceKey: "wf"
  }) as WorkflowEventWire

const retried = [
  event("wf-a", 0, "workflow.started", { input: {} }),
  event("wf-a", 1, "step.started", { stepName: "charge", attempt: 1 }),
  event("wf-a", 5, "retry.scheduled", { stepName: "charge", attempt: 1, nextAttemptAt: at(1005), delayMs: 1000 }),
  event("wf-a", 6, "workflow.paused", { reason: "retry", resumeAt: at(1005), stepName: "charge" }),
  event("wf-a", 1010, "workflow.resumed"),
  event("wf-a", 1011, "step.started", { stepName: "charge", attempt: 2 }),
  event("wf-a", 1012, "retry.exhausted", { stepName: "charge", attempts: 2 }),
  event("wf-a", 1015, "workflow.failed", { error: { message: "card declined" }, completedSteps: [] })
]
const cancelledWhilePaused = [
  event("wf-b", 20, "workflow.started", { input: {} }),
  event("wf-b", 22, "sleep.started", { durationMs: 86_400_000, resumeAt: at(86_400_022) }),
  event("wf-b", 23, "workflow.paused", { reason: "sleep", resumeAt: at(86_400_022) }),
  event("wf-b", 500, "workflow.cancelled", { reason: "withdrawn", completedSteps: [] })
]

describe("the demo's timeline and report, over workflow events", () => {
  it("groups by workflowId, titled by workflowName and executionId, in eventId order", () => {
    const timelines = timelinesOf([...cancelledWhilePaused, ...retried].reverse(), new Map(), workflowView)
    expect(timelines.map((timeline) => [timeline.instanceId, timeline.kind, timeline.title])).toEqual([
      ["wf-a", "payment", "payment p-1"],
      ["wf-b", "approval", "approval a-1"]
    ])
    expect(timelines[0]!.events).toEqual(retried)
    // The base fields of the workflow vocabulary are not repeated among an event's own.
    const text = renderTimelines(timelines)
    expect(text).toContain("retry.exhausted     stepName=charge attempts=2")
    expect(text).not.toContain("workflowId=")
  })

  it("pairs started or resumed with the outcome that ends the run; a cancel while paused is no run", () => {
    expect(runsOf(retried, workflowView).map((run) => [run.outcome, run.from, run.to])).toEqual([
      ["paused", Date.parse(at(0)), Date.parse(at(6))],
      ["failed", Date.parse(at(1010)), Date.parse(at(1015))]
    ])
    expect(countsOf(retried, runsOf(retried, workflowView), workflowView)).toEqual({
      runs: 2,
      failedRuns: 1,
      retries: 1,
      exhausted: 1,
      jobFailed: 0
    })
    expect(runsOf(cancelledWhilePaused, workflowView).map((run) => run.outcome)).toEqual(["paused"])
  })

  it("writes the report with the workflow filter, runs and the failure in words", () => {
    const html = renderReport({
      title: "t",
      summary: [],
      timelines: timelinesOf([...retried, ...cancelledWhilePaused], new Map(), workflowView)
    })
    expect(html).toContain("<legend>Workflow</legend>")
    expect(html).toContain(`id="f-type-0" checked>payment (1)`)
    expect(html).toContain(`<ul class="problems"><li>✕ step charge: retries exhausted after 2 attempts</li></ul>`)
    expect(html).toContain(
      `<div class="run paused" role="img" tabindex="0" aria-label="run paused after 6 ms, at +0.000 s"`
    )
    expect(html).toContain(`aria-label="run failed after 5 ms: card declined, at +1.010 s"`)
    expect(html).toContain(`aria-label="workflow.cancelled at +0.500 s"`)
  })
})
