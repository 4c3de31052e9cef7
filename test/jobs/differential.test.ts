import { Effect, Layer } from "effect"
import { createTestRuntime } from "@durable-effect/core"
import { describe, expect, it } from "vitest"
import { createJobsRuntimeFromLayer } from "../fixtures/jobs/src/runtime/runtime.js"
import { createJobRegistry } from "../fixtures/jobs/src/registry/index.js"
import type { AnyUnregisteredDefinition } from "../fixtures/jobs/src/registry/types.js"
import type { JobRequest } from "../fixtures/jobs/src/runtime/types.js"
import { EventTracker, InMemoryTracker, NoopTracker } from "durable-effect-tracking"
import type { TrackerOption, EventTrackerService } from "durable-effect-tracking"
import { observeSteps, runtimeOver, trackedDispatcherLayer, type StepOf } from "../support/jobsHarness.js"
import { clicks, flaky, heartbeat, mailer, orders, requests, selfTerminating } from "../support/jobScenarios.js"

// A scenario is a list of steps; each step is a request or an alarm.
type Step = StepOf<JobRequest>
interface Scenario {
  readonly name: string
  readonly definitions: Readonly<Record<string, AnyUnregisteredDefinition>>
  readonly steps: ReadonlyArray<Step>
}

const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "continuous",
    definitions: { heartbeat },
    steps: [requests.start("heartbeat"), "alarm", "alarm", requests.terminate("heartbeat", "done"), "alarm"]
  },
  { name: "retries", definitions: { flaky: flaky() }, steps: [requests.start("flaky"), "alarm", "alarm", "alarm"] },
  {
    name: "reschedule",
    definitions: { flaky: flaky("reschedule") },
    steps: [requests.start("flaky"), "alarm", "alarm", "alarm"]
  },
  { name: "ctx.terminate", definitions: { once: selfTerminating }, steps: [requests.start("once"), "alarm"] },
  {
    name: "debounce",
    definitions: { clicks: clicks(3) },
    steps: [
      requests.add("/a"),
      requests.add("/b"),
      "alarm",
      requests.add("/c"),
      requests.add("/d"),
      requests.add("/e"),
      requests.add("/f"),
      requests.clear()
    ]
  },
  {
    name: "task",
    definitions: { orders },
    steps: [requests.send("now"), requests.send("later"), "alarm", requests.send("now")]
  },
  {
    name: "workerPool",
    definitions: { mailer },
    steps: [requests.enqueue("e1"), requests.enqueue("e2"), "alarm", "alarm", "alarm"]
  }
]

const plainRun = (scenario: Scenario) => {
  const { layer, handles } = createTestRuntime({ instanceId: "instance-1" })
  return observeSteps(
    createJobsRuntimeFromLayer(layer, createJobRegistry(scenario.definitions)),
    handles,
    scenario.steps
  )
}

const trackedRun = (scenario: Scenario, tracker: TrackerOption | undefined) => {
  const { layer, handles } = createTestRuntime({ instanceId: "instance-1" })
  return observeSteps(
    runtimeOver(trackedDispatcherLayer(layer, tracker, scenario.definitions)),
    handles,
    scenario.steps
  )
}

const hostile = (behaviour: "throws" | "fails" | "dies"): EventTrackerService => {
  const misbehave = (): Effect.Effect<never> => {
    if (behaviour === "throws") throw new Error("tracker threw")
    return behaviour === "fails" ? (Effect.fail("tracker failed") as never) : Effect.die(new Error("tracker died"))
  }
  return { emit: misbehave, flush: misbehave, pending: misbehave }
}

// Every way a runtime can be given a tracker, and trackers that misbehave in every way.
const trackers: ReadonlyArray<[string, () => TrackerOption | undefined]> = [
  ["none", () => undefined],
  ["in-memory", () => InMemoryTracker.make().tracker],
  ["in-memory, as a layer", () => Layer.succeed(EventTracker, InMemoryTracker.make().tracker)],
  ["no-op", () => NoopTracker.layer],
  ["throwing", () => hostile("throws")],
  ["failing", () => hostile("fails")],
  ["dying", () => hostile("dies")]
]

describe("differential: tracking never changes what a job does", () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: same responses, storage, alarms and times with every tracker`, async () => {
      const expected = await plainRun(scenario)
      // The scenario does something: it is not a run of failures.
      expect(
        expected.some(
          (step) =>
            typeof (step as { outcome: unknown }).outcome === "object" &&
            !("failed" in (step as { outcome: object }).outcome)
        )
      ).toBe(true)
      for (const [, tracker] of trackers) {
        expect(await trackedRun(scenario, tracker())).toEqual(expected)
      }
    })
  }
})
