import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { wrapExportsStep, type WorkflowMigrateContext } from "../../../src/codemod/migrate/planWorkflowMigrate.js"
import type { SourceChange } from "../../../src/codemod/migrate/handEmitRemoval.js"
import { rewriteCombinatorExports } from "../../../src/codemod/rewrite/workflowExports.js"
import { workflowLayout } from "../../../src/workflow/layout.js"
import { repoRoot } from "../../support/fixtureCopy.js"

// The combinators' step of a workflow package's migration, on the tracked fixture's exports
// module in memory (the whole migration on a copy, its tsc and its suite: migrateWorkflow.test.ts,
// under `npm run test:slow`).

const exportsModule = workflowLayout.exportsModule
const exportsText = readFileSync(join(repoRoot, "test/fixtures/workflow-tracked", exportsModule), "utf8")

const contextWith = (sources: ReadonlyArray<readonly [string, string]>): WorkflowMigrateContext => ({
  packageDir: "/nowhere",
  layout: workflowLayout,
  importFrom: "durable-effect-tracking",
  sources: new Map(sources.map(([path, text]): [string, SourceChange] => [path, { before: text, after: text }])),
  trackingSpecifier: () => "../tracking"
})

describe("wrapExportsStep", () => {
  it("exports step, sleep and sleepUntil traced by the codemod's own rewrite, with the package's trackingEventMap", () => {
    const context = contextWith([[exportsModule, exportsText]])
    const result = wrapExportsStep(context)
    const expected = rewriteCombinatorExports(exportsModule, exportsText, {
      importFrom: "durable-effect-tracking",
      trackingModule: "../tracking",
      namespace: "Workflow",
      names: ["step", "sleep", "sleepUntil"]
    })
    expect(expected.status).toBe("rewrite")
    if (expected.status !== "rewrite") return
    expect(context.sources.get(exportsModule)!.after).toBe(expected.text)
    expect(result).toEqual({ wrapped: [], changes: expected.changes, todo: [] })
    // A second pass finds them wired and changes nothing.
    const again = wrapExportsStep(contextWith([[exportsModule, expected.text]]))
    expect(again).toEqual({ wrapped: [], changes: [], todo: [] })
  })

  it("leaves a module that does not re-export them by name as it is, and says so", () => {
    const text = 'export * from "./step"\n'
    const context = contextWith([[exportsModule, text]])
    const result = wrapExportsStep(context)
    expect(context.sources.get(exportsModule)!.after).toBe(text)
    expect(result.changes).toEqual([])
    expect(result.todo).toHaveLength(1)
    expect(result.todo[0]).toContain("step, sleep, sleepUntil are not exported traced")
  })

  it("says so when the package has no exports module where the layout says", () => {
    const result = wrapExportsStep(contextWith([]))
    expect(result.changes).toEqual([])
    expect(result.todo).toEqual([
      `step, sleep, sleepUntil are not exported traced (${exportsModule} not found): the events only they see are not sent`
    ])
  })
})
