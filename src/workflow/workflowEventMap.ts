import { extendEventMap, withRequirements, type EventMap } from "../instrument/EventMap.js"
import type { WorkflowEvents } from "./events/workflowEvents.js"
import { workflowTagKey, type WorkflowRuntimeShape } from "./shapes.js"
import {
  stepBlindSpots,
  stepBoundaryEvents,
  stepOutcomesOfRun,
  stepOutcomesRequirements
} from "./stepBoundaryEvents.js"
import { workflowBoundaryEvents } from "./workflowBoundaryEvents.js"

const runtimeKey = workflowTagKey("RuntimeAdapter")

const learnsFrom = (service: string, method: string) => ({ calls: [{ tagKey: workflowTagKey(service), method }] })

/**
 * The event map for the durable-effect workflow package, from its service boundaries: wrap the
 * runtime layer (core's storage, scheduler and runtime adapters) and the orchestrator, executor
 * and state machine layers with `withTracking(layer, { eventMap: workflowEventMap })`, the
 * tracker under them.
 *
 * - Workflow level: `workflow.started` and `workflow.resumed` before `WorkflowExecutor.execute`
 *   (fresh; resume or recover), the run's outcome (`workflow.completed`, `failed`, `paused`,
 *   `cancelled`) when it returns, one status write before the package records it;
 *   `workflow.queued` on the Queue transition of `queue`; the `workflow.cancelled` of a queued or
 *   paused workflow from the state read right after its Cancel transition.
 * - Step level (stepBoundaryEvents.ts): `step.started` from a step's storage reads,
 *   `step.completed` from its result write, `sleep.started` from the wake time write,
 *   `retry.scheduled` from the raised attempt counter and the alarm the run then sets, and
 *   `retry.exhausted` from a run that failed with `RetryExhaustedError`.
 * - `step.failed`, `sleep.completed`, `timeout.set` and `timeout.exceeded` are blind spots: no
 *   service call carries them (see `blindSpots`).
 *
 * Events carry `workflowId` (the runtime's instance id), `workflowName` and `executionId` as the
 * run or the call established them. docs/workflow-events.md tells each type and how it differs
 * from the package's hand-placed events.
 *
 * @category Workflow events
 */
export const workflowEventMap: EventMap<WorkflowEvents> = withRequirements(
  {
    ...extendEventMap(workflowBoundaryEvents(stepOutcomesOfRun), stepBoundaryEvents),
    ambient: {
      [runtimeKey]: (runtime: WorkflowRuntimeShape) => ({ workflowId: runtime.instanceId })
    },
    // No `clock`: timestamps are the wall clock's, as the package's own events have them (its
    // clock is read through the runtime adapter's entry, which learns each read of the package).
    blindSpots: stepBlindSpots
  },
  {
    [workflowTagKey("WorkflowExecutor")]: { execute: stepOutcomesRequirements },
    [workflowTagKey("WorkflowStateMachine")]: {
      getState: { "workflow.cancelled": learnsFrom("WorkflowStateMachine", "applyTransition") }
    },
    [workflowTagKey("SchedulerAdapter")]: {
      schedule: {
        "retry.scheduled": {
          ...learnsFrom("StorageAdapter", "put"),
          seesOnly: "a run's retry when one step of the run asks for it"
        }
      }
    }
  }
)
