import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { reportPackageCoverage } from "../../../src/codemod/coverage/measurePackage.js"
import { coverageText } from "../../../src/codemod/coverage/render.js"
import { describeCoverage } from "../../../src/instrument/coverage.js"
import { WorkflowEventTypes, type WorkflowEventType } from "../../../src/workflow/events/WorkflowEventTypes.js"
import { workflowEventMap } from "../../../src/workflow/workflowEventMap.js"
import { workflowScenarios } from "../../workflow/workflowScenarios.js"

const fixtureDir = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url))

describe("coverage of the workflow package, measured on its sources and its core's", () => {
  it("says per type whether the map covers it, from which method or exported function and where, or why not", async () => {
    const report = await reportPackageCoverage<WorkflowEventType>({ packageDir: fixtureDir("workflow") })
    expect(report).toMatchObject({ layout: "workflow", map: "workflowEventMap", total: 16, covered: 16 })
    expect(Object.keys(report.types)).toEqual([...WorkflowEventTypes])
    // The adapters are core's: found there, beside the package.
    expect(report.types["step.completed"]).toMatchObject({ covered: true, by: [expect.stringMatching(/^StorageAdapter\.put \(\.\.\/core\/adapters\/storage\.ts:\d+\)$/)] })
    // The combinators' events: from the functions the package exports (the second seam).
    expect(report.types["timeout.set"]).toMatchObject({ covered: true, by: [expect.stringMatching(/^Workflow\.step \(src\/primitives\/step\.ts:\d+\)$/)] })
    expect(report.types["sleep.completed"]).toMatchObject({ covered: true, by: expect.arrayContaining([expect.stringMatching(/^Workflow\.sleep \(src\/primitives\/sleep\.ts:\d+\)$/)]) })
    const blindSpots = workflowEventMap.blindSpots ?? {}
    for (const type of describeCoverage(workflowEventMap).missing) {
      expect(report.types[type]).toEqual({
        covered: false,
        by: [],
        reason: blindSpots[type]!.reason,
        hint: blindSpots[type]!.hint
      })
    }
    expect(coverageText(report)).toContain("16 of 16 event types covered")
  })

  it("does not count a function entry whose function the package does not export, and says so", async () => {
    // The jobs fixture exports no `step`: measured with the workflow map, the step's events are not covered.
    const report = await reportPackageCoverage<WorkflowEventType>({ packageDir: fixtureDir("jobs"), map: workflowEventMap })
    expect(report.types["timeout.set"]).toMatchObject({ covered: false, reason: expect.stringContaining("Workflow.step: this package exports no function step") })
  })

  it("covers exactly what the map emits over the scenarios that take every path", async () => {
    const report = await reportPackageCoverage<WorkflowEventType>({ packageDir: fixtureDir("workflow") })
    const emitted = new Set(workflowScenarios.flatMap((scenario) => scenario.emits))
    expect(WorkflowEventTypes.filter((type) => report.types[type]?.covered)).toEqual(
      WorkflowEventTypes.filter((type) => emitted.has(type))
    )
  })
})
