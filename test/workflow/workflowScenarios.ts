import { Effect } from "effect"
import type { WorkflowEventType } from "../../src/workflow/events/WorkflowEventTypes.js"
import type { WorkflowRegistry } from "../fixtures/workflow/src/orchestrator/index.js"
import type { RetryConfig } from "../fixtures/workflow/src/primitives/index.js"
import type { Driver, WorkflowPackage } from "./workflowHarness.js"

/**
 * A workflow's life, told the same way to either form of the package: its workflows (built with
 * that form's `Workflow` combinators) and the requests and alarms it goes through.
 */
export interface WorkflowScenario {
  readonly name: string
  readonly registry: (pkg: WorkflowPackage) => WorkflowRegistry
  readonly drive: (driver: Driver) => Promise<void>
  /** The events the map emits through both seams (the layers and the combinators), in order. */
  readonly emits: ReadonlyArray<WorkflowEventType>
  /** A cancel applied at once (queued or paused): its event comes from the cancel, not a run. */
  readonly cancelledAtOnce?: boolean
}

/** A step's effect that fails its first `failures` attempts, then returns `value` (one per registry). */
const flakyEffect = (failures: number, value: string) => {
  let attempts = 0
  return Effect.suspend(() =>
    ++attempts <= failures ? Effect.fail(new Error(`attempt ${attempts} failed`)) : Effect.succeed(value)
  )
}

/** A workflow `charge` of one step whose effect fails its first `failures` attempts, retried by `retry`. */
const charging =
  (failures: number, retry: RetryConfig) =>
  ({ Workflow }: WorkflowPackage): WorkflowRegistry => {
    const charge = flakyEffect(failures, "charged")
    return { charge: Workflow.make((_: void) => Workflow.step({ name: "charge", execute: charge, retry })) }
  }

/** Starts the workflow, then fires the alarm its first run set. */
const startThenAlarm = (workflow: string) => async (driver: Driver) => {
  await driver.start({ workflow, input: undefined })
  await driver.alarm()
}

export const workflowScenarios: ReadonlyArray<WorkflowScenario> = [
  {
    name: "start to completion with steps",
    registry: ({ Workflow }) => ({
      order: Workflow.make((input: { readonly id: string }) =>
        Effect.gen(function* () {
          const total = yield* Workflow.step({ name: "fetch", execute: Effect.succeed(42) })
          return yield* Workflow.step({ name: "send", execute: Effect.succeed(`sent ${input.id} for ${total}`) })
        })
      )
    }),
    drive: async (driver) => {
      await driver.start({ workflow: "order", input: { id: "a" }, executionId: "exec-1" })
    },
    emits: [
      "workflow.started",
      "step.started",
      "step.completed",
      "step.started",
      "step.completed",
      "workflow.completed"
    ]
  },
  {
    name: "a failing step, no retry",
    registry: ({ Workflow }) => ({
      failing: Workflow.make((_: void) =>
        Effect.gen(function* () {
          yield* Workflow.step({ name: "ok", execute: Effect.succeed(1) })
          return yield* Workflow.step({ name: "boom", execute: Effect.fail(new Error("kaboom")) })
        })
      )
    }),
    drive: async (driver) => {
      await driver.start({ workflow: "failing", input: undefined })
    },
    emits: ["workflow.started", "step.started", "step.completed", "step.started", "step.failed", "workflow.failed"]
  },
  {
    name: "a retry, then success",
    registry: charging(1, { maxAttempts: 2, delay: "5 seconds", jitter: false }),
    drive: startThenAlarm("charge"),
    emits: [
      "workflow.started",
      "step.started",
      "retry.scheduled",
      "workflow.paused",
      "workflow.resumed",
      "step.started",
      "step.completed",
      "workflow.completed"
    ]
  },
  {
    name: "retries to exhaustion",
    registry: charging(10, { maxAttempts: 1, delay: 2000, jitter: false }),
    drive: startThenAlarm("charge"),
    emits: [
      "workflow.started",
      "step.started",
      "retry.scheduled",
      "workflow.paused",
      "workflow.resumed",
      "step.started",
      "retry.exhausted",
      "workflow.failed"
    ]
  },
  {
    name: "a step's deadline passes while it waits for its retry",
    registry: ({ Workflow }) => {
      const charge = flakyEffect(1, "charged")
      return {
        charge: Workflow.make((_: void) =>
          Workflow.step({
            name: "charge",
            execute: charge,
            retry: { maxAttempts: 2, delay: "5 seconds", jitter: false },
            timeout: "1 second"
          })
        )
      }
    },
    drive: startThenAlarm("charge"),
    emits: [
      "workflow.started",
      "step.started",
      "timeout.set",
      "retry.scheduled",
      "workflow.paused",
      "workflow.resumed",
      "step.started",
      "timeout.exceeded",
      "workflow.failed"
    ]
  },
  {
    name: "a sleep, then the alarm resumes it",
    registry: ({ Workflow }) => ({
      reminder: Workflow.make((input: string) =>
        Effect.gen(function* () {
          yield* Workflow.step({ name: "fetch", execute: Effect.succeed(input) })
          yield* Workflow.sleep("1 hour")
          return yield* Workflow.step({ name: "send", execute: Effect.succeed(`reminded ${input}`) })
        })
      )
    }),
    drive: async (driver) => {
      await driver.start({ workflow: "reminder", input: "ada", executionId: "exec-2" })
      await driver.alarm()
    },
    emits: [
      "workflow.started",
      "step.started",
      "step.completed",
      "sleep.started",
      "workflow.paused",
      "workflow.resumed",
      "sleep.completed",
      "step.started",
      "step.completed",
      "workflow.completed"
    ]
  },
  {
    name: "queued, then started by the alarm",
    registry: ({ Workflow }) => ({
      later: Workflow.make((input: number) => Workflow.step({ name: "double", execute: Effect.succeed(input * 2) }))
    }),
    drive: async (driver) => {
      await driver.queue({ workflow: "later", input: 21, executionId: "exec-3" })
      await driver.alarm()
    },
    emits: ["workflow.queued", "workflow.started", "step.started", "step.completed", "workflow.completed"]
  },
  {
    name: "cancelled while paused",
    registry: ({ Workflow }) => ({
      reminder: Workflow.make((_: void) =>
        Effect.gen(function* () {
          yield* Workflow.step({ name: "fetch", execute: Effect.succeed(1) })
          yield* Workflow.sleepUntil(Date.UTC(2025, 0, 2))
        })
      )
    }),
    drive: async (driver) => {
      await driver.start({ workflow: "reminder", input: undefined })
      await driver.cancel("user asked")
    },
    emits: [
      "workflow.started",
      "step.started",
      "step.completed",
      "sleep.started",
      "workflow.paused",
      "workflow.cancelled"
    ],
    cancelledAtOnce: true
  },
  {
    name: "cancelled while running (the flag)",
    registry: ({ Workflow, orchestrator }) => ({
      selfCancelling: Workflow.make((_: void) =>
        Effect.gen(function* () {
          // Cancelled from inside the run, as a concurrent cancel call would be.
          yield* Workflow.step({
            name: "first",
            execute: Effect.flatMap(orchestrator.WorkflowOrchestrator, (o) => o.cancel({ reason: "stop" }))
          })
          yield* Workflow.step({ name: "second", execute: Effect.void })
        })
      )
    }),
    drive: async (driver) => {
      await driver.start({ workflow: "selfCancelling", input: undefined })
    },
    emits: ["workflow.started", "step.started", "step.completed", "workflow.cancelled"]
  },
  {
    name: "recovery of an interrupted run",
    registry: ({ Workflow }) => ({
      simple: Workflow.make((input: number) => Workflow.step({ name: "double", execute: Effect.succeed(input * 2) }))
    }),
    drive: async (driver) => {
      await driver.leaveRunning("simple", 4)
      await driver.recoveryAlarm()
    },
    emits: ["workflow.resumed", "step.started", "step.completed", "workflow.completed"]
  }
]
