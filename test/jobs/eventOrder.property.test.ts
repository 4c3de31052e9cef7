import { Effect, Schema } from "effect"
import fc from "fast-check"
import { createTestRuntime } from "@durable-effect/core"
import { describe, expect, it } from "vitest"
import { Continuous, Debounce, Task, WorkerPool } from "../fixtures/jobs/src/definitions/index.js"
import { createJobRegistry } from "../fixtures/jobs/src/registry/index.js"
import { createJobsRuntimeFromLayer } from "../fixtures/jobs/src/runtime/runtime.js"
import { forgetInstanceMemory } from "../../src/jobs/instanceMemory.js"
import { checkEventSequence, InMemoryTracker, JobEvent } from "durable-effect-tracking"
import type { EventTrackerService } from "durable-effect-tracking"
import * as Inline from "../fixtures/jobs-inline/src/definitions/index.js"
import { createJobRegistry as createInlineJobRegistry } from "../fixtures/jobs-inline/src/registry/index.js"
import { createJobsRuntimeFromLayer as createInlineJobsRuntimeFromLayer } from "../fixtures/jobs-inline/src/runtime/runtime.js"
import { observeSteps, runtimeOver, trackedDispatcherLayer } from "../support/jobsHarness.js"
import { trackedInlineRuntime } from "./inlineHarness.js"
import { scriptsFor, type FixtureKit, type Script } from "./propertyJobs.js"

// Random scripts of client calls and alarms over all four job types, on each fixture with the
// in-memory tracker. The untracked run of the same script is the model: the tracked run must
// answer, store and schedule exactly as it does. Its events must keep the documented causal
// order (checkEventSequence), decode with the schema, and tell task.idle only when the task's
// own status is idle. `npm test` runs 150 scripts per fixture (300 in all); `npm run test:property` runs
// PROPERTY_RUNS of them (1000 by default).
const runs = Number(process.env["PROPERTY_RUNS"] ?? 150)

interface RuntimeUnderTest {
  readonly handle: (request: never) => Promise<unknown>
  readonly handleAlarm: () => Promise<void>
}
type Handles = ReturnType<typeof createTestRuntime>["handles"]

/** A fixture as the property needs it: how its jobs are written, and its runtimes with and without tracking. */
interface FixtureUnderTest {
  readonly name: string
  readonly kit: FixtureKit
  readonly plain: (
    definitions: Script["definitions"],
    handles: { readonly layer: ReturnType<typeof createTestRuntime>["layer"] }
  ) => RuntimeUnderTest
  readonly tracked: (
    definitions: Script["definitions"],
    core: { readonly layer: ReturnType<typeof createTestRuntime>["layer"] },
    tracker: EventTrackerService
  ) => RuntimeUnderTest
}

const executionLayout: FixtureUnderTest = {
  name: "jobs (JobExecutionService layout)",
  kit: {
    Continuous,
    Debounce,
    Task,
    WorkerPool,
    endContinuous: "terminate",
    endTask: "terminate",
    onExhausted: ["default", "nothing", "reschedule", "terminate"],
    retryFields: (maxAttempts) =>
      maxAttempts === null ? {} : { retry: { maxAttempts, delay: "1 second", jitter: false } },
    exhaustedFields: (mode, rescheduleIn) =>
      mode === "default"
        ? {}
        : {
            onRetryExhausted: (
              _error: unknown,
              ctx: { reschedule: (delay: string) => Effect.Effect<void>; terminate: () => Effect.Effect<void> }
            ) =>
              mode === "reschedule"
                ? ctx.reschedule(rescheduleIn)
                : mode === "terminate"
                  ? ctx.terminate()
                  : Effect.void
          }
  },
  plain: (definitions, core) =>
    createJobsRuntimeFromLayer(core.layer, createJobRegistry(definitions as never)) as RuntimeUnderTest,
  tracked: (definitions, core, tracker) =>
    runtimeOver(trackedDispatcherLayer(core.layer, tracker, definitions as never)) as RuntimeUnderTest
}

const inlineLayout: FixtureUnderTest = {
  name: "jobs-inline (older layout)",
  kit: {
    ...Inline,
    endContinuous: "stop",
    endTask: "clear",
    // The older layout always ends an instance whose retries ran out; the config may be told first.
    onExhausted: ["default", "notify"],
    retryFields: (maxAttempts, mode) =>
      maxAttempts === null
        ? {}
        : {
            retry: {
              maxAttempts,
              delay: "1 second",
              jitter: false,
              ...(mode === "notify" ? { onRetryExhausted: () => Effect.void } : {})
            }
          },
    exhaustedFields: () => ({})
  },
  plain: (definitions, core) =>
    createInlineJobsRuntimeFromLayer(core.layer, createInlineJobRegistry(definitions as never)) as RuntimeUnderTest,
  tracked: (definitions, core, tracker) =>
    trackedInlineRuntime(core.layer, tracker, definitions as never) as RuntimeUnderTest
}

const fixtures: ReadonlyArray<FixtureUnderTest> = [executionLayout, inlineLayout]

const decodeEvents = Schema.decodeUnknownSync(Schema.Array(JobEvent))

const observe = (
  runtime: RuntimeUnderTest,
  handles: Handles,
  script: Script,
  afterStep?: (step: number) => Promise<void>
) => observeSteps(runtime as never, handles, script.steps as never, afterStep)

const plainRun = (fixture: FixtureUnderTest, script: Script) => {
  const core = createTestRuntime({ instanceId: "instance-1" })
  return observe(fixture.plain(script.definitions, core), core.handles, script)
}

const trackedRun = async (fixture: FixtureUnderTest, script: Script) => {
  // Each script is a new instance: nothing remembered of the last script's.
  forgetInstanceMemory("instance-1")
  const core = createTestRuntime({ instanceId: "instance-1" })
  const tracker = InMemoryTracker.make<JobEvent>()
  const events = () => Effect.runPromise(tracker.handle.getEvents())
  const idleClaims: Array<{ readonly step: number; readonly storedSchedule: unknown }> = []
  let seen = 0
  const trace = await observe(
    fixture.tracked(script.definitions, core, tracker.tracker),
    core.handles,
    script,
    async (step) => {
      const all = await events()
      // The task's own definition of idle: no schedule stored (its status answers "idle").
      if (all.slice(seen).some((event) => event.type === "task.idle")) {
        idleClaims.push({ step, storedSchedule: core.handles.storage.get("task:scheduledAt") ?? null })
      }
      seen = all.length
    }
  )
  return { trace, events: await events(), idleClaims }
}

describe("property: every instance's events keep the documented order, and tracking changes nothing", () => {
  for (const fixture of fixtures) {
    it(
      `${fixture.name}: holds for ${runs} random scripts over all four job types`,
      async () => {
        await fc.assert(
          fc.asyncProperty(scriptsFor(fixture.kit), async (script) => {
            const expected = await plainRun(fixture, script)
            const tracked = await trackedRun(fixture, script)
            expect(tracked.trace, script.label).toEqual(expected)
            decodeEvents(tracked.events)
            expect(checkEventSequence(tracked.events), script.label).toEqual([])
            for (const claim of tracked.idleClaims)
              expect(claim, script.label).toEqual({ step: claim.step, storedSchedule: null })
          }),
          { numRuns: runs }
        )
        // No wall-clock bound of its own: a busy machine only makes it slower.
      },
      Math.max(600_000, runs * 3_000)
    )
  }
})
