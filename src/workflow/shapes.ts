/**
 * The parts of the workflow package's services (and of core's adapters it runs on) that the
 * workflow event map reads, declared by shape: this library never imports the workflow package,
 * and any copy of it with these tag keys and methods is tracked.
 */

import type { Effect } from "effect"
import type { Recipes, SuccessInfo } from "../instrument/EventMap.js"
import type { WorkflowEvents } from "./events/workflowEvents.js"

/** Every service of the workflow package and of core is keyed `@durable-effect/<Name>`. */
export const workflowTagKey = (name: string): string => `@durable-effect/${name}`

export interface WorkflowRuntimeShape {
  readonly instanceId: string
  now(): Effect.Effect<number>
}

export interface WorkflowStorageShape {
  get<T>(key: string): Effect.Effect<T | undefined, unknown>
  put<T>(key: string, value: T): Effect.Effect<void, unknown>
}

/** Why the executor runs the workflow: its first run, after a pause, or after an interruption. */
export type ExecutionModeShape = "fresh" | "resume" | "recover"

/** The second argument of `WorkflowExecutor.execute`. */
export interface ExecutionContextShape {
  readonly workflowId: string
  readonly workflowName: string
  readonly input: unknown
  readonly executionId?: string | undefined
  readonly mode: ExecutionModeShape
}

/** How one run of a workflow's effect ended, as `WorkflowExecutor.execute` answers. */
export type ExecutionResultShape =
  | {
      readonly _tag: "Completed"
      readonly durationMs: number
      readonly completedSteps: ReadonlyArray<string>
    }
  | {
      readonly _tag: "Paused"
      readonly reason: "sleep" | "retry"
      readonly resumeAt: number
      readonly stepName?: string | undefined
      readonly attempt?: number | undefined
    }
  | {
      readonly _tag: "Failed"
      readonly error: unknown
      readonly durationMs: number
      readonly completedSteps: ReadonlyArray<string>
    }
  | {
      readonly _tag: "Cancelled"
      readonly reason?: string | undefined
      readonly completedSteps: ReadonlyArray<string>
    }

export interface WorkflowExecutorShape {
  execute(definition: unknown, context: ExecutionContextShape): Effect.Effect<ExecutionResultShape, unknown>
}

/** Recipes of events a run's result shows, on the success of `WorkflowExecutor.execute`. */
export type RunOutcomeRecipes = Recipes<
  SuccessInfo<[unknown, ExecutionContextShape], ExecutionResultShape, WorkflowEvents>,
  WorkflowEvents
>

export interface WorkflowCallShape {
  readonly workflow: string
  readonly input: unknown
  readonly executionId?: string | undefined
}

export interface WorkflowOrchestratorShape {
  start(call: WorkflowCallShape): Effect.Effect<unknown, unknown>
  queue(call: WorkflowCallShape): Effect.Effect<unknown, unknown>
  cancel(options?: { readonly reason?: string | undefined }): Effect.Effect<unknown, unknown>
}

/** A stored status or a transition: a tagged value. */
export interface TaggedShape {
  readonly _tag: string
}

/** What `WorkflowStateMachine.getState` answers. */
export interface WorkflowStateShape {
  readonly status: TaggedShape & { readonly reason?: unknown }
  readonly workflowName: string
  readonly executionId?: string | undefined
  readonly completedSteps: ReadonlyArray<string>
}

export interface WorkflowStateMachineShape {
  initialize(workflowName: string, input: unknown, executionId?: string): Effect.Effect<void, unknown>
  applyTransition(transition: TaggedShape & { readonly input?: unknown }): Effect.Effect<unknown, unknown>
  getState(): Effect.Effect<WorkflowStateShape | undefined, unknown>
}
