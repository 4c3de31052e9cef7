import { join } from "node:path"
import { Either, Schema } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { repoRoot } from "./fixtureCopy.js"
import {
  collect,
  loadJobsPackage,
  runSteps,
  scripts,
  start,
  START,
  startThroughEngine,
  type JobsPackage,
  type Sent,
  type Step
} from "./scriptedJobs.js"
// The release's core, by path: both packages import it as `@durable-effect/core` (vitest.config.ts).
import { InternalTrackingEventSchema } from "../fixtures/core-tracked/index.js"

// The differential test of issue 26: the same scripted requests (./scriptedJobs.ts) on the
// hand-tracked release and on its copy migrated with `--events upstream` (the default). The
// upstream-format events must be equal field by field but for ids, timestamps and durations,
// and but for the listed corrections, each applied here by name to the release's events.
// Described inside the test file that migrates the copy (one migration per run); that file mocks
// `cloudflare:workers` (the engine's base class) and unstubs globals after each test.

/** What is compared: not the ids, times and durations; of an error's stack, whether it has one. */
const comparable = (event: Sent): Record<string, unknown> => {
  const { eventId: _id, timestamp: _at, durationMs: _took, ...rest } = event
  const error = rest["error"] as { message: string; stack?: string } | undefined
  return error === undefined ? rest : { ...rest, error: { message: error.message, stack: typeof error.stack } }
}

// The corrections, each applied to the release's events by what it is.

/** A retry's `job.failed` carries the attempt's own error, not "Retry scheduled for attempt N". */
const realRetryError = (message: string) => (event: Record<string, unknown>) =>
  event["type"] === "job.failed" && event["willRetry"] === true
    ? { ...event, error: { message, stack: "string" } }
    : event
/** `job.retryExhausted` says the duration ran out when it did, not always "max_attempts". */
const maxDurationReason = (event: Record<string, unknown>) =>
  event["type"] === "job.retryExhausted" ? { ...event, reason: "max_duration" } : event

let release: JobsPackage
let migrated: JobsPackage

/** Both packages on the same steps (each its own instance id, so no memory is shared). */
const both = async (name: string, steps: ReadonlyArray<Step>) => {
  collect()
  const before = await runSteps(release, `diff-${name}`, steps)
  const after = await runSteps(migrated, `diff-${name}`, steps)
  // Every migrated event is upstream core's: its own Schema decodes it (env and serviceKey aside).
  for (const { env, serviceKey, ...event } of after.flat()) {
    expect({ env, serviceKey }).toEqual({ env: "test", serviceKey: "svc" })
    expect(Either.isRight(Schema.decodeUnknownEither(InternalTrackingEventSchema)(event)), event.type).toBe(true)
  }
  return {
    before,
    after,
    compare: (events: ReadonlyArray<ReadonlyArray<Sent>>) => events.map((s) => s.map(comparable))
  }
}

/** The differential test, on the package `migratedDir()` holds once the enclosing `beforeAll` migrated it. */
export const describeUpstreamDifferential = (migratedDir: () => string): void => {
  describe("--events upstream against the release: its events, from the service calls", () => {
    beforeAll(async () => {
      release = await loadJobsPackage(join(repoRoot, "test/fixtures/jobs-tracked"))
      migrated = await loadJobsPackage(migratedDir())
    })

    it("continuous start, alarm and client terminate: the same events", async () => {
      const { before, after, compare } = await both("continuous", scripts.continuous)
      expect(before.map((step) => step.map((event) => event.type))).toEqual([
        ["job.started", "job.executed"],
        ["job.executed"],
        ["job.terminated"]
      ])
      expect(compare(after)).toEqual(compare(before))
    })

    it("an eviction between the last run and a client terminate: the same events (the run count read from storage)", async () => {
      const { before, after, compare } = await both("evicted", [
        start("counter", 5),
        "alarm",
        "evict",
        { type: "continuous", action: "terminate", name: "counter", id: "counter-1", reason: "bye" }
      ])
      expect(before.map((step) => step.map((event) => [event.type, event["runCount"]]))).toEqual([
        [
          ["job.started", undefined],
          ["job.executed", 1]
        ],
        [["job.executed", 2]],
        [],
        [["job.terminated", 2]]
      ])
      expect(compare(after)).toEqual(compare(before))
    })

    it("ctx.terminate(): job.started only, in both", async () => {
      const { before, after, compare } = await both("self-terminate", scripts.selfTerminate)
      expect(before[0]!.map((event) => event.type)).toEqual(["job.started"])
      expect(compare(after)).toEqual(compare(before))
    })

    it("a failure without retry: the release sends nothing (no flush when a call fails); migrated, its events", async () => {
      const { before, after, compare } = await both("failing", scripts.failing)
      // Correction: a failing call's events are sent.
      expect(before).toEqual([[]])
      const job = {
        source: "job",
        instanceId: "diff-failing",
        id: "failing-1",
        jobType: "continuous",
        jobName: "failing",
        env: "test",
        serviceKey: "svc"
      }
      expect(compare(after)).toEqual([
        [
          { ...job, type: "job.started", input: { count: 42 } },
          {
            ...job,
            type: "job.failed",
            error: { message: "Intentional test failure", stack: "string" },
            runCount: 1,
            attempt: 1,
            willRetry: false,
            preExecutionState: { count: 42 }
          }
        ]
      ])
    })

    it("retries to exhaustion: the same events, but the retries carry the real error", async () => {
      const { before, after, compare } = await both("retries", scripts.retries)
      expect(before.map((step) => step.map((event) => event.type))).toEqual([
        ["job.started", "job.failed"],
        ["job.failed"],
        ["job.retryExhausted"]
      ])
      expect(before[0]![1]!["error"]).toEqual({ message: "Retry scheduled for attempt 2" })
      expect(compare(after)).toEqual(compare(before).map((step) => step.map(realRetryError("flaky"))))
    })

    it("retries out of time: the same events, but the reason is max_duration", async () => {
      const { before, after, compare } = await both("out-of-time", scripts.outOfTime)
      expect(before[1]).toMatchObject([{ type: "job.retryExhausted", attempts: 2, reason: "max_attempts" }])
      expect(compare(after)).toEqual(
        compare(before).map((step) => step.map(realRetryError("flaky")).map(maxDurationReason))
      )
    })

    it("debounce to maxEvents and by alarm: the same events; durations by the runtime's clock", async () => {
      const { before, after, compare } = await both("debounce", scripts.debounce)
      expect(before.map((step) => step.map((event) => event.type))).toEqual([
        ["debounce.started"],
        [],
        ["job.executed", "debounce.flushed"],
        ["debounce.started"],
        ["job.executed", "debounce.flushed"]
      ])
      expect(compare(after)).toEqual(compare(before))
      // Correction: the release takes Date.now() minus a start stored by the runtime's clock.
      const flushed = (events: ReadonlyArray<ReadonlyArray<Sent>>) =>
        events.flat().filter((event) => event.type === "debounce.flushed")
      for (const event of flushed(before)) expect(event["durationMs"]).toBeGreaterThan(Date.UTC(2020, 0, 1) - START)
      // The batch's age when its flush began: none inside the add that filled it, 10 s by the alarm.
      expect(flushed(after).map((event) => event["durationMs"])).toEqual([0, 10_000])
    })

    it("task send and alarm: the same events, an onIdle schedule in a run that left its schedule alone included", async () => {
      const { before, after, compare } = await both("task", scripts.task)
      expect(before.map((step) => step.map((event) => [event.type, event["trigger"]]))).toEqual([
        [
          ["task.scheduled", "event"],
          ["job.executed", undefined]
        ],
        [
          ["task.scheduled", "idle"],
          ["job.executed", undefined]
        ]
      ])
      // The alarm's run leaves its schedule alone and `onIdle` sets it: idle's, as the release says.
      expect(compare(after)).toEqual(compare(before))
    })

    it("a tracker given at createDurableJobs: the same events through the engine", async () => {
      const before = [await startThroughEngine(release, "do-diff")]
      const after = [await startThroughEngine(migrated, "do-diff")]
      expect(before[0]!.map((event) => event.type)).toEqual(["job.started", "job.executed"])
      expect(after.map((step) => step.map(comparable))).toEqual(before.map((step) => step.map(comparable)))
    })
  })
}
