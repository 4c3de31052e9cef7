import { readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Either, Schema } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { decodeJobEventBatch } from "durable-effect-tracking"
import { runMigrate, type MigrateOutcome } from "../../../src/codemod/index.js"
import { copyFixture, hashTree, repoRoot, sourcesUnder, type FixtureCopy } from "../../support/fixtureCopy.js"
import { childTimeoutMs, startCopyChecks, type CopyChecks, type VitestJsonReport } from "../../support/copyChecks.js"
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

describe("migrate on a copy of the hand-tracked jobs release (jobs-tracked)", () => {
  let copy: FixtureCopy
  let outcome: MigrateOutcome
  let checks: CopyChecks

  beforeAll(async () => {
    // Under a directory named jobs-tracked, so that `@durable-effect/core` is the release's core.
    copy = copyFixture("jobs-tracked")
    outcome = await runMigrate({ packageDir: copy.packageDir })
    checks = startCopyChecks(copy, {
      core: "core-tracked",
      test: "testTimeout: 120000, isolate: false, maxWorkers: 1"
    })
  })

  afterEach(() => {
    vi.unstubAllGlobals()
  })

  afterAll(async () => {
    await Promise.allSettled([checks?.typeCheck, checks?.suite])
    copy?.remove()
  })

  it("removes all 10 hand-placed emits and rewires the runtime; no emitEvent is left in src", () => {
    expect(outcome.exitCode).toBe(0)
    expect(outcome.plan.diagnostics).toEqual([])
    expect(outcome.plan.emitSites.map((site) => [site.file, site.form, site.eventType])).toEqual([
      ["src/handlers/continuous/handler.ts", "statement", "job.started"],
      ["src/handlers/continuous/handler.ts", "statement", "job.terminated"],
      ["src/handlers/debounce/handler.ts", "statement", "debounce.started"],
      ["src/handlers/debounce/handler.ts", "statement", "debounce.flushed"],
      ["src/handlers/debounce/handler.ts", "statement", "debounce.flushed"],
      ["src/handlers/task/handler.ts", "statement", "task.scheduled"],
      ["src/services/execution.ts", "return", "job.failed"],
      ["src/services/execution.ts", "deferred", "job.retryExhausted"],
      ["src/services/execution.ts", "piped", "job.failed"],
      ["src/services/execution.ts", "statement", "job.executed"]
    ])
    for (const path of sourcesUnder(join(copy.packageDir, "src"))) {
      const text = readFileSync(path, "utf8")
      expect(text, path).not.toMatch(/\b(emitEvent|createJobBaseEvent|HttpBatchTrackerLayer|NoopTrackerLayer)\b/)
    }
    // What computed only for the events went with them.
    const execution = readFileSync(join(copy.packageDir, "src/services/execution.ts"), "utf8")
    expect(execution).not.toMatch(/startTime|durationMs|preExecutionState/)
    const debounce = readFileSync(join(copy.packageDir, "src/handlers/debounce/handler.ts"), "utf8")
    expect(debounce).not.toMatch(/durationMs|const startedAt|const scheduledAt/)
    expect(outcome.plan.wrapped.map((entry) => entry.layer)).toEqual([
      "RuntimeServicesLayer",
      "CleanupServiceLayer",
      "RetryExecutorLayer",
      "JobExecutionServiceLayer",
      "JobHandlersLayer",
      "DispatcherLayer"
    ])
    const runtime = readFileSync(join(copy.packageDir, "src/runtime/runtime.ts"), "utf8")
    expect(runtime).toContain("const trackedCoreLayer = addTracker(coreLayer, trackerConfig)")
    expect(runtime).toContain("Effect.ensuring(flushEvents)")
    expect(outcome.plan.configReach.ok).toBe(true)
    expect(outcome.plan.configReach.entries.map((entry) => entry.entry)).toEqual([
      "createDurableJobs",
      "createJobsRuntime",
      "createJobsRuntimeFromLayer"
    ])
    expect(outcome.plan.todo).toEqual([])
    // The public tracking API is kept as it was.
    expect(readFileSync(join(copy.packageDir, "src/factory.ts"), "utf8")).toBe(
      readFileSync(join(repoRoot, "test/fixtures/jobs-tracked/src/factory.ts"), "utf8")
    )
    expect(readFileSync(join(copy.packageDir, "src/engine/engine.ts"), "utf8")).toBe(
      readFileSync(join(repoRoot, "test/fixtures/jobs-tracked/src/engine/engine.ts"), "utf8")
    )
  })

  it(
    "the migrated package passes tsc with its own tsconfig",
    async () => {
      const result = await checks.typeCheck
      expect(result.code, result.output).toBe(0)
    },
    childTimeoutMs
  )

  it(
    "its own suite: the 92 tests outside tracking.test.ts pass; the six tracking tests need upstream's format (--events upstream, not yet)",
    async () => {
      await checks.suite
      const report = JSON.parse(readFileSync(checks.reportPath, "utf8")) as VitestJsonReport
      expect(report.numTotalTests).toBe(98)
      const results = report.testResults.flatMap((file) =>
        file.assertionResults.map((test) => ({
          file: relative(join(copy.packageDir, "test"), file.name),
          name: test.fullName,
          status: test.status
        }))
      )
      const others = results.filter((test) => test.file !== join("handlers", "tracking.test.ts"))
      expect(others.filter((test) => test.status !== "passed")).toEqual([])
      expect(others).toHaveLength(92)
      // Their assertions read upstream's fields (source: "job", preExecutionState), which the
      // full event set does not have: these fail until the upstream map exists.
      const tracking = results.filter((test) => test.file === join("handlers", "tracking.test.ts"))
      expect(tracking.map((test) => test.status)).toEqual(Array(6).fill("failed"))
    },
    childTimeoutMs
  )

  it("a tracker given at createDurableJobs receives the events, POSTed by this library's HTTP tracker", async () => {
    const batches: Array<unknown> = []
    vi.stubGlobal("fetch", async (_url: string, init: { body: string }) => {
      batches.push(JSON.parse(init.body))
      return new Response(null, { status: 204 })
    })
    const load = (path: string) => import(pathToFileURL(join(copy.packageDir, path)).href)
    const { createDurableJobs } = await load("src/factory.ts")
    const { Continuous } = await load("src/definitions/index.ts")
    const counter = Continuous.make({
      stateSchema: Schema.Struct({ count: Schema.Number }),
      schedule: Continuous.every("1 hour"),
      execute: (ctx: { updateState: (f: (s: { count: number }) => { count: number }) => void }) =>
        Effect.sync(() => ctx.updateState((state) => ({ count: state.count + 1 })))
    })
    // Written against the package before migration: upstream core's config, nothing else.
    const { Jobs } = createDurableJobs(
      { counter },
      { tracker: { endpoint: "https://collector.example/events", env: "test", serviceKey: "billing", batchSize: 50 } }
    )
    const { state } = fakeState({ id: "do-1" })
    const engine = new Jobs(state, {})
    await engine.call({ type: "continuous", action: "start", name: "counter", id: "c-1", input: { count: 0 } })

    expect(batches.length).toBeGreaterThan(0)
    const events = batches.flatMap((batch) => {
      const decoded = decodeJobEventBatch(batch)
      expect(Either.isRight(decoded)).toBe(true)
      return Either.isRight(decoded) ? decoded.right.events : []
    })
    const types = events.map((event) => event.type)
    for (const type of ["job.created", "job.started", "execution.started", "execution.succeeded"]) {
      expect(types).toContain(type)
    }
    for (const event of events) {
      expect(event).toMatchObject({ env: "test", serviceKey: "billing", jobType: "continuous", jobName: "counter" })
    }
  })

  it("a second run changes nothing; --check exits 0", async () => {
    const before = hashTree(copy.packageDir)
    const check = await runMigrate({ packageDir: copy.packageDir, mode: "check" })
    expect(check.exitCode).toBe(0)
    expect(check.plan.status).toBe("already-migrated")
    const again = await runMigrate({ packageDir: copy.packageDir })
    expect(again.plan.status).toBe("already-migrated")
    expect(again.exitCode).toBe(2)
    expect(again.written).toEqual([])
    expect(hashTree(copy.packageDir)).toBe(before)
  })
})
