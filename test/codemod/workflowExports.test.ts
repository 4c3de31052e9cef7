import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { planCodemod } from "durable-effect-tracking/codemod"
import { rewriteCombinatorExports } from "../../src/codemod/rewrite/workflowExports.js"
import { repoRoot } from "../support/fixtureCopy.js"

// The codemod's rewrite of a workflow package's exports, on the fixture's sources in memory (the
// copy, its tsc and its suites: workflowCodemod.test.ts, under `npm run test:slow`).

const options = {
  importFrom: "durable-effect-tracking",
  trackingModule: "../tracking",
  namespace: "Workflow",
  names: ["step", "sleep", "sleepUntil"]
}

describe("rewriteCombinatorExports", () => {
  const path = "src/primitives/index.ts"
  const text = readFileSync(join(repoRoot, "test/fixtures/workflow", path), "utf8")

  it("exports the named combinators traced, keeps every other export, and is idempotent", () => {
    const rewrite = rewriteCombinatorExports(path, text, options)
    expect(rewrite.status).toBe("rewrite")
    if (rewrite.status !== "rewrite") return
    const lines = rewrite.text.split("\n")
    expect(lines.slice(0, 4)).toEqual([
      'import { trackExports } from "durable-effect-tracking"',
      'import { trackingEventMap } from "../tracking"',
      'import { step as untrackedStep } from "./step"',
      'import { sleep as untrackedSleep, sleepUntil as untrackedSleepUntil } from "./sleep"'
    ])
    expect(lines.slice(-4, -1)).toEqual([
      "export const step: typeof untrackedStep = tracked.step",
      "export const sleep: typeof untrackedSleep = tracked.sleep",
      "export const sleepUntil: typeof untrackedSleepUntil = tracked.sleepUntil"
    ])
    expect(rewrite.text).toContain('{ eventMap: trackingEventMap, namespace: "Workflow" }')
    // The other names of those export declarations stay, and the sleep module's is gone.
    expect(rewrite.text).toMatch(/export \{\n {2}RetryExhaustedError,[\s\S]*\} from "\.\/step"/)
    expect(rewrite.text).not.toContain('export { sleep, sleepUntil } from "./sleep"')
    expect(rewriteCombinatorExports(path, rewrite.text, options).status).toBe("already-wired")
  })

  it("says which combinators a module does not re-export by name", () => {
    const rewrite = rewriteCombinatorExports(path, 'export { step } from "./step"\n', options)
    expect(rewrite).toEqual({
      status: "not-found",
      reason: "src/primitives/index.ts does not re-export sleep, sleepUntil by name from a module of the package"
    })
  })

  it("follows the module's style: single quotes, semicolons, .js specifiers", () => {
    const rewrite = rewriteCombinatorExports(
      path,
      "export { step } from './step.js';\nexport { sleep, sleepUntil } from './sleep.js';\n",
      { ...options, trackingModule: "../tracking.js" }
    )
    expect(rewrite.status === "rewrite" && rewrite.text.split("\n").slice(0, 4)).toEqual([
      "import { trackExports } from 'durable-effect-tracking';",
      "import { trackingEventMap } from '../tracking.js';",
      "import { step as untrackedStep } from './step.js';",
      "import { sleep as untrackedSleep, sleepUntil as untrackedSleepUntil } from './sleep.js';"
    ])
  })
})

describe("planCodemod on the workflow fixture", () => {
  it("finds the workflow layout and plans the exports' rewrite and src/tracking.ts", async () => {
    const plan = await planCodemod({ packageDir: join(repoRoot, "test/fixtures/workflow"), typeCheck: false })
    expect(plan.status).toBe("changes")
    expect(plan.files.map((file) => [file.relativePath, file.before === undefined])).toEqual([
      ["src/primitives/index.ts", false],
      ["src/tracking.ts", true]
    ])
    expect(plan.files[1]!.after).toContain("export const trackingEventMap = workflowEventMap")
  })

  it("sends a package tracked by hand to migrate", async () => {
    const plan = await planCodemod({ packageDir: join(repoRoot, "test/fixtures/workflow-tracked"), typeCheck: false })
    expect(plan.status).toBe("tracked-by-hand")
    expect(plan.handPlacedEmits.length).toBe(28)
  })
})
