import { Effect, Schema } from "effect"
import fc from "fast-check"
import { createTestRuntime } from "@durable-effect/core"
import { describe, expect, it } from "vitest"
import { createJobRegistry } from "../fixtures/jobs/src/registry/index.js"
import { createJobsRuntimeFromLayer } from "../fixtures/jobs/src/runtime/runtime.js"
import { checkEventSequence } from "../../src/tracker/eventSequence.js"
import { createInMemoryTracker } from "../../src/tracker/InMemoryTracker.js"
import { JobEvent } from "../../src/tracker/JobEvent.js"
import { observeSteps, runtimeOver, trackedDispatcherLayer } from "./harness.js"
import { anyScript, type Script } from "./propertyJobs.js"

// Random scripts of client calls and alarms over all four job types, on the fixture with the
// in-memory tracker. The untracked run of the same script is the model: the tracked run must
// answer, store and schedule exactly as it does. Its events must keep the documented causal
// order (checkEventSequence), decode with the schema, and tell task.idle only when the task's
// own status is idle. `npm test` runs a few hundred scripts; `npm run test:property` runs
// PROPERTY_RUNS of them (1000 by default).
const runs = Number(process.env["PROPERTY_RUNS"] ?? 200)

const decodeEvents = Schema.decodeUnknownSync(Schema.Array(JobEvent))

const plainRun = (script: Script) => {
  const { layer, handles } = createTestRuntime({ instanceId: "instance-1" })
  return observeSteps(createJobsRuntimeFromLayer(layer, createJobRegistry(script.definitions)), handles, script.steps)
}

const trackedRun = async (script: Script) => {
  const { layer, handles } = createTestRuntime({ instanceId: "instance-1" })
  const tracker = createInMemoryTracker()
  const runtime = runtimeOver(trackedDispatcherLayer(layer, tracker.tracker, script.definitions))
  const events = () => Effect.runPromise(tracker.handle.getEvents)
  const idleClaims: Array<{ readonly step: number; readonly storedSchedule: unknown }> = []
  let seen = 0
  const trace = await observeSteps(runtime, handles, script.steps, async (step) => {
    const all = await events()
    // The task's own definition of idle: no schedule stored (its status answers "idle").
    if (all.slice(seen).some((event) => event.type === "task.idle")) {
      idleClaims.push({ step, storedSchedule: handles.storage.get("task:scheduledAt") ?? null })
    }
    seen = all.length
  })
  return { trace, events: await events(), idleClaims }
}

describe("property: every instance's events keep the documented order, and tracking changes nothing", () => {
  it(`holds for ${runs} random scripts over all four job types`, async () => {
    await fc.assert(
      fc.asyncProperty(anyScript, async (script) => {
        const expected = await plainRun(script)
        const tracked = await trackedRun(script)
        expect(tracked.trace, script.label).toEqual(expected)
        decodeEvents(tracked.events)
        expect(checkEventSequence(tracked.events), script.label).toEqual([])
        for (const claim of tracked.idleClaims) expect(claim, script.label).toEqual({ step: claim.step, storedSchedule: null })
      }),
      { numRuns: runs }
    )
    // No wall-clock bound of its own: a busy machine only makes it slower.
  }, Math.max(600_000, runs * 3_000))
})
