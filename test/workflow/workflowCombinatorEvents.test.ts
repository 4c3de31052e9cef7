import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import {
  describeCoverage,
  extendEventMap,
  InMemoryTracker,
  serviceEventsByKey,
  trackExports,
  withTracking,
  workflowEvents,
  type EventMap,
  type WorkflowEvents
} from "durable-effect-tracking"
import { EventTracker } from "../../src/tracker/EventTracker.js"
import { workflowCombinatorEvents } from "../../src/workflow/workflowCombinatorEvents.js"
// The untracked package and its hand-tracked twin: the same modules, with and without emit calls.
import { createInMemoryRuntime } from "../fixtures/workflow/src/adapters"
import { WorkflowExecutorLayer } from "../fixtures/workflow/src/executor"
import {
  WorkflowOrchestrator,
  WorkflowOrchestratorLayer,
  WorkflowRegistryLayer
} from "../fixtures/workflow/src/orchestrator"
import { DisabledPurgeManagerLayer } from "../fixtures/workflow/src/purge"
import { RecoveryManagerLayer } from "../fixtures/workflow/src/recovery"
import { WorkflowStateMachineLayer } from "../fixtures/workflow/src/state"
import * as WorkflowUntracked from "../fixtures/workflow/src/primitives"

// The hand-tracked twin, loaded by a path tsc does not follow (its `@durable-effect/core` is the
// release's, which only vitest resolves for it); it has the untracked package's shapes.
const trackedSrc = "../fixtures/workflow-tracked/src"
const load = <M>(module: string): Promise<M> => import(/* @vite-ignore */ `${trackedSrc}/${module}`) as Promise<M>
const Tracked = {
  adapters: await load<typeof import("../fixtures/workflow/src/adapters")>("adapters"),
  executor: await load<typeof import("../fixtures/workflow/src/executor")>("executor"),
  orchestrator: await load<typeof import("../fixtures/workflow/src/orchestrator")>("orchestrator"),
  purge: await load<typeof import("../fixtures/workflow/src/purge")>("purge"),
  recovery: await load<typeof import("../fixtures/workflow/src/recovery")>("recovery"),
  state: await load<typeof import("../fixtures/workflow/src/state")>("state"),
  primitives: await load<typeof import("../fixtures/workflow/src/primitives")>("primitives")
}

const T0 = Date.UTC(2025, 0, 1)
const hour = 3_600_000

// Stands in for the service map's frame around `WorkflowExecutor.execute` (another module's
// work): the workflow's name and execution, for the events of the combinators it runs.
interface ExecutorShape {
  execute(
    definition: unknown,
    context: { readonly workflowName: string; readonly executionId?: string }
  ): Effect.Effect<unknown, unknown>
}
const executorFrame = serviceEventsByKey<ExecutorShape>()(
  workflowEvents,
  "@durable-effect/WorkflowExecutor",
  "WorkflowExecutor",
  {
    execute: { context: ([, run]) => ({ workflowName: run.workflowName, executionId: run.executionId }) }
  }
)
const eventMap: EventMap<WorkflowEvents> = extendEventMap(workflowCombinatorEvents, executorFrame)
const WorkflowSeam = trackExports(WorkflowUntracked, { eventMap, namespace: "Workflow" })

/** The combinators' types: the rest (workflow.*, step.completed) is the service map's. */
const combinatorTypes: ReadonlySet<string> = new Set(
  describeCoverage(workflowCombinatorEvents).events.flatMap((e) => (e.sources.length > 0 ? [e.type] : []))
)

type Namespace = typeof WorkflowUntracked
/** A scenario: a workflow written once against a namespace, and what drives it (alarms after time passes). */
interface Scenario {
  readonly workflow: (W: Namespace) => ReturnType<Namespace["make"]>
  /** Milliseconds to advance before each alarm, in order. */
  readonly alarms: ReadonlyArray<number>
}

type Recorded = ReadonlyArray<Record<string, unknown>>

const plain = (events: Recorded) =>
  events
    .map(({ eventId: _id, timestamp: _t, ...event }) => event)
    .filter((event) => combinatorTypes.has(event.type as string))

/** Runs a scenario on the untracked package through the seam, and on the hand-tracked one. */
const runBoth = async (scenario: Scenario): Promise<{ seam: Recorded; hand: Recorded }> => {
  const seamMemory = InMemoryTracker.make({ vocabularies: [workflowEvents] })
  const handMemory = InMemoryTracker.make()
  {
    const { layer, handle } = await Effect.runPromise(createInMemoryRuntime({ instanceId: "wf-1", initialTime: T0 }))
    const composed = WorkflowOrchestratorLayer<any>().pipe(
      Layer.provideMerge(WorkflowRegistryLayer({ flow: scenario.workflow(WorkflowSeam) })),
      Layer.provideMerge(withTracking(WorkflowExecutorLayer, { eventMap })),
      Layer.provideMerge(RecoveryManagerLayer()),
      Layer.provideMerge(WorkflowStateMachineLayer),
      Layer.provideMerge(DisabledPurgeManagerLayer),
      Layer.provideMerge(layer),
      Layer.provideMerge(Layer.succeed(EventTracker, seamMemory.service))
    )
    const run = <A, E>(f: (o: WorkflowOrchestrator["Type"]) => Effect.Effect<A, E>) =>
      Effect.runPromise(Effect.flatMap(WorkflowOrchestrator, f).pipe(Effect.provide(composed)))
    await run((o) => o.start({ workflow: "flow", input: undefined, executionId: "exec-1" }))
    for (const ms of scenario.alarms) {
      await Effect.runPromise(handle.advanceTime(ms))
      await run((o) => o.handleAlarm())
    }
  }
  {
    const { layer, handle } = await Effect.runPromise(
      Tracked.adapters.createInMemoryRuntime({ instanceId: "wf-1", initialTime: T0 })
    )
    const composed = Tracked.orchestrator
      .WorkflowOrchestratorLayer<any>()
      .pipe(
        Layer.provideMerge(Tracked.orchestrator.WorkflowRegistryLayer({ flow: scenario.workflow(Tracked.primitives) })),
        Layer.provideMerge(Tracked.executor.WorkflowExecutorLayer),
        Layer.provideMerge(Tracked.recovery.RecoveryManagerLayer()),
        Layer.provideMerge(Tracked.state.WorkflowStateMachineLayer),
        Layer.provideMerge(Tracked.purge.DisabledPurgeManagerLayer),
        Layer.provideMerge(layer),
        Layer.provideMerge(Layer.succeed(EventTracker, handMemory.service))
      )
    const run = <A, E>(f: (o: WorkflowOrchestrator["Type"]) => Effect.Effect<A, E>) =>
      Effect.runPromise(Effect.flatMap(Tracked.orchestrator.WorkflowOrchestrator, f).pipe(Effect.provide(composed)))
    await run((o) => o.start({ workflow: "flow", input: undefined, executionId: "exec-1" }))
    for (const ms of scenario.alarms) {
      await Effect.runPromise(handle.advanceTime(ms))
      await run((o) => o.handleAlarm())
    }
  }
  return {
    seam: plain(await Effect.runPromise(seamMemory.handle.getEvents())),
    hand: plain(await Effect.runPromise(handMemory.handle.getEvents()))
  }
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

describe("the workflow combinators through trackExports, against the hand-placed events", () => {
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
      alarms: [hour]
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
      alarms: [1000, 1000]
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
      alarms: [500]
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
      alarms: [10_000]
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

  it("a failed step that will not retry (no retry; not retryable): its error's message, no stack unless opted in", async () => {
    for (const retry of [undefined, { maxAttempts: 3, isRetryable: () => false }]) {
      const { seam, hand } = await runBoth({
        workflow: (W) =>
          W.make(() =>
            W.step({ name: "boom", execute: Effect.fail(new Error("kaboom")), ...(retry ? { retry } : {}) })
          ),
        alarms: []
      })
      const failed = { ...base, type: "step.failed", stepName: "boom", attempt: 1, willRetry: false }
      expect(seam).toEqual([
        { ...base, type: "step.started", stepName: "boom", attempt: 1 },
        { ...failed, error: { message: "kaboom" } }
      ])
      // The difference: the hand-placed event always carries the stack.
      expect(hand[1]).toEqual({ ...failed, error: { message: "kaboom", stack: expect.stringContaining("kaboom") } })
      expect(seam.map(({ error: _e, ...event }) => event)).toEqual(hand.map(({ error: _e, ...event }) => event))
    }
  })

  it("sleepUntil: the sleep's real length where the package always says 0 ms (the documented correction)", async () => {
    const { seam, hand } = await runBoth({
      workflow: (W) => W.make(() => W.sleepUntil(T0 + 30 * 60_000)),
      alarms: [30 * 60_000]
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

  it("covers the combinators' eight types; step.completed and workflow.* are the service map's", () => {
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
