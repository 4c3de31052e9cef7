import { readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { Either } from "effect"
import { describe, expect, it, vi } from "vitest"
import { decodeUpstreamJobEventBatch } from "durable-effect-tracking"
import { runMigrate } from "../../../src/codemod/index.js"
import { useMigratedCopy } from "../../support/migratedCopy.js"
import { loadCounterJobs } from "../../support/counterJobs.js"
import { hashTree, repoRoot, sourcesUnder } from "../../support/fixtureCopy.js"
import { childTimeoutMs, suiteResults } from "../../support/copyChecks.js"
import { fakeState } from "../../fixtures/jobs/test/fakeDurableObjectState.js"
import { describeUpstreamDifferential } from "../../support/upstreamDifferential.js"

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
  const migration = useMigratedCopy("jobs-tracked")

  it("removes all 10 hand-placed emits and rewires the runtime; no emitEvent is left in src", () => {
    expect(migration.outcome.exitCode).toBe(0)
    // The default event set: upstream's format, from the library's map in src/tracking.ts.
    expect(migration.outcome.plan.events).toBe("upstream")
    expect(readFileSync(join(migration.copy.packageDir, "src/tracking.ts"), "utf8")).toContain(
      "export const trackingEventMap = upstreamJobsEventMap"
    )
    expect(migration.outcome.plan.diagnostics).toEqual([])
    expect(migration.outcome.plan.emitSites.map((site) => [site.file, site.form, site.eventType])).toEqual([
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
    for (const path of sourcesUnder(join(migration.copy.packageDir, "src"))) {
      const text = readFileSync(path, "utf8")
      expect(text, path).not.toMatch(/\b(emitEvent|createJobBaseEvent|HttpBatchTrackerLayer|NoopTrackerLayer)\b/)
    }
    // What computed only for the events went with them.
    const execution = readFileSync(join(migration.copy.packageDir, "src/services/execution.ts"), "utf8")
    expect(execution).not.toMatch(/startTime|durationMs|preExecutionState/)
    const debounce = readFileSync(join(migration.copy.packageDir, "src/handlers/debounce/handler.ts"), "utf8")
    expect(debounce).not.toMatch(/durationMs|const startedAt|const scheduledAt/)
    expect(migration.outcome.plan.wrapped.map((entry) => entry.layer)).toEqual([
      "RuntimeServicesLayer",
      "CleanupServiceLayer",
      "RetryExecutorLayer",
      "JobExecutionServiceLayer",
      "JobHandlersLayer",
      "DispatcherLayer"
    ])
    const runtime = readFileSync(join(migration.copy.packageDir, "src/runtime/runtime.ts"), "utf8")
    expect(runtime).toContain("const trackedCoreLayer = addTracker(coreLayer, trackerConfig)")
    expect(runtime).toContain("Effect.ensuring(flushEvents)")
    expect(migration.outcome.plan.configReach.ok).toBe(true)
    expect(migration.outcome.plan.configReach.entries.map((entry) => entry.entry)).toEqual([
      "createDurableJobs",
      "createJobsRuntime",
      "createJobsRuntimeFromLayer"
    ])
    expect(migration.outcome.plan.todo).toEqual([])
    // The public tracking API is kept as it was.
    expect(readFileSync(join(migration.copy.packageDir, "src/factory.ts"), "utf8")).toBe(
      readFileSync(join(repoRoot, "test/fixtures/jobs-tracked/src/factory.ts"), "utf8")
    )
    expect(readFileSync(join(migration.copy.packageDir, "src/engine/engine.ts"), "utf8")).toBe(
      readFileSync(join(repoRoot, "test/fixtures/jobs-tracked/src/engine/engine.ts"), "utf8")
    )
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
    "its own suite: all 98 tests pass with their assertions untouched, the six tracking tests on upstream's format included",
    async () => {
      const { report, tests: results } = await suiteResults(migration.checks, migration.copy)
      expect(report.numTotalTests).toBe(98)
      expect(results.filter((test) => test.status !== "passed")).toEqual([])
      expect(results).toHaveLength(98)
      // They read upstream's fields (source: "job", preExecutionState) from the mapped events.
      const tracking = results.filter((test) => test.file === join("handlers", "tracking.test.ts"))
      expect(tracking.map((test) => test.status)).toEqual(Array(6).fill("passed"))
      // The assertions are the fixture's own: migrate wraps the composition, nothing else.
      const assertions = (text: string) => text.split("\n").filter((line) => /\bexpect\(/.test(line))
      expect(
        assertions(readFileSync(join(migration.copy.packageDir, "test/handlers/tracking.test.ts"), "utf8"))
      ).toEqual(
        assertions(readFileSync(join(repoRoot, "test/fixtures/jobs-tracked/test/handlers/tracking.test.ts"), "utf8"))
      )
    },
    childTimeoutMs
  )

  it("a tracker given at createDurableJobs receives the events, POSTed by this library's HTTP tracker", async () => {
    const batches: Array<unknown> = []
    const headers: Array<Record<string, string>> = []
    vi.stubGlobal("fetch", async (_url: string, init: { body: string; headers: Record<string, string> }) => {
      batches.push(JSON.parse(init.body))
      headers.push(init.headers)
      return new Response(null, { status: 204 })
    })
    const { createDurableJobs, counter } = await loadCounterJobs(migration.copy.packageDir)
    // Written against the package before migration: upstream core's config, every field of it
    // (test/fixtures/jobs-tracked/test/workerBeforeMigration.ts, type-checked by the copy's tsc).
    const { Jobs } = createDurableJobs(
      { counter },
      {
        tracker: {
          endpoint: "https://collector.example/events",
          env: "test",
          serviceKey: "billing",
          batchSize: 50,
          headers: { authorization: "Bearer collector-token" },
          retry: { maxAttempts: 2, initialDelayMs: 100 }
        }
      }
    )
    const { state } = fakeState({ id: "do-1" })
    const engine = new Jobs(state, {})
    await engine.call({ type: "continuous", action: "start", name: "counter", id: "c-1", input: { count: 0 } })

    expect(batches.length).toBeGreaterThan(0)
    for (const sent of headers) expect(sent).toMatchObject({ authorization: "Bearer collector-token" })
    const events = batches.flatMap((batch) => {
      const decoded = decodeUpstreamJobEventBatch(batch)
      expect(Either.isRight(decoded)).toBe(true)
      return Either.isRight(decoded) ? decoded.right.events : []
    })
    expect(events.map((event) => event.type)).toEqual(["job.started", "job.executed"])
    for (const event of events) {
      expect(event).toMatchObject({
        env: "test",
        serviceKey: "billing",
        source: "job",
        instanceId: "do-1",
        id: "c-1",
        jobType: "continuous",
        jobName: "counter"
      })
    }
    expect(events[0]).toMatchObject({ input: { count: 0 } })
    expect(events[1]).toMatchObject({ runCount: 1, attempt: 1, preExecutionState: { count: 0 } })
  })

  // The differential test, on this copy: the release's events against the migrated ones.
  describeUpstreamDifferential(() => migration.copy.packageDir)

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
