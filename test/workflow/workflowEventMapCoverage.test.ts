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

  it("lists the 16 types: each emitted by the service methods that see it, or a blind spot with its reason", () => {
    expect(report.total).toBe(16)
    expect(Object.fromEntries(report.events.map(({ type, sources }) => [type, sources]))).toEqual({
      "workflow.started": ["WorkflowExecutor.execute"],
      "workflow.queued": ["WorkflowStateMachine.applyTransition"],
      "workflow.completed": ["WorkflowExecutor.execute"],
      "workflow.failed": ["WorkflowExecutor.execute"],
      "workflow.paused": ["WorkflowExecutor.execute"],
      "workflow.resumed": ["WorkflowExecutor.execute"],
      "workflow.cancelled": ["WorkflowStateMachine.getState", "WorkflowExecutor.execute"],
      "step.started": ["StorageAdapter.get"],
      "step.completed": ["StorageAdapter.put"],
      "step.failed": [],
      "retry.scheduled": ["SchedulerAdapter.schedule"],
      "retry.exhausted": ["WorkflowExecutor.execute"],
      "sleep.started": ["StorageAdapter.put"],
      "sleep.completed": [],
      "timeout.set": [],
      "timeout.exceeded": []
    })
    const blindSpots = workflowEventMap.blindSpots ?? {}
    expect(report.missing).toEqual(["step.failed", "sleep.completed", "timeout.set", "timeout.exceeded"])
    // Every type is either emitted or a blind spot, never both, and a blind spot says why and where.
    expect(Object.keys(blindSpots).sort()).toEqual([...report.missing].sort())
    for (const type of report.missing) {
      expect(blindSpots[type]?.reason.length).toBeGreaterThan(0)
      expect(blindSpots[type]?.at).toMatch(/^Workflow\.(step|sleep)$/)
    }
  })

  it("emits, over the scenarios of the differential test, every type it covers", () => {
    // workflowEventMap.test.ts checks that each scenario emits exactly its `emits`.
    const emitted = new Set(workflowScenarios.flatMap((scenario) => scenario.emits))
    const covered = WorkflowEventTypes.filter((type) => !report.missing.includes(type))
    expect(WorkflowEventTypes.filter((type) => emitted.has(type))).toEqual(covered)
  })
})
