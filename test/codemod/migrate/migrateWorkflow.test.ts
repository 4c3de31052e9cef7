import { readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Either } from "effect"
import { describe, expect, it, vi } from "vitest"
import { decodeWorkflowEventBatch } from "durable-effect-tracking"
import { runMigrate } from "../../../src/codemod/index.js"
import { useMigratedCopy } from "../../support/migratedCopy.js"
import { hashTree, repoRoot, sourcesUnder } from "../../support/fixtureCopy.js"
import { childTimeoutMs, type VitestJsonReport } from "../../support/copyChecks.js"
import { fakeState } from "../../fixtures/jobs/test/fakeDurableObjectState.js"

// The engine extends the Workers runtime's DurableObject; outside workerd a plain base class
// that keeps ctx and env will do.
vi.mock("cloudflare:workers", () => ({
  DurableObject: class {
    ctx: unknown
    env: unknown
    constructor(ctx: unknown, env: unknown) {
      this.ctx = ctx
      this.env = env
    }
  }
}))

describe("migrate on a copy of the hand-tracked workflow package (workflow-tracked)", () => {
  const migration = useMigratedCopy("workflow-tracked")

  it("removes the 28 hand-placed emits with the result helper and the tracker plumbing; no emitEvent is left in src", () => {
    expect(migration.outcome.exitCode).toBe(0)
    expect(migration.outcome.plan.layout).toBe("workflow")
    expect(migration.outcome.plan.diagnostics).toEqual([])
    const byFile = (file: string) => migration.outcome.plan.emitSites.filter((site) => site.file === file).length
    expect(migration.outcome.plan.emitSites).toHaveLength(28)
    expect(byFile("src/orchestrator/orchestrator.ts")).toBe(14)
    expect(byFile("src/primitives/step.ts")).toBe(10)
    expect(byFile("src/primitives/sleep.ts")).toBe(4)
    // Forms B and H: the base event, the branch left empty, the switch and the helper with its three calls.
    expect(migration.outcome.plan.removedWithEmits).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^src\/orchestrator\/orchestrator\.ts: baseEvent \(line \d+\)$/),
        expect.stringMatching(/^src\/orchestrator\/orchestrator\.ts: a branch left empty/),
        expect.stringMatching(/^src\/orchestrator\/orchestrator\.ts: a switch left doing nothing/),
        expect.stringMatching(
          /^src\/orchestrator\/orchestrator\.ts: emitResultEvents, left doing nothing .* and its 3 calls$/
        )
      ])
    )
    for (const path of sourcesUnder(join(migration.copy.packageDir, "src"))) {
      // The index keeps re-exporting core's tracker API (the package's public API): no call there.
      if (path.endsWith(join("src", "index.ts"))) continue
      const text = readFileSync(path, "utf8")
      expect(text, path).not.toMatch(
        /\b(emitEvent|createWorkflowBaseEvent|emitResultEvents|baseEvent|HttpBatchTrackerLayer|NoopTrackerLayer)\b/
      )
    }
    const original = (path: string) => readFileSync(join(repoRoot, "test/fixtures/workflow-tracked", path), "utf8")
    const migrated = (path: string) => readFileSync(join(migration.copy.packageDir, path), "utf8")
    expect(migrated("src/index.ts")).toBe(original("src/index.ts"))
    expect(migrated("src/engine/types.ts")).toBe(original("src/engine/types.ts"))
    // The orchestrator's reads stay (the map learns from them): the cancel's state read keeps its call.
    expect(migrated("src/orchestrator/orchestrator.ts")).toMatch(/^\s*yield\* stateMachine\.getState\(\)$/m)
    // The cleanup of a terminal result stays, the paused branch (it only emitted) goes.
    expect(migrated("src/orchestrator/orchestrator.ts")).toMatch(
      /if \(result\._tag === "Completed"\) \{\s*yield\* cleanup\("completed"\)\s*\} else if \(result\._tag === "Failed"\) \{\s*yield\* cleanup\("failed"\)\s*\} else if \(result\._tag === "Cancelled"\) \{\s*yield\* cleanup\("cancelled"\)\s*\}/
    )
    const engine = migrated("src/engine/engine.ts")
    expect(engine).not.toMatch(/zipLeft\([^)]*flushEvents|yield\* flushEvents/)
    expect(engine).toContain("Effect.ensuring(flushEvents), Effect.provide(this.#layer)")
    expect(engine).toContain(
      "withTracking(addTracker(createDurableObjectRuntime(state), options?.tracker), { eventMap: trackingEventMap })"
    )
    expect(migration.outcome.plan.wrapped.map((entry) => entry.layer)).toEqual([
      "WorkflowOrchestratorLayer",
      "WorkflowExecutorLayer",
      "WorkflowStateMachineLayer",
      "createDurableObjectRuntime"
    ])
    expect(migrated("src/tracking.ts")).toContain("export const trackingEventMap = workflowEventMap")
    // The combinators' seam: exported through trackExports with the same map as the layers.
    const exportsModule = migrated("src/primitives/index.ts")
    expect(exportsModule).toContain('import { trackingEventMap } from "../tracking"')
    expect(exportsModule).toContain('{ eventMap: trackingEventMap, namespace: "Workflow" }')
    expect(exportsModule).toContain("export const sleepUntil: typeof untrackedSleepUntil = tracked.sleepUntil")
    expect(migration.outcome.plan.configReach).toMatchObject({
      ok: true,
      entries: [{ entry: "createDurableWorkflows", reaches: true }]
    })
    expect(migration.outcome.plan.todo).toEqual([])
    // The workflow's input, sent by hand before, is sent still, and the plan says so.
    expect(migration.outcome.plan.eventMaps.map((entry) => entry.exportName)).toEqual(["workflowEventMap"])
    expect(migration.outcome.plan.payloads).toEqual({
      sent: [{ field: "input", types: ["workflow.started", "workflow.queued"], map: "workflowEventMap" }],
      howToStop: [expect.stringContaining('omitEventFields(workflowEventMap, ["input"])')],
      sentByHand: ["input"]
    })
  })

  it(
    "the migrated package passes tsc with its own tsconfig",
    async () => {
      const result = await migration.checks.typeCheck
      expect(result.code, result.output).toBe(0)
    },
    childTimeoutMs
  )

  it(
    "its own suite: all 291 tests pass, assertions untouched",
    async () => {
      await migration.checks.suite
      const report = JSON.parse(readFileSync(migration.checks.reportPath, "utf8")) as VitestJsonReport
      expect(report.numTotalTests).toBe(291)
      expect(report.numPassedTests).toBe(291)
      expect(hashTree(join(migration.copy.packageDir, "test"))).toBe(
        hashTree(join(repoRoot, "test/fixtures/workflow-tracked/test"))
      )
    },
    childTimeoutMs
  )

  it("a tracker given at createDurableWorkflows receives the events, POSTed by this library's HTTP tracker, a cancel's too", async () => {
    const batches: Array<unknown> = []
    vi.stubGlobal("fetch", async (_url: string, init: { body: string }) => {
      batches.push(JSON.parse(init.body))
      return new Response(null, { status: 204 })
    })
    const load = (path: string) => import(pathToFileURL(join(migration.copy.packageDir, path)).href)
    const { createDurableWorkflows } = await load("src/engine/engine.ts")
    const Workflow = await load("src/primitives/index.ts")
    const order = Workflow.make(() =>
      Effect.gen(function* () {
        yield* Workflow.step({ name: "charge", execute: Effect.succeed(1) })
        yield* Workflow.sleep("1 hour")
      })
    )
    // Written against the package before migration: upstream core's config, nothing else.
    const { Workflows } = createDurableWorkflows(
      { order },
      { tracker: { endpoint: "https://collector.example/events", env: "test", serviceKey: "orders", batchSize: 50 } }
    )
    const { state } = fakeState({ id: "do-1" })
    const engine = new Workflows(
      Object.assign(state, { blockConcurrencyWhile: (f: () => Promise<unknown>) => f() }),
      {}
    )
    await engine.run({ workflow: "order", input: { id: 1 }, executionId: "e-1" })
    await engine.cancel({ reason: "changed my mind" })

    const events = batches.flatMap((batch) => {
      const decoded = decodeWorkflowEventBatch(batch)
      expect(Either.isRight(decoded)).toBe(true)
      return Either.isRight(decoded) ? decoded.right.events : []
    })
    expect(events.map((event) => event.type)).toEqual([
      "workflow.started",
      "step.started",
      "step.completed",
      "sleep.started",
      "workflow.paused",
      "workflow.cancelled"
    ])
    for (const event of events) {
      expect(event).toMatchObject({
        env: "test",
        serviceKey: "orders",
        source: "workflow",
        workflowId: "do-1",
        workflowName: "order",
        executionId: "e-1"
      })
    }
  })

  it("a second run changes nothing; --check exits 0", async () => {
    const before = hashTree(migration.copy.packageDir)
    const check = await runMigrate({ packageDir: migration.copy.packageDir, mode: "check" })
    expect(check.exitCode).toBe(0)
    expect(check.plan.status).toBe("already-migrated")
    const again = await runMigrate({ packageDir: migration.copy.packageDir })
    expect(again.plan.status).toBe("already-migrated")
    expect(again.exitCode).toBe(2)
    expect(again.written).toEqual([])
    expect(hashTree(migration.copy.packageDir)).toBe(before)
  })
})
