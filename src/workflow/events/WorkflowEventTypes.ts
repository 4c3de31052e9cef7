/**
 * The 16 workflow event types of upstream core (`@durable-effect/core` events), in upstream's
 * order. A list of its own, without `effect/Schema`, for what checks maps and builds events at
 * run time; `WorkflowEvent.ts` fails to compile when its structs and this list differ.
 *
 * @category Workflow events
 */
export const WorkflowEventTypes = [
  "workflow.started",
  "workflow.queued",
  "workflow.completed",
  "workflow.failed",
  "workflow.paused",
  "workflow.resumed",
  "workflow.cancelled",
  "step.started",
  "step.completed",
  "step.failed",
  "retry.scheduled",
  "retry.exhausted",
  "sleep.started",
  "sleep.completed",
  "timeout.set",
  "timeout.exceeded"
] as const

/**
 * The `type` of a workflow event, one of the 16 ({@link WorkflowEventTypes}).
 *
 * @category Workflow events
 */
export type WorkflowEventType = (typeof WorkflowEventTypes)[number]
