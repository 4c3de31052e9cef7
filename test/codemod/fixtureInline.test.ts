import { readFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Layer, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { main, type CliIo } from "../../src/cli/program.js"
import { summaryJson } from "../../src/cli/codemodCommand.js"
import { runCodemod, type CodemodOutcome } from "durable-effect-tracking/codemod"
import { EventTracker, type EventTrackerService, JobEventTypes } from "durable-effect-tracking"
import { copyFixture, type FixtureCopy } from "../support/fixtureCopy.js"
import { tempDir } from "../support/tempDir.js"
import { startCopyChecks, type CopyChecks } from "../support/copyChecks.js"

// The codemod on the older layout (jobs-inline): it wires the same way, scaffolds the map for
// that layout, and says what the map cannot see there, in its summary and in src/tracking.ts.

const cli = async (argv: ReadonlyArray<string>) => {
  let stdout = ""
  const io: CliIo = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } }
  const code = await main(argv, io)
  return { code, stdout }
}

describe("the codemod on a copy of the jobs-inline fixture (the older layout)", () => {
  let copy: FixtureCopy
  let outcome: CodemodOutcome
  let checks: CopyChecks

  beforeAll(async () => {
    copy = copyFixture("jobs-inline")
    outcome = await runCodemod({ packageDir: copy.packageDir })
    checks = startCopyChecks(copy, { core: "core", test: "testTimeout: 30000" })
  })

  afterAll(async () => {
    await Promise.allSettled([checks?.typeCheck, checks?.suite])
    copy?.remove()
  })

  it("wraps the older composition and scaffolds the inline map, with its uncovered type and hint in src/tracking.ts", () => {
    expect(outcome.exitCode).toBe(0)
    expect(outcome.plan.diagnostics).toEqual([])
    expect(outcome.plan.wrapped.map((entry) => entry.layer)).toEqual([
      "RuntimeServicesLayer",
      "RetryExecutorLayer",
      "JobHandlersLayer",
      "DispatcherLayer"
    ])
    const tracking = readFileSync(join(copy.packageDir, "src/tracking.ts"), "utf8")
    expect(tracking).toContain("export const trackingEventMap = inlineJobsEventMap")
    expect(tracking).toMatch(/ \* - task\.idle: .*def\.onIdle\(\.\.\.\) at src\/handlers\/task\/handler\.ts:\d+/)
    expect(tracking).toMatch(/ \*   Hint: .*TaskHandler\.handle/)
  })

  it("ends its JSON summary with the package's coverage, and does not say nothing is left to do", () => {
    const json = summaryJson(outcome)
    expect(json.coverage).toMatchObject({ map: "inlineJobsEventMap", layout: "inline", covered: 19, total: 20 })
    expect(Object.keys(json.coverage!.types).sort()).toEqual([...JobEventTypes].sort())
    expect(json.coverage!.types["task.idle"]).toMatchObject({ covered: false, by: [] })
    expect(json.coverage!.types["task.idle"].reason).toContain("src/handlers/task/handler.ts:")
    expect(json.todo.some((item) => item.includes("task.idle"))).toBe(true)
  })

  it("says what to do next with the library's current constructors only", () => {
    const { next } = summaryJson(outcome)
    expect(next.some((step) => step.includes("InMemoryTracker.make()"))).toBe(true)
    const deprecated =
      /createInMemoryTracker|createHttpBatchTracker|sharedHttpBatchTrackerLayer|HttpBatchTrackerLayer|NoopTrackerLayer/
    expect(next.filter((step) => deprecated.test(step))).toEqual([])
  })

  it("the rewritten package passes tsc with its own tsconfig", async () => {
    const result = await checks.typeCheck
    expect(result.output).toBe("")
    expect(result.code).toBe(0)
  })

  it("the fixture's own tests still pass on the rewritten package", async () => {
    const result = await checks.suite
    expect(result.code, result.output).toBe(0)
  })

  it("the rewritten runtime emits the inline map's events through the scaffolded src/tracking.ts", async () => {
    const load = (path: string) => import(pathToFileURL(join(copy.packageDir, path)).href)
    const { createJobsRuntimeFromLayer } = await load("src/runtime/runtime.ts")
    const { createJobRegistry } = await load("src/registry/index.ts")
    const { Continuous } = await load("src/definitions/index.ts")
    const { createTestRuntime } = await import("@durable-effect/core")
    const types: Array<string> = []
    const tracker: EventTrackerService = {
      emit: (event) => Effect.sync(() => void types.push((event as { readonly type: string }).type)),
      flush: () => Effect.void,
      pending: () => Effect.succeed(0)
    }
    const flaky = Continuous.make({
      stateSchema: Schema.Struct({ n: Schema.Number }),
      schedule: Continuous.every("1 minute"),
      retry: { maxAttempts: 1, delay: "1 second", jitter: false },
      execute: () => Effect.fail("down")
    })
    const { layer, handles } = createTestRuntime()
    const runtime = createJobsRuntimeFromLayer(layer, createJobRegistry({ flaky }), {
      tracker: Layer.succeed(EventTracker, tracker)
    })
    await runtime.handle({ type: "continuous", action: "start", name: "flaky", id: "f", input: { n: 0 } })
    handles.scheduler.fire()
    await runtime.handleAlarm()
    for (const type of [
      "job.created",
      "execution.started",
      "retry.scheduled",
      "retry.attempted",
      "retry.exhausted",
      "job.failed"
    ]) {
      expect(types).toContain(type)
    }
  })

  it("coverage <dir> --json on the rewritten package, with its src/tracking.ts as --map: 19 of 20, exit 1", async () => {
    // tsx, loading the .ts map in this process, keeps a compile cache in the temp directory: this
    // test's own, removed after.
    const cache = tempDir("det-tsx-")
    const previous = process.env.TMPDIR
    process.env.TMPDIR = cache.path
    const result = await cli([
      "coverage",
      copy.packageDir,
      "--map",
      join(copy.packageDir, "src/tracking.ts"),
      "--json"
    ]).finally(() => {
      process.env.TMPDIR = previous
      cache.remove()
    })
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({ covered: 19, total: 20, layout: "inline" })
    expect(report.map).toContain("(trackingEventMap)")
    expect(report.types["task.idle"].covered).toBe(false)
  })
})
