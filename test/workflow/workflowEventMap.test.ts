import { Effect, Either, Schema } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import type { WorkflowRegistry } from "../fixtures/workflow/src/orchestrator/index.js"
import { withTracking } from "../../src/instrument/withTracking.js"
import { WorkflowEvent } from "../../src/workflow/events/WorkflowEvent.js"
import { workflowEventMap } from "../../src/workflow/workflowEventMap.js"
import {
  driveWorkflow,
  loadWorkflowPackage,
  type LayerWrap,
  type Recorded,
  type WorkflowPackage
} from "./workflowHarness.js"
import { workflowScenarios, type WorkflowScenario } from "./workflowScenarios.js"

const tracking: LayerWrap = (layer) => withTracking(layer, { eventMap: workflowEventMap })
const asIs: LayerWrap = (layer) => layer

/** The types the map knowingly cannot see: the hand-placed events it is not compared on. */
const blind = new Set(Object.keys(workflowEventMap.blindSpots ?? {}))

/** A run's outcome: the map emits it when the run returns, before the package records it. */
const runOutcomes = new Set(["workflow.completed", "workflow.failed", "workflow.paused", "workflow.cancelled"])

/**
 * An event as sent (JSON: keys holding `undefined` are left out), without what differs on
 * every emit (id, wall-clock time) or by the file an error was thrown in (the stack's text).
 */
const comparable = (event: Record<string, unknown>): Record<string, unknown> => {
  const { eventId: _id, timestamp: _time, ...rest } = JSON.parse(JSON.stringify(event)) as Record<string, unknown>
  const error = rest["error"] as { stack?: unknown } | undefined
  if (error?.stack !== undefined) error.stack = typeof error.stack === "string" ? "a stack" : error.stack
  return rest
}

const play = async (pkg: WorkflowPackage, wrap: LayerWrap, scenario: WorkflowScenario) => {
  const { driver, recorded, finalState } = await driveWorkflow(pkg, scenario.registry(pkg), wrap)
  await scenario.drive(driver)
  return { recorded, final: await finalState() }
}

const typeOf = (recorded: Recorded) => recorded.event["type"] as string

let untracked: WorkflowPackage
let handTracked: WorkflowPackage

beforeAll(async () => {
  ;[untracked, handTracked] = await Promise.all([
    loadWorkflowPackage("workflow"),
    loadWorkflowPackage("workflow-tracked")
  ])
})

describe("workflowEventMap on the untracked package, against the hand-placed events of its tracked twin", () => {
  for (const scenario of workflowScenarios) {
    it(scenario.name, async () => {
      const hand = await play(handTracked, asIs, scenario)
      const mapped = await play(untracked, tracking, scenario)

      expect(mapped.recorded.map(typeOf)).toEqual(scenario.emits)
      // Every event the map makes is a workflow event of upstream's format.
      for (const { event } of mapped.recorded) {
        expect(Either.isRight(Schema.decodeUnknownEither(WorkflowEvent)(event)), JSON.stringify(event)).toBe(true)
      }
      // The hand-placed events of the blind spots are the only ones the map lacks...
      const seen = hand.recorded.filter((recorded) => !blind.has(typeOf(recorded)))
      expect(hand.recorded.filter((recorded) => blind.has(typeOf(recorded))).map(typeOf)).toEqual(scenario.unseen)
      // ...and the others come in the same order, with the same fields.
      expect(mapped.recorded.map((recorded) => comparable(recorded.event))).toEqual(
        seen.map((recorded) => comparable(recorded.event))
      )
      // A run's outcome comes one status write earlier: the run has returned, the status is
      // still Running. Every other event sees the status the hand-placed one saw.
      expect(mapped.recorded.map((recorded) => recorded.status)).toEqual(
        seen.map((recorded) =>
          runOutcomes.has(typeOf(recorded)) && !(scenario.cancelledAtOnce && typeOf(recorded) === "workflow.cancelled")
            ? "Running"
            : recorded.status
        )
      )
      // A step's completion comes before the step joins the stored completed steps (the
      // hand-placed one comes after).
      for (const { event, completedSteps } of seen.filter(({ event }) => event["type"] === "step.completed"))
        expect(completedSteps).toContain(event["stepName"])
      expect(mapped.recorded.map((recorded) => recorded.completedSteps)).toEqual(
        seen.map(({ event, completedSteps }) =>
          event["type"] === "step.completed"
            ? completedSteps.filter((step) => step !== event["stepName"])
            : completedSteps
        )
      )
      // Tracking changes nothing the workflow does: the same storage and alarm as untracked.
      const plain = await play(untracked, asIs, scenario)
      expect(plain.recorded).toEqual([])
      expect(mapped.final).toEqual(plain.final)
    })
  }
})

describe("workflowEventMap: what it knowingly leaves out", () => {
  const typesOf = async (registry: (pkg: WorkflowPackage) => WorkflowRegistry, workflow: string) => {
    const { driver, recorded } = await driveWorkflow(untracked, registry(untracked), tracking)
    await driver.start({ workflow, input: undefined })
    return recorded.map(typeOf)
  }
  const failing = Effect.fail(new Error("down"))

  it("no retry.scheduled when steps run concurrently ask for retries in the same run", async () => {
    const types = await typesOf(
      ({ Workflow }) => ({
        both: Workflow.make((_: void) =>
          Effect.all(
            ["a", "b"].map((name) =>
              Workflow.step({ name, execute: failing, retry: { maxAttempts: 1, delay: 1000, jitter: false } })
            ),
            { concurrency: "unbounded" }
          )
        )
      }),
      "both"
    )
    expect(types).toEqual(["workflow.started", "step.started", "step.started", "workflow.paused"])
  })

  it("no retry.exhausted when the workflow catches RetryExhaustedError itself", async () => {
    const types = await typesOf(
      ({ Workflow }) => ({
        forgiving: Workflow.make((_: void) =>
          Workflow.step({ name: "once", execute: failing, retry: { maxAttempts: 0 } }).pipe(
            Effect.catchAll(() => Effect.succeed("gave up"))
          )
        )
      }),
      "forgiving"
    )
    expect(types).toEqual(["workflow.started", "step.started", "workflow.completed"])
  })
})
