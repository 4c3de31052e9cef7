import { Effect, Either, Schema } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import type { WorkflowRegistry } from "../fixtures/workflow/src/orchestrator/index.js"
import { withTracking } from "../../src/instrument/withTracking.js"
import { WorkflowEvent } from "../../src/workflow/events/WorkflowEvent.js"
import { workflowEventMap } from "../../src/workflow/workflowEventMap.js"
import {
  driveWorkflow,
  loadWorkflowPackage,
  withTrackedCombinators,
  type LayerWrap,
  type Recorded,
  type WorkflowPackage
} from "./workflowHarness.js"
import { workflowScenarios, type WorkflowScenario } from "./workflowScenarios.js"

const tracking: LayerWrap = (layer) => withTracking(layer, { eventMap: workflowEventMap })
const asIs: LayerWrap = (layer) => layer

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
/** The untracked form with its combinators traced by the same map: both seams. */
let seams: WorkflowPackage
let handTracked: WorkflowPackage

beforeAll(async () => {
  ;[untracked, handTracked] = await Promise.all([
    loadWorkflowPackage("workflow"),
    loadWorkflowPackage("workflow-tracked")
  ])
  seams = withTrackedCombinators(untracked, workflowEventMap)
})

describe("workflowEventMap through both seams on the untracked package, against the hand-placed events of its tracked twin", () => {
  for (const scenario of workflowScenarios) {
    it(scenario.name, async () => {
      const hand = await play(handTracked, asIs, scenario)
      const mapped = await play(seams, tracking, scenario)

      expect(mapped.recorded.map(typeOf)).toEqual(scenario.emits)
      // Every event the map makes is a workflow event of upstream's format.
      for (const { event } of mapped.recorded) {
        expect(Either.isRight(Schema.decodeUnknownEither(WorkflowEvent)(event)), JSON.stringify(event)).toBe(true)
      }
      // Every hand-placed event, each emitted once, in the same order, with the same fields.
      const seen = hand.recorded
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

describe("workflowEventMap: what the combinators' seam sees that no service boundary does", () => {
  const typesOf = async (
    pkg: WorkflowPackage,
    wrap: LayerWrap,
    registry: (pkg: WorkflowPackage) => WorkflowRegistry
  ) => {
    const { driver, recorded } = await driveWorkflow(pkg, registry(pkg), wrap)
    await driver.start({ workflow: "flow", input: undefined })
    return recorded.map(typeOf)
  }
  /** The types the map emits through both seams, and those the hand-tracked twin emits. */
  const bothOf = async (registry: (pkg: WorkflowPackage) => WorkflowRegistry) => ({
    mapped: await typesOf(seams, tracking, registry),
    hand: await typesOf(handTracked, asIs, registry)
  })
  const failing = Effect.fail(new Error("down"))

  it("each retry of steps run concurrently that ask for retries in the same run", async () => {
    const { mapped, hand } = await bothOf(({ Workflow }) => ({
      flow: Workflow.make((_: void) =>
        Effect.all(
          ["a", "b"].map((name) =>
            Workflow.step({ name, execute: failing, retry: { maxAttempts: 1, delay: 1000, jitter: false } })
          ),
          { concurrency: "unbounded" }
        )
      )
    }))
    expect(mapped.filter((type) => type === "retry.scheduled")).toHaveLength(2)
    expect(mapped).toEqual(hand)
  })

  it("a retry.exhausted the workflow catches itself", async () => {
    const { mapped, hand } = await bothOf(({ Workflow }) => ({
      flow: Workflow.make((_: void) =>
        Workflow.step({ name: "once", execute: failing, retry: { maxAttempts: 0 } }).pipe(
          Effect.catchAll(() => Effect.succeed("gave up"))
        )
      )
    }))
    expect(mapped).toEqual(["workflow.started", "step.started", "retry.exhausted", "workflow.completed"])
    expect(mapped).toEqual(hand)
  })

  it("without the combinators' seam, only the service entries' types: workflow.* and step.completed", async () => {
    const scenario = workflowScenarios.find(({ name }) => name === "a sleep, then the alarm resumes it")!
    const layersOnly = await play(untracked, tracking, scenario)
    const serviceTypes = (type: string) => type.startsWith("workflow.") || type === "step.completed"
    expect(layersOnly.recorded.map(typeOf)).toEqual(scenario.emits.filter(serviceTypes))
  })
})
