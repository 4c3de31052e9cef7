import { readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Context, Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCodemod, type CodemodOutcome } from "durable-effect-tracking/codemod"
import { InMemoryTracker, serviceEvents, withTracking, workflowEvents, vocabularyGate } from "durable-effect-tracking"
import { EventTracker } from "../../src/tracker/EventTracker.js"
import { copyFixture, type FixtureCopy } from "../support/fixtureCopy.js"
import { startCopyChecks, type CopyChecks } from "../support/copyChecks.js"

// The codemod on a copy of the untracked workflow package: the combinators its primitives module
// exports (and so the `Workflow` namespace of its index) come out traced; nothing else changes.
// About a minute (tsc of the copy, its suites, the codemod's own type-check): one of the slow
// files (`npm run test:slow`, see vitest.config.ts); `npm test` runs the rewrite's cheap checks
// (workflowExports.test.ts).

// An enclosing traced call that knows the workflow's name, as the traced executor would.
class Run extends Context.Tag("test/WorkflowRun")<
  Run,
  { within<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> }
>() {}
const runMap = serviceEvents(workflowEvents, Run, "Run", {
  within: { context: () => ({ workflowName: "flow", executionId: "exec-1" }) }
})

describe("the codemod on a copy of the workflow fixture", () => {
  let copy: FixtureCopy
  let outcome: CodemodOutcome
  let checks: CopyChecks

  beforeAll(async () => {
    copy = copyFixture("workflow")
    outcome = await runCodemod({ packageDir: copy.packageDir })
    // The suites that use the combinators: the primitives' and the orchestrator's.
    checks = startCopyChecks(copy, {
      core: "core",
      test: `include: ["workflow/test/primitives/**/*.test.ts", "workflow/test/orchestrator/**/*.test.ts"], testTimeout: 30000`
    })
  })

  afterAll(async () => {
    await Promise.allSettled([checks?.typeCheck, checks?.suite])
    copy?.remove()
  })

  it("exports step, sleep and sleepUntil traced from the primitives module, and scaffolds src/tracking.ts", () => {
    expect(outcome.exitCode).toBe(0)
    expect(outcome.plan.status).toBe("changes")
    expect(outcome.plan.diagnostics).toEqual([])
    expect([...outcome.written].sort()).toEqual(["src/primitives/index.ts", "src/tracking.ts"])
    const primitives = readFileSync(join(copy.packageDir, "src/primitives/index.ts"), "utf8")
    for (const name of ["step", "sleep", "sleepUntil"]) {
      const untracked = `untracked${name[0]!.toUpperCase()}${name.slice(1)}`
      expect(primitives).toContain(`export const ${name}: typeof ${untracked} = tracked.${name}`)
    }
    expect(primitives).toContain('import { step as untrackedStep } from "./step"')
    // What the module exported besides is exported as it was.
    expect(primitives).toMatch(/export \{\n {2}RetryExhaustedError,\n {2}StepCancelledError,/)
    expect(readFileSync(join(copy.packageDir, "src/tracking.ts"), "utf8")).toContain(
      "export const trackingEventMap = workflowEventMap"
    )
    // The workflows' own code (and the modules defining the combinators) are not touched.
    expect(outcome.written.some((path) => /step\.ts|sleep\.ts/.test(path))).toBe(false)
  })

  it("a second run finds the package wired", async () => {
    const again = await runCodemod({ packageDir: copy.packageDir, mode: "check" })
    expect(again.plan.status).toBe("already-wired")
    expect(again.exitCode).toBe(0)
  })

  it("the rewritten package passes tsc with its own tsconfig", async () => {
    const result = await checks.typeCheck
    expect(result.output).toBe("")
    expect(result.code).toBe(0)
  })

  it("the fixture's tests of the combinators still pass on the rewritten package", async () => {
    const result = await checks.suite
    expect(result.code, result.output).toBe(0)
  })

  it("the rewritten Workflow.step emits its events through the scaffolded map", async () => {
    const load = (path: string) => import(pathToFileURL(join(copy.packageDir, path)).href)
    const Workflow = await load("src/primitives/index.ts")
    const { runtime, runInWorkflow } = await load("test/helpers.ts")
    const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(workflowEvents) })
    const RunLive = withTracking(Layer.succeed(Run, { within: (effect) => effect }), { eventMap: runMap }).pipe(
      Layer.provideMerge(Layer.succeed(EventTracker, memory.service))
    )
    const { layer } = await runtime("wf-7")
    const step = Workflow.step({ name: "charge", execute: Effect.succeed(1) }) as Effect.Effect<number>
    const value = await runInWorkflow(
      layer,
      Effect.flatMap(Run, (run) => run.within(step)).pipe(Effect.provide(RunLive))
    )
    expect(value).toBe(1)
    const events = await Effect.runPromise(memory.handle.getEvents())
    expect(events.map(({ eventId: _id, timestamp: _t, ...event }) => event)).toEqual([
      {
        source: "workflow",
        type: "step.started",
        stepName: "charge",
        attempt: 1,
        workflowId: "wf-7",
        workflowName: "flow",
        executionId: "exec-1"
      }
    ])
  })
})
