import { extendEventMap, withRequirements, type EventMap } from "../instrument/EventMap.js"
import type { WorkflowEvents } from "./events/workflowEvents.js"
import { workflowTagKey, type WorkflowRuntimeShape } from "./shapes.js"
import { stepBoundaryEvents } from "./stepBoundaryEvents.js"
import { workflowBoundaryEvents } from "./workflowBoundaryEvents.js"
import { workflowCombinatorEvents } from "./workflowCombinatorEvents.js"

const runtimeKey = workflowTagKey("RuntimeAdapter")

const learnsFrom = (service: string, method: string) => ({ calls: [{ tagKey: workflowTagKey(service), method }] })

/**
 * The event map for the durable-effect workflow package, all 16 types, for its two seams: wrap
 * the runtime layer (core's storage, scheduler and runtime adapters) and the orchestrator,
 * executor and state machine layers with `withTracking(layer, { eventMap: workflowEventMap })`,
 * the tracker under them, and the combinators with
 * `trackExports(Workflow, { eventMap: workflowEventMap, namespace: "Workflow" })`.
 *
 * - Service entries, workflow level: `workflow.started` and `workflow.resumed` before
 *   `WorkflowExecutor.execute` (fresh; resume or recover), the run's outcome
 *   (`workflow.completed`, `failed`, `paused`, `cancelled`) when it returns, one status write
 *   before the package records it; `workflow.queued` on the Queue transition of `queue`; the
 *   `workflow.cancelled` of a queued or paused workflow from the state read right after its
 *   Cancel transition. The traced `execute` is the frame of the run: its `workflowName` and
 *   `executionId` are every step event's.
 * - Service entry, step level (stepBoundaryEvents.ts): `step.completed` from the step's result write.
 * - Function entries (workflowCombinatorEvents.ts), `Workflow.step`, `sleep` and `sleepUntil`:
 *   `step.started`, `step.failed`, `timeout.set`, `timeout.exceeded`, `retry.scheduled`,
 *   `retry.exhausted`, `sleep.started` and `sleep.completed`. Without the combinators' seam
 *   these eight are not emitted.
 *
 * Events carry `workflowId` (the runtime's instance id), `workflowName` and `executionId`;
 * timestamps are the wall clock's, as the package's own events have them.
 * docs/workflow-events.md tells each type and how it differs from the package's hand-placed events.
 *
 * @category Workflow events
 */
export const workflowEventMap: EventMap<WorkflowEvents> = withRequirements(
  {
    ...extendEventMap(workflowBoundaryEvents, stepBoundaryEvents, workflowCombinatorEvents),
    ambient: {
      [runtimeKey]: (runtime: WorkflowRuntimeShape) => ({ workflowId: runtime.instanceId })
    }
  },
  {
    [workflowTagKey("WorkflowStateMachine")]: {
      getState: { "workflow.cancelled": learnsFrom("WorkflowStateMachine", "applyTransition") }
    }
  }
)
