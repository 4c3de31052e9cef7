import { describe, expect, it } from "vitest"
import { describeCoverage } from "../../src/instrument/coverage.js"
import { eventMapProblems } from "../../src/instrument/EventMap.js"
import { WorkflowEventTypes } from "../../src/workflow/events/WorkflowEventTypes.js"
import { workflowEventMap } from "../../src/workflow/workflowEventMap.js"
import { workflowScenarios } from "./workflowScenarios.js"

describe("workflowEventMap's coverage", () => {
  const report = describeCoverage(workflowEventMap)

  it("is a sound map", () => {
    expect(eventMapProblems(workflowEventMap)).toEqual([])
  })

  it("lists the 16 types, each with the service methods or combinators that emit it: no blind spot", () => {
    expect(report.total).toBe(16)
    expect(Object.fromEntries(report.events.map(({ type, sources }) => [type, sources]))).toEqual({
      "workflow.started": ["WorkflowExecutor.execute"],
      "workflow.queued": ["WorkflowStateMachine.applyTransition"],
      "workflow.completed": ["WorkflowExecutor.execute"],
      "workflow.failed": ["WorkflowExecutor.execute"],
      "workflow.paused": ["WorkflowExecutor.execute"],
      "workflow.resumed": ["WorkflowExecutor.execute"],
      "workflow.cancelled": ["WorkflowStateMachine.getState", "WorkflowExecutor.execute"],
      "step.started": ["Workflow.step"],
      "step.completed": ["StorageAdapter.put"],
      "step.failed": ["Workflow.step"],
      "retry.scheduled": ["Workflow.step"],
      "retry.exhausted": ["Workflow.step"],
      "sleep.started": ["Workflow.sleep", "Workflow.sleepUntil"],
      "sleep.completed": ["Workflow.sleep", "Workflow.sleepUntil"],
      "timeout.set": ["Workflow.step"],
      "timeout.exceeded": ["Workflow.step"]
    })
    expect(report.missing).toEqual([])
    expect(workflowEventMap.blindSpots).toBeUndefined()
  })

  it("emits, over the scenarios of the differential test, every type it covers: all 16", () => {
    // workflowEventMap.test.ts checks that each scenario emits exactly its `emits`.
    const emitted = new Set(workflowScenarios.flatMap((scenario) => scenario.emits))
    const covered = WorkflowEventTypes.filter((type) => !report.missing.includes(type))
    expect(covered).toHaveLength(16)
    expect(WorkflowEventTypes.filter((type) => emitted.has(type))).toEqual(covered)
  })
})
