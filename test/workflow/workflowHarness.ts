import { Effect, Layer } from "effect"
import type * as Adapters from "../fixtures/workflow/src/adapters/index.js"
import type * as Executor from "../fixtures/workflow/src/executor/index.js"
import type * as Orchestrator from "../fixtures/workflow/src/orchestrator/index.js"
import type * as Primitives from "../fixtures/workflow/src/primitives/index.js"
import type * as Purge from "../fixtures/workflow/src/purge/index.js"
import type * as Recovery from "../fixtures/workflow/src/recovery/index.js"
import type * as State from "../fixtures/workflow/src/state/index.js"
import type { EventMap } from "../../src/instrument/EventMap.js"
import { trackExports } from "../../src/instrument/trackExports.js"
import { EventTracker, type EventTrackerService } from "../../src/tracker/EventTracker.js"

/**
 * One form of the workflow package, as the scenarios use it: the untracked fixture or its
 * hand-tracked twin (the same modules and API; the twin also emits).
 */
export interface WorkflowPackage {
  readonly Workflow: typeof Primitives
  readonly adapters: typeof Adapters
  readonly executor: typeof Executor
  readonly orchestrator: typeof Orchestrator
  readonly purge: typeof Purge
  readonly recovery: typeof Recovery
  readonly state: typeof State
}

const modules = ["primitives", "adapters", "executor", "orchestrator", "purge", "recovery", "state"] as const

/**
 * A form's modules, by the fixture directory's name. Imported by path at run time: the tracked
 * form runs on the release's core (vitest resolves `@durable-effect/core` by the importer's
 * directory), which the main tsconfig cannot type; both forms have the untracked form's API.
 */
export const loadWorkflowPackage = async (fixture: "workflow" | "workflow-tracked"): Promise<WorkflowPackage> => {
  const [Workflow, adapters, executor, orchestrator, purge, recovery, state] = await Promise.all(
    modules.map((name) => import(/* @vite-ignore */ `../fixtures/${fixture}/src/${name}/index.ts`))
  )
  return { Workflow, adapters, executor, orchestrator, purge, recovery, state } as WorkflowPackage
}

/**
 * The form with its combinators (`Workflow.step`, `sleep`, `sleepUntil`, ...) traced by
 * `eventMap`'s function entries: the second seam, where the package exports them.
 */
export const withTrackedCombinators = (pkg: WorkflowPackage, eventMap: EventMap): WorkflowPackage => ({
  ...pkg,
  Workflow: trackExports(pkg.Workflow, { eventMap, namespace: "Workflow" })
})

/** The fixed clock every scenario starts at (2025-01-01T00:00:00Z). */
export const T0 = Date.UTC(2025, 0, 1)

/** A change to a layer that keeps its type, such as wrapping it with `withTracking`. */
export type LayerWrap = <A, E, R>(layer: Layer.Layer<A, E, R>) => Layer.Layer<A, E, R>

/** An event as a tracker received it, with the workflow's stored status and steps at that moment. */
export interface Recorded {
  readonly event: Record<string, unknown>
  readonly status: string | undefined
  readonly completedSteps: ReadonlyArray<string>
}

type Registry = Orchestrator.WorkflowRegistry
type OrchestratorService = Orchestrator.WorkflowOrchestratorService<any>

/** What a scenario does to one workflow instance, one request at a time. */
export interface Driver {
  readonly start: (call: Orchestrator.WorkflowCall<Registry>) => Promise<unknown>
  readonly queue: (call: Orchestrator.WorkflowCall<Registry>) => Promise<unknown>
  readonly cancel: (reason?: string) => Promise<unknown>
  /** Moves the clock to the alarm's time, clears it as a Durable Object does, and runs the alarm. */
  readonly alarm: () => Promise<void>
  /** The alarm of an instance whose run was interrupted: runs it without moving the clock. */
  readonly recoveryAlarm: () => Promise<void>
  /** A run that never finished: initialized and started, then the instance went away. */
  readonly leaveRunning: (workflow: string, input: unknown) => Promise<void>
}

/**
 * The engine's composition of one form over an in-memory runtime, each layer passed through
 * `wrap`, with a tracker under it that records every event and the status stored when it came.
 */
export const driveWorkflow = async (
  pkg: WorkflowPackage,
  registry: Registry,
  wrap: LayerWrap
): Promise<{
  readonly driver: Driver
  readonly recorded: ReadonlyArray<Recorded>
  /** What the instance has stored, and its alarm, as the scenario left them. */
  readonly finalState: () => Promise<{
    readonly data: ReadonlyMap<string, unknown>
    readonly alarm: number | undefined
  }>
}> => {
  const { layer, handle } = await Effect.runPromise(
    pkg.adapters.createInMemoryRuntime({ instanceId: "wf-1", initialTime: T0 })
  )
  const recorded: Array<Recorded> = []
  const tracker: EventTrackerService = {
    emit: (event) =>
      Effect.map(handle.getStorageState(), (state) => {
        const status = state.data.get("workflow:status") as { readonly _tag: string } | undefined
        const completedSteps = (state.data.get("workflow:completedSteps") as ReadonlyArray<string> | undefined) ?? []
        recorded.push({ event: event as Record<string, unknown>, status: status?._tag, completedSteps })
      }),
    flush: () => Effect.void,
    pending: () => Effect.succeed(0)
  }
  const runtimeLayer = wrap(layer).pipe(Layer.provideMerge(Layer.succeed(EventTracker, tracker)))
  const composed = wrap(pkg.orchestrator.WorkflowOrchestratorLayer()).pipe(
    Layer.provideMerge(pkg.orchestrator.WorkflowRegistryLayer(registry)),
    Layer.provideMerge(wrap(pkg.executor.WorkflowExecutorLayer)),
    Layer.provideMerge(pkg.recovery.RecoveryManagerLayer()),
    Layer.provideMerge(wrap(pkg.state.WorkflowStateMachineLayer)),
    Layer.provideMerge(pkg.purge.DisabledPurgeManagerLayer),
    Layer.provideMerge(runtimeLayer)
  )
  const run = <A>(effect: Effect.Effect<A, unknown, any>): Promise<A> =>
    Effect.runPromise(effect.pipe(Effect.provide(composed)) as Effect.Effect<A, unknown>)
  const orchestrate = <A>(use: (orchestrator: OrchestratorService) => Effect.Effect<A, unknown, any>) =>
    run(Effect.flatMap(pkg.orchestrator.WorkflowOrchestrator, use))

  const driver: Driver = {
    start: (call) => orchestrate((o) => o.start(call)),
    queue: (call) => orchestrate((o) => o.queue(call)),
    cancel: (reason) => orchestrate((o) => o.cancel(reason === undefined ? undefined : { reason })),
    alarm: async () => {
      const at = (await Effect.runPromise(handle.getSchedulerState())).scheduledTime
      if (at === undefined) throw new Error("no alarm is set")
      await Effect.runPromise(Effect.zipRight(handle.setTime(at), handle.clearAlarm()))
      await orchestrate((o) => o.handleAlarm())
    },
    recoveryAlarm: () => orchestrate((o) => o.handleAlarm()),
    leaveRunning: (workflow, input) =>
      run(
        Effect.flatMap(pkg.state.WorkflowStateMachine, (machine) =>
          Effect.zipRight(machine.initialize(workflow, input), machine.applyTransition(new pkg.state.Start({ input })))
        )
      ).then(() => undefined)
  }
  const finalState = async () => ({
    data: (await Effect.runPromise(handle.getStorageState())).data,
    alarm: (await Effect.runPromise(handle.getSchedulerState())).scheduledTime
  })
  return { driver, recorded, finalState }
}
