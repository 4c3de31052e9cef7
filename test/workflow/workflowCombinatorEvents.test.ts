import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { describeCoverage, withTracking, workflowEventMap } from "durable-effect-tracking"
import type { WorkflowRegistry } from "../fixtures/workflow/src/orchestrator/index.js"
import {
  driveWorkflow,
  loadWorkflowPackage,
  T0,
  withTrackedCombinators,
  type LayerWrap,
  type WorkflowPackage
} from "./workflowHarness.js"

const hour = 3_600_000

/** The combinators' types (the map's function entries); the rest (workflow.*, step.completed) is its service entries'. */
const combinatorTypes: ReadonlySet<string> = new Set(
  describeCoverage(workflowEventMap).events.flatMap((e) =>
    e.sources.some((source) => source.startsWith("Workflow.")) ? [e.type] : []
  )
)

type Namespace = WorkflowPackage["Workflow"]
/** A scenario: a workflow written once against a namespace, and how many alarms drive it on. */
interface Scenario {
  readonly workflow: (W: Namespace) => ReturnType<Namespace["make"]>
  /** The alarms that follow the start, each at the time it was set for. */
  readonly alarms: number
}

type Recorded = ReadonlyArray<Record<string, unknown>>

const plain = (events: Recorded) =>
  events
    .map(({ eventId: _id, timestamp: _t, ...event }) => event)
    .filter((event) => combinatorTypes.has(event.type as string))

const tracking: LayerWrap = (layer) => withTracking(layer, { eventMap: workflowEventMap })
const asIs: LayerWrap = (layer) => layer

let seams: WorkflowPackage
let handTracked: WorkflowPackage

beforeAll(async () => {
  const [untracked, tracked] = await Promise.all([
    loadWorkflowPackage("workflow"),
    loadWorkflowPackage("workflow-tracked")
  ])
  // The untracked package with both seams of the one map; its hand-tracked twin as it is.
  seams = withTrackedCombinators(untracked, workflowEventMap)
  handTracked = tracked
})

/** Runs a scenario on the untracked package through both seams, and on the hand-tracked one: the combinators' events. */
const runBoth = async (scenario: Scenario): Promise<{ seam: Recorded; hand: Recorded }> => {
  const play = async (pkg: WorkflowPackage, wrap: LayerWrap) => {
    const registry: WorkflowRegistry = { flow: scenario.workflow(pkg.Workflow) }
    const { driver, recorded } = await driveWorkflow(pkg, registry, wrap)
    await driver.start({ workflow: "flow", input: undefined, executionId: "exec-1" })
    for (let alarm = 0; alarm < scenario.alarms; alarm++) await driver.alarm()
    return plain(recorded.map(({ event }) => event))
  }
  return { seam: await play(seams, tracking), hand: await play(handTracked, asIs) }
}

const base = { source: "workflow", workflowId: "wf-1", workflowName: "flow", executionId: "exec-1" }

/** An effect failing on the runs `failing` names, counting its runs. */
const flaky = (failing: (run: number) => boolean) => {
  let runs = 0
  return Effect.suspend(() => {
    runs++
    return failing(runs) ? Effect.fail(new Error(`failure ${runs}`)) : Effect.succeed(runs)
  })
}

describe("the workflow combinators through trackExports with workflowEventMap, against the hand-placed events", () => {
  it("steps around a sleep: started per executed step, none for the cached replay, the sleep's start and end", async () => {
    const { seam, hand } = await runBoth({
      workflow: (W) =>
        W.make(() =>
          Effect.gen(function* () {
            yield* W.step({ name: "fetch", execute: Effect.succeed(1) })
            yield* W.sleep("1 hour")
            return yield* W.step({ name: "send", execute: Effect.succeed(2) })
          })
        ),
      alarms: 1
    })
    expect(seam).toEqual([
      { ...base, type: "step.started", stepName: "fetch", attempt: 1 },
      { ...base, type: "sleep.started", durationMs: hour, resumeAt: new Date(T0 + hour).toISOString() },
      { ...base, type: "sleep.completed", durationMs: hour },
      { ...base, type: "step.started", stepName: "send", attempt: 1 }
    ])
    expect(seam).toEqual(hand)
  })

  it("a step retried, then done: retry.scheduled per failed attempt with its delay, started per attempt", async () => {
    const { seam, hand } = await runBoth({
      workflow: (W) => {
        // One counter across the workflow's runs: attempts 1 and 2 fail.
        const execute = flaky((run) => run < 3)
        return W.make(() => W.step({ name: "charge", execute, retry: { maxAttempts: 3, delay: 1000, jitter: false } }))
      },
      alarms: 2
    })
    const retryAt = (ms: number) => new Date(T0 + ms).toISOString()
    expect(seam).toEqual([
      { ...base, type: "step.started", stepName: "charge", attempt: 1 },
      { ...base, type: "retry.scheduled", stepName: "charge", attempt: 1, nextAttemptAt: retryAt(1000), delayMs: 1000 },
      { ...base, type: "step.started", stepName: "charge", attempt: 2 },
      { ...base, type: "retry.scheduled", stepName: "charge", attempt: 2, nextAttemptAt: retryAt(2000), delayMs: 1000 },
      { ...base, type: "step.started", stepName: "charge", attempt: 3 }
    ])
    expect(seam).toEqual(hand)
  })

  it("retries exhausted", async () => {
    const { seam, hand } = await runBoth({
      workflow: (W) =>
        W.make(() =>
          W.step({ name: "charge", execute: flaky(() => true), retry: { maxAttempts: 1, delay: 500, jitter: false } })
        ),
      alarms: 1
    })
    expect(seam.map((event) => event.type)).toEqual([
      "step.started",
      "retry.scheduled",
      "step.started",
      "retry.exhausted"
    ])
    expect(seam[3]).toEqual({ ...base, type: "retry.exhausted", stepName: "charge", attempts: 2 })
    expect(seam).toEqual(hand)
  })

  it("a timeout set on the first execution, exceeded before a later attempt", async () => {
    const { seam, hand } = await runBoth({
      workflow: (W) =>
        W.make(() =>
          W.step({
            name: "slow",
            execute: flaky(() => true),
            timeout: "5 seconds",
            retry: { maxAttempts: 3, delay: "10 seconds", jitter: false }
          })
        ),
      alarms: 1
    })
    expect(seam).toEqual([
      { ...base, type: "step.started", stepName: "slow", attempt: 1 },
      { ...base, type: "timeout.set", stepName: "slow", deadline: new Date(T0 + 5000).toISOString(), timeoutMs: 5000 },
      {
        ...base,
        type: "retry.scheduled",
        stepName: "slow",
        attempt: 1,
        nextAttemptAt: new Date(T0 + 10_000).toISOString(),
        delayMs: 10_000
      },
      { ...base, type: "step.started", stepName: "slow", attempt: 2 },
      { ...base, type: "timeout.exceeded", stepName: "slow", timeoutMs: 5000 }
    ])
    expect(seam).toEqual(hand)
  })

  it("a failed step that will not retry (no retry; not retryable): its error's message and stack, as the package sent them", async () => {
    for (const retry of [undefined, { maxAttempts: 3, isRetryable: () => false }]) {
      const { seam, hand } = await runBoth({
        workflow: (W) =>
          W.make(() =>
            W.step({ name: "boom", execute: Effect.fail(new Error("kaboom")), ...(retry ? { retry } : {}) })
          ),
        alarms: 0
      })
      const failed = { ...base, type: "step.failed", stepName: "boom", attempt: 1, willRetry: false }
      const error = { message: "kaboom", stack: expect.stringContaining("kaboom") }
      expect(seam).toEqual([
        { ...base, type: "step.started", stepName: "boom", attempt: 1 },
        { ...failed, error }
      ])
      expect(hand[1]).toEqual({ ...failed, error })
      // The stacks differ only by the files the error passed through.
      expect(seam.map(({ error: _e, ...event }) => event)).toEqual(hand.map(({ error: _e, ...event }) => event))
    }
  })

  it("sleepUntil: the sleep's real length where the package always says 0 ms (the documented correction)", async () => {
    const { seam, hand } = await runBoth({
      workflow: (W) => W.make(() => W.sleepUntil(T0 + 30 * 60_000)),
      alarms: 1
    })
    const started = {
      ...base,
      type: "sleep.started",
      durationMs: 30 * 60_000,
      resumeAt: new Date(T0 + 30 * 60_000).toISOString()
    }
    expect(seam).toEqual([started, { ...base, type: "sleep.completed", durationMs: 30 * 60_000 }])
    expect(hand).toEqual([started, { ...base, type: "sleep.completed", durationMs: 0 }])
  })

  it("covers the combinators' eight types; step.completed and workflow.* are the service entries'", () => {
    expect([...combinatorTypes].sort()).toEqual([
      "retry.exhausted",
      "retry.scheduled",
      "sleep.completed",
      "sleep.started",
      "step.failed",
      "step.started",
      "timeout.exceeded",
      "timeout.set"
    ])
  })
})
