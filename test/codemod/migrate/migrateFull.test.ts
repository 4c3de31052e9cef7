import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Either } from "effect"
import { beforeAll, describe, expect, it, vi } from "vitest"
import {
  checkEventSequence,
  decodeJobEventBatch,
  jobEvents,
  JobEventTypes,
  upstreamJobEvents,
  type JobEventType
} from "durable-effect-tracking"
import { childTimeoutMs, suiteResults } from "../../support/copyChecks.js"
import { useMigratedCopy } from "../../support/migratedCopy.js"
import {
  collect,
  loadJobsPackage,
  runSteps,
  scripts,
  startThroughEngine,
  type JobsPackage,
  type Sent
} from "../../support/scriptedJobs.js"

// Issue 26, "Done when": with `--events full`, the 20 types on the differential's scenarios, and
// the package's other tests green. One migration of a copy of the hand-tracked release, with
// `--events full`; the differential's scripts (test/support/scriptedJobs.ts) on it through its
// public runtime entries with an HTTP tracker config, and its own suite.

// The engine extends the Workers runtime's DurableObject: outside workerd, a stand-in.
vi.mock("cloudflare:workers", () => import("../../support/cloudflareWorkersStub.js"))

const types = (perStep: ReadonlyArray<ReadonlyArray<Sent>>) => perStep.map((step) => step.map((event) => event.type))

describe("migrate --events full on a copy of the hand-tracked jobs release (jobs-tracked)", () => {
  const migration = useMigratedCopy("jobs-tracked", { events: "full" })
  let migrated: JobsPackage
  beforeAll(async () => {
    migrated = await loadJobsPackage(migration.copy.packageDir)
  })

  it("migrates with the 20-type map, and the package sends none of the user's data", () => {
    expect(migration.outcome.exitCode).toBe(0)
    expect(migration.outcome.plan.events).toBe("full")
    expect(readFileSync(join(migration.copy.packageDir, "src/tracking.ts"), "utf8")).toContain(
      "export const trackingEventMap = defaultJobsEventMap"
    )
    expect(migration.outcome.plan.payloads.sent).toEqual([])
  })

  it("the differential's scripts: each sends the 20-type events docs/events.md gives it, in order, every one decoding", async () => {
    // The scripts, each on its own instance: what each step POSTed.
    collect()
    const runs: Record<string, Array<Array<Sent>>> = {}
    for (const [name, steps] of Object.entries(scripts)) runs[name] = await runSteps(migrated, `full-${name}`, steps)
    runs["engine"] = [await startThroughEngine(migrated, "full-engine")]
    // Every event as sent (env and serviceKey added), no user data in any.
    const all = Object.values(runs).flat(2)
    for (const event of all) {
      expect(event).toMatchObject({ env: "test", serviceKey: "svc" })
      expect(event).not.toHaveProperty("input")
      expect(event).not.toHaveProperty("preExecutionState")
      // The 20 types' vocabulary takes each; upstream's, none.
      expect(jobEvents.accepts(event), event.type).toBe(true)
      expect(upstreamJobEvents.accepts(event), event.type).toBe(false)
    }

    // Per step, as the goldens of the same map on the untracked fixture give them
    // (test/jobs/goldenEvents.test.ts): a run is execution.started … its outcome, the alarm it
    // set inside it or right after; a client's terminate cancels the alarm, then ends the job.
    const run = ["execution.started", "execution.succeeded"]
    const created = ["job.created", "job.started"]
    const retried = ["alarm.scheduled", "retry.scheduled", "execution.failed"]
    const exhausted = [
      "alarm.fired",
      "execution.started",
      "retry.attempted",
      "retry.exhausted",
      "alarm.cancelled",
      "execution.failed",
      "job.failed",
      "job.terminated"
    ]
    const flushed = ["debounce.flush.triggered", ...run, "job.completed", "alarm.cancelled"]
    expect(types(runs["continuous"]!)).toEqual([
      [...created, ...run, "alarm.scheduled"],
      ["alarm.fired", ...run, "alarm.scheduled"],
      ["alarm.cancelled", "job.terminated"]
    ])
    // ctx.terminate(): the run ends first, then the job.
    expect(types(runs["selfTerminate"]!)).toEqual([
      [...created, "execution.started", "alarm.cancelled", "execution.succeeded", "job.terminated"]
    ])
    expect(types(runs["failing"]!)).toEqual([[...created, "execution.started", "execution.failed", "job.failed"]])
    // Three attempts: two retries scheduled, the third attempt exhausts them and ends the job.
    expect(types(runs["retries"]!)).toEqual([
      [...created, "execution.started", ...retried],
      ["alarm.fired", "execution.started", "retry.attempted", ...retried],
      exhausted
    ])
    // The retry's delay (2 s) outlasts its maxDuration (1 s): the first retry exhausts them.
    expect(types(runs["outOfTime"]!)).toEqual([[...created, "execution.started", ...retried], exhausted])
    // maxEvents (3) flushes inside the add that filled the batch; the next add starts a new one,
    // which its alarm flushes.
    expect(types(runs["debounce"]!)).toEqual([
      [...created, "alarm.scheduled", "debounce.event.added"],
      ["debounce.event.added"],
      ["debounce.event.added", ...flushed],
      [...created, "alarm.scheduled", "debounce.event.added"],
      ["alarm.fired", ...flushed]
    ])
    // onEvent schedules inside its run; the alarm's run schedules through onIdle, so it is not idle.
    expect(types(runs["task"]!)).toEqual([
      [
        ...created,
        "task.event.received",
        "execution.started",
        "alarm.scheduled",
        "execution.succeeded",
        "task.event.processed"
      ],
      ["alarm.fired", "execution.started", "alarm.scheduled", "execution.succeeded"]
    ])
    expect(types(runs["engine"]!)).toEqual([[...created, ...run, "alarm.scheduled"]])

    // Each script is one instance's life from job.created on (two for the debounce): its events
    // decode as a batch of the 20 types, keep the documented order and are about its job.
    const jobOf: Record<string, readonly [string, string]> = {
      continuous: ["continuous", "counter"],
      selfTerminate: ["continuous", "counter"],
      failing: ["continuous", "failing"],
      retries: ["continuous", "flaky"],
      outOfTime: ["continuous", "slow"],
      debounce: ["debounce", "clicks"],
      task: ["task", "orders"],
      engine: ["continuous", "counter"]
    }
    for (const [name, perStep] of Object.entries(runs)) {
      const events = perStep.flat()
      const decoded = decodeJobEventBatch({ events })
      expect(Either.isRight(decoded), name).toBe(true)
      expect(checkEventSequence(Either.isRight(decoded) ? decoded.right.events : []), name).toEqual([])
      const [jobType, jobName] = jobOf[name]!
      for (const event of events) expect(event, name).toMatchObject({ instanceId: `full-${name}`, jobType, jobName })
    }

    // What tells the scripts apart beyond their types.
    const fields = (name: string, type: JobEventType, field: string) =>
      runs[name]!.flat()
        .filter((event) => event.type === type)
        .map((event) => event[field])
    expect(fields("continuous", "job.terminated", "source")).toEqual(["client"])
    expect(fields("continuous", "job.terminated", "reason")).toEqual(["bye"])
    expect(fields("selfTerminate", "job.terminated", "source")).toEqual(["job"])
    expect(fields("retries", "job.terminated", "source")).toEqual(["retryExhausted"])
    expect(fields("retries", "retry.exhausted", "reason")).toEqual(["max_attempts_exceeded"])
    expect(fields("retries", "execution.failed", "willRetry")).toEqual([true, true, false])
    expect(fields("outOfTime", "retry.exhausted", "reason")).toEqual(["max_duration_exceeded"])
    expect(fields("failing", "job.failed", "error")).toEqual([
      expect.objectContaining({ message: "Intentional test failure" })
    ])
    expect(fields("debounce", "debounce.flush.triggered", "reason")).toEqual(["maxEvents", "flushAfter"])
    expect(fields("debounce", "debounce.event.added", "eventCount")).toEqual([1, 2, 3, 1])

    // Together: every type these scripts can produce. Two they cannot: task.idle (the task's
    // onIdle schedules an alarm in every run, and a run that schedules is not idle) and
    // debounce.cleared (no script clears a debounce).
    const seen = new Set(all.map((event) => event.type))
    expect(JobEventTypes.filter((type) => !seen.has(type))).toEqual(["task.idle", "debounce.cleared"])
  })

  it(
    "its own suite: all but the six tracking tests pass, which assert upstream's events and fail as full does not send them",
    async () => {
      const { report, tests: results } = await suiteResults(migration.checks, migration.copy)
      expect(report.numTotalTests).toBe(98)
      const tracking = join("handlers", "tracking.test.ts")
      const others = results.filter((test) => test.file !== tracking)
      expect(others).toHaveLength(92)
      expect(others.filter((test) => test.status !== "passed")).toEqual([])
      expect(results.filter((test) => test.file === tracking).map((test) => test.status)).toEqual(
        Array(6).fill("failed")
      )
    },
    childTimeoutMs
  )

  it(
    "passes tsc with its own tsconfig, the Worker written against the release included",
    async () => {
      const result = await migration.checks.typeCheck
      expect(result.code, result.output).toBe(0)
    },
    childTimeoutMs
  )
})
