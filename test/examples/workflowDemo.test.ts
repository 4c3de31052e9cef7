import { beforeAll, describe, expect, it } from "vitest"
import { countsOf, runsOf } from "../../examples/runtime/reportModel.js"
import { runWorkflowDemo, type WorkflowDemoResult } from "../../examples/runtime/workflowDemo.js"
import { scenarioWorkflows } from "../../examples/runtime/workflowScenario.js"
import { workflowView } from "../../examples/runtime/workflowView.js"
import { workflowScenarios } from "../workflow/workflowScenarios.js"

// The core of `npm run demo:workflow`: the workflow fixture's engine in workerd, its layers
// tracked, its HTTP tracker posting to the demo's collector. What the collector received, per
// workflow, and what the report draws of it.

let result: WorkflowDemoResult

beforeAll(async () => {
  result = await runWorkflowDemo()
})

const lifeOf = (instance: string) => {
  const timeline = result.timelines.find((candidate) => candidate.label === instance)
  if (timeline === undefined) throw new Error(`no events of ${instance}`)
  return timeline
}
const typesOf = (instance: string) => lifeOf(instance).events.map((event) => event.type)

const steps = (...names: ReadonlyArray<string>) => names.flatMap(() => ["step.started", "step.completed"])
/** What the workflow map emits in the in-memory scenario of that name (test/workflow). */
const emitsOf = (name: string) => {
  const scenario = workflowScenarios.find((candidate) => candidate.name === name)
  if (scenario === undefined) throw new Error(`no scenario ${name}`)
  return scenario.emits
}

describe("npm run demo:workflow", () => {
  it("delivers every event once, each batch a valid workflow batch", () => {
    expect(result.invalidBodies).toEqual([])
    expect(result.duplicates).toBe(0)
    expect(result.requests.every((request) => request.status === 200)).toBe(true)
    expect(result.timelines.map((timeline) => timeline.label).sort()).toEqual(
      Object.values(scenarioWorkflows)
        .map((entry) => entry.instance)
        .sort()
    )
  })

  it("tells each workflow's life, in order, as the map's in-memory scenarios of the same lives do", () => {
    const { order, queued, payment, refund, reminder, approval } = scenarioWorkflows
    // The reservation has a timeout: set when the step first starts.
    const reserve = ["step.started", "timeout.set", "step.completed"]
    const orderLife = ["workflow.started", ...steps("price"), ...reserve, ...steps("confirm"), "workflow.completed"]
    expect(typesOf(order.instance)).toEqual(orderLife)
    expect(typesOf(queued.instance)).toEqual(["workflow.queued", ...orderLife])
    expect(typesOf(payment.instance)).toEqual(emitsOf("a retry, then success"))
    expect(typesOf(refund.instance)).toEqual(emitsOf("retries to exhaustion"))
    expect(typesOf(reminder.instance)).toEqual(emitsOf("a sleep, then the alarm resumes it"))
    expect(typesOf(approval.instance)).toEqual(emitsOf("cancelled while paused"))
  })

  it("groups by the workflow vocabulary's identity: workflowId, workflowName, executionId", () => {
    for (const entry of Object.values(scenarioWorkflows)) {
      const timeline = lifeOf(entry.instance)
      expect(timeline.kind).toBe(entry.workflow)
      expect(timeline.title).toBe(`${entry.workflow} ${entry.id}`)
      for (const event of timeline.events) {
        expect([event.source, event.workflowId, event.workflowName, event.executionId]).toEqual([
          "workflow",
          timeline.instanceId,
          entry.workflow,
          entry.id
        ])
      }
    }
    const exhausted = lifeOf(scenarioWorkflows.refund.instance).events.find((event) => event.type === "retry.exhausted")
    expect(exhausted).toMatchObject({ stepName: "refund", attempts: 2 })
    const cancelled = lifeOf(scenarioWorkflows.approval.instance).events.at(-1)
    expect(cancelled).toMatchObject({ reason: "withdrawn", completedSteps: ["request"] })
  })

  it("draws runs from started or resumed to their outcome, and counts retries and failures", () => {
    const model = (instance: string) => {
      const { events } = lifeOf(instance)
      const runs = runsOf(events, workflowView)
      return { outcomes: runs.map((run) => run.outcome), counts: countsOf(events, runs, workflowView) }
    }
    const { order, payment, refund, reminder, approval } = scenarioWorkflows
    expect(model(order.instance)).toEqual({
      outcomes: ["succeeded"],
      counts: { runs: 1, failedRuns: 0, retries: 0, exhausted: 0, jobFailed: 0 }
    })
    expect(model(payment.instance).outcomes).toEqual(["paused", "succeeded"])
    expect(model(refund.instance)).toEqual({
      outcomes: ["paused", "failed"],
      counts: { runs: 2, failedRuns: 1, retries: 1, exhausted: 1, jobFailed: 0 }
    })
    expect(model(reminder.instance).outcomes).toEqual(["paused", "succeeded"])
    // Cancelled while paused: the cancel is no run of the workflow's code, a mark of its own.
    expect(model(approval.instance).outcomes).toEqual(["paused"])
    expect(result.report).toContain(`<legend>Workflow</legend>`)
    expect(result.report).toContain(`aria-label="refund ord-2 refund:ord-2"`)
  })
})
