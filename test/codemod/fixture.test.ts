import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { runCodemod, type CodemodOutcome } from "../../src/codemod/index.js"
import { EventTracker, type EventTrackerService } from "../../src/tracker/EventTracker.js"
import { copyFixture, hashTree, type FixtureCopy } from "../support/fixtureCopy.js"
import { childTimeoutMs, startCopyChecks, type CopyChecks, type VitestJsonReport } from "../support/copyChecks.js"
import { fakeState } from "../fixtures/jobs/test/fakeDurableObjectState.js"

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

/** A tracker that records events and flushes, in order, across the runtime's per-call layer builds. */
const recordingTracker = () => {
  const log: Array<{ readonly flush: true } | { readonly event: { readonly type: string } & Record<string, unknown> }> =
    []
  const tracker: EventTrackerService = {
    emit: (event) => Effect.sync(() => void log.push({ event: event as { type: string } })),
    flush: () => Effect.sync(() => void log.push({ flush: true })),
    pending: () => Effect.succeed(0)
  }
  return { layer: Layer.succeed(EventTracker, tracker), log }
}

// The rewritten runtime has a third parameter the fixture's own types do not know of.
interface RewrittenRuntimeModule {
  readonly createJobsRuntimeFromLayer: (
    coreLayer: unknown,
    registry: unknown,
    options?: { readonly tracker?: unknown }
  ) => { handle(request: unknown): Promise<unknown>; handleAlarm(): Promise<void>; flush(): Promise<void> }
}

describe("the codemod on a copy of the jobs fixture", () => {
  let copy: FixtureCopy
  let outcome: CodemodOutcome
  let checks: CopyChecks

  beforeAll(async () => {
    copy = copyFixture()
    outcome = await runCodemod({ packageDir: copy.packageDir })
    // The two slow checks run side by side while the other tests go on. One worker, one module
    // graph: the fixture's tests share no state, and loading effect once instead of once per
    // file is most of what this nested run costs.
    checks = startCopyChecks(copy, { core: "core", test: "testTimeout: 120000, isolate: false, maxWorkers: 1" })
  })

  afterAll(async () => {
    await Promise.allSettled([checks?.typeCheck, checks?.suite])
    copy?.remove()
  })

  it("rewrites the runtime, engine and factory, scaffolds src/tracking.ts, and type-checks clean", () => {
    expect(outcome.exitCode).toBe(0)
    expect(outcome.plan.diagnostics).toEqual([])
    expect([...outcome.written].sort()).toEqual([
      "src/engine/engine.ts",
      "src/factory.ts",
      "src/runtime/runtime.ts",
      "src/tracking.ts"
    ])
    expect(outcome.plan.wrapped.map((entry) => entry.layer)).toEqual([
      "RuntimeServicesLayer",
      "CleanupServiceLayer",
      "RetryExecutorLayer",
      "JobExecutionServiceLayer",
      "JobHandlersLayer",
      "DispatcherLayer"
    ])
    expect(outcome.plan.todo).toEqual([])
    const runtime = readFileSync(join(copy.packageDir, "src/runtime/runtime.ts"), "utf8")
    expect(runtime).toContain("const trackedCoreLayer = addTracker(coreLayer, tracker)")
    expect(runtime).toContain("const tracking = { eventMap: trackingEventMap, enabled: tracker !== undefined }")
    expect(runtime).toContain("flush: () => runEffect(Effect.void)")
    // The boundary flush is the library's, which never fails whatever the tracker does.
    expect(runtime).toContain(
      'import { addTracker, withTracking, flushEvents as flushTrackerEvents, type TrackerOption } from "durable-effect-tracking"'
    )
    expect(runtime).toContain(
      "Effect.runPromise(effect.pipe(Effect.ensuring(flushTrackerEvents), Effect.provide(dispatcherLayer)))"
    )
    expect(readFileSync(join(copy.packageDir, "src/tracking.ts"), "utf8")).toContain(
      "export const trackingEventMap = defaultJobsEventMap"
    )
  })

  it(
    "the rewritten package passes tsc with its own tsconfig",
    async () => {
      const result = await checks.typeCheck
      expect(result.code, result.output).toBe(0)
    },
    childTimeoutMs
  )

  it(
    "the fixture's own tests still pass on the rewritten package",
    async () => {
      const result = await checks.suite
      expect(result.code, result.output).toBe(0)
      const report = JSON.parse(readFileSync(checks.reportPath, "utf8")) as VitestJsonReport
      expect(report.success).toBe(true)
      // Every test file of the fixture ran, and every test in them passed.
      const testFiles = readdirSync(join(copy.packageDir, "test")).filter((name) => name.endsWith(".test.ts"))
      expect(report.testResults.map((file) => relative(join(copy.packageDir, "test"), file.name)).sort()).toEqual(
        testFiles.sort()
      )
      expect(report.numTotalTests).toBeGreaterThan(0)
      expect({
        passed: report.numPassedTests,
        failed: report.numFailedTests,
        skipped: report.numPendingTests + report.numTodoTests
      }).toEqual({
        passed: report.numTotalTests,
        failed: 0,
        skipped: 0
      })
    },
    childTimeoutMs
  )

  it("the rewritten runtime emits the default map's events and flushes at the end of every run, on failure too", async () => {
    const load = (path: string) => import(pathToFileURL(join(copy.packageDir, path)).href)
    const { createJobsRuntimeFromLayer } = (await load("src/runtime/runtime.ts")) as RewrittenRuntimeModule
    const { createJobRegistry } = await load("src/registry/index.ts")
    const { Continuous } = await load("src/definitions/index.ts")
    const { createTestRuntime } = await import("@durable-effect/core")
    const { Schema } = await import("effect")

    const counter = Continuous.make({
      stateSchema: Schema.Struct({ count: Schema.Number }),
      schedule: Continuous.every("1 minute"),
      execute: (ctx: { updateState: (f: (s: { count: number }) => { count: number }) => void }) =>
        Effect.sync(() => ctx.updateState((state) => ({ count: state.count + 1 })))
    })
    const { layer, handles } = createTestRuntime()
    const { layer: trackerLayer, log } = recordingTracker()
    const runtime = createJobsRuntimeFromLayer(layer, createJobRegistry({ counter }), { tracker: trackerLayer })

    await runtime.handle({ type: "continuous", action: "start", name: "counter", id: "c-1", input: { count: 0 } })
    const startRun = log.splice(0)
    const types = startRun.flatMap((entry) => ("event" in entry ? [entry.event.type] : []))
    for (const type of ["job.created", "job.started", "execution.started", "execution.succeeded", "alarm.scheduled"]) {
      expect(types).toContain(type)
    }
    for (const entry of startRun) {
      if ("event" in entry) expect(entry.event).toMatchObject({ jobType: "continuous", jobName: "counter" })
    }
    // The flush closes the run: after every event of it.
    expect(startRun.at(-1)).toEqual({ flush: true })

    handles.scheduler.fire()
    await runtime.handleAlarm()
    const alarmRun = log.splice(0)
    expect(alarmRun.flatMap((entry) => ("event" in entry ? [entry.event.type] : []))).toContain("alarm.fired")
    expect(alarmRun.at(-1)).toEqual({ flush: true })

    await expect(
      runtime.handle({ type: "continuous", action: "start", name: "unknown", id: "c-2", input: {} })
    ).rejects.toBeDefined()
    expect(log.at(-1)).toEqual({ flush: true })
  })

  it("createDurableJobs(definitions, { tracker: (env) => ... }) reaches the runtime through the engine", async () => {
    const load = (path: string) => import(pathToFileURL(join(copy.packageDir, path)).href)
    const { createDurableJobs } = await load("src/factory.ts")
    const { Continuous } = await load("src/definitions/index.ts")
    const { Schema } = await import("effect")
    const job = Continuous.make({
      stateSchema: Schema.Number,
      schedule: Continuous.every("10 seconds"),
      execute: (ctx: { state: number; setState: (n: number) => void }) => Effect.sync(() => ctx.setState(ctx.state + 1))
    })
    const { layer: trackerLayer, log } = recordingTracker()
    const envs: Array<unknown> = []
    const { Jobs } = createDurableJobs(
      { job },
      {
        tracker: (env: unknown) => {
          envs.push(env)
          return trackerLayer
        }
      }
    )
    const { state } = fakeState({ id: "do-1" })

    const engine = new Jobs(state, { TRACKING_URL: "https://collector.example/ingest" })
    await engine.call({ type: "continuous", action: "start", name: "job", id: "1", input: 1 })

    expect(envs).toEqual([expect.objectContaining({ TRACKING_URL: "https://collector.example/ingest" })])
    const types = log.flatMap((entry) => ("event" in entry ? [entry.event.type] : []))
    expect(types).toContain("job.created")
    expect(types).toContain("execution.succeeded")
    expect(log.find((entry) => "event" in entry)).toMatchObject({ event: { instanceId: "do-1", jobName: "job" } })
    expect(log.at(-1)).toEqual({ flush: true })
  })

  it("a second run changes nothing, and --check then exits 0", async () => {
    const before = hashTree(copy.packageDir)
    const check = await runCodemod({ packageDir: copy.packageDir, mode: "check" })
    expect(check.exitCode).toBe(0)
    expect(check.plan.status).toBe("already-wired")
    const again = await runCodemod({ packageDir: copy.packageDir })
    expect(again.exitCode).toBe(0)
    expect(again.written).toEqual([])
    expect(hashTree(copy.packageDir)).toBe(before)
  })
})
