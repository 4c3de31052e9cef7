/**
 * The workflow-level events of the workflow package as its service boundaries show them: the
 * executor's runs (started, resumed and each run's outcome), the state machine's transitions
 * (queued, and a cancel applied at once) and the orchestrator's calls, which establish the
 * workflow a request is about.
 */

import { isoTimestamp } from "../event/timestamp.js"
import { extendEventMap, serviceEventsByKey, type EventMap } from "../instrument/EventMap.js"
import { workflowEvents, type WorkflowEvents } from "./events/workflowEvents.js"
import { runMark } from "./runMemory.js"
import {
  workflowTagKey,
  type RunOutcomeRecipes,
  type WorkflowExecutorShape,
  type WorkflowOrchestratorShape,
  type WorkflowStateMachineShape
} from "./shapes.js"
import { workflowErrorOf } from "./workflowError.js"

/** The identity of the workflow a call is about, from what it was asked to run. */
const identityOf = (call: { readonly workflow: string; readonly executionId?: string | undefined }) => ({
  workflowName: call.workflow,
  executionId: call.executionId
})

// The context key a request's own Cancel transition sets: a map's own key, not an event field.
const cancelApplied = "workflowCancelApplied"

const orchestrator = serviceEventsByKey<WorkflowOrchestratorShape>()(
  workflowEvents,
  workflowTagKey("WorkflowOrchestrator"),
  "WorkflowOrchestrator",
  {
    start: { context: ([call]) => identityOf(call) },
    queue: { context: ([call]) => identityOf(call) },
    // The workflow a cancel is about is told by the state it reads; this frame keeps what the
    // cancel's own calls teach each other (that the Cancel transition was applied).
    cancel: { context: () => ({ [cancelApplied]: false }) }
  }
)

const stateMachine = serviceEventsByKey<WorkflowStateMachineShape>()(
  workflowEvents,
  workflowTagKey("WorkflowStateMachine"),
  "WorkflowStateMachine",
  {
    applyTransition: {
      learn: (_, [transition]) => (transition._tag === "Cancel" ? { [cancelApplied]: true } : undefined),
      success: {
        // Only `queue` applies Queue: its call established the workflow's name and execution id.
        "workflow.queued": ({ args: [transition] }) =>
          transition._tag === "Queue" ? { input: transition.input } : undefined
      }
    },
    getState: {
      success: {
        // A queued or paused workflow is cancelled at once: the state read right after the
        // Cancel transition holds every field.
        "workflow.cancelled": ({ result, context }) =>
          context[cancelApplied] === true && result?.status._tag === "Cancelled"
            ? {
                workflowName: result.workflowName,
                executionId: result.executionId,
                reason: typeof result.status.reason === "string" ? result.status.reason : undefined,
                completedSteps: [...result.completedSteps]
              }
            : undefined
      }
    }
  }
)

/** How a run ended, as the orchestrator then records it. */
const runOutcomes: RunOutcomeRecipes = {
  "workflow.completed": ({ result }) =>
    result._tag === "Completed"
      ? { completedSteps: [...result.completedSteps], durationMs: result.durationMs }
      : undefined,
  "workflow.failed": ({ result }) =>
    result._tag === "Failed"
      ? { error: workflowErrorOf(result.error), completedSteps: [...result.completedSteps] }
      : undefined,
  "workflow.paused": ({ result }) =>
    result._tag === "Paused"
      ? { reason: result.reason, resumeAt: isoTimestamp(result.resumeAt), stepName: result.stepName }
      : undefined,
  "workflow.cancelled": ({ result }) =>
    result._tag === "Cancelled" ? { reason: result.reason, completedSteps: [...result.completedSteps] } : undefined
}

/**
 * The executor's entry: a run's context (the workflow, and the mark of a run for its steps'
 * events), its start or resumption, and its outcome.
 */
const executor = serviceEventsByKey<WorkflowExecutorShape>()(
  workflowEvents,
  workflowTagKey("WorkflowExecutor"),
  "WorkflowExecutor",
  {
    execute: {
      context: ([, run]) => ({
        workflowId: run.workflowId,
        workflowName: run.workflowName,
        executionId: run.executionId,
        ...runMark()
      }),
      before: {
        "workflow.started": ({ args: [, run] }) => (run.mode === "fresh" ? { input: run.input } : undefined),
        // A recovered run is reported as a resumption, as the package reports it.
        "workflow.resumed": ({ args: [, run] }) => (run.mode === "fresh" ? undefined : {})
      },
      success: runOutcomes
    }
  }
)

/** The orchestrator's, the state machine's and the executor's entries. */
export const workflowBoundaryEvents: EventMap<WorkflowEvents> = extendEventMap(orchestrator, stateMachine, executor)
