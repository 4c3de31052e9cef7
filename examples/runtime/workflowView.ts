import type { WorkflowEventWire } from "../../src/workflow/events/WorkflowEvent.js"
import { type EventView, exhaustedText, type RunEnd } from "./eventView.js"

/**
 * The 16-type workflow vocabulary: a lane per workflow instance (its Durable Object,
 * `workflowId`), titled by its name and execution. A run is what the engine executes in one
 * call: from `workflow.started` or `workflow.resumed` to the outcome the run ended in.
 */
export const workflowView: EventView<WorkflowEventWire> = {
  noun: "workflow",
  kindName: "Workflow",
  instanceOf: (event) => event.workflowId,
  kindOf: (event) => event.workflowName,
  titleOf: (event) => `${event.workflowName}${event.executionId === undefined ? "" : ` ${event.executionId}`}`,
  baseFields: new Set([
    "eventId",
    "timestamp",
    "source",
    "workflowId",
    "workflowName",
    "executionId",
    "type",
    "env",
    "serviceKey"
  ]),
  identityFields: (event) => [
    ["workflowId", event.workflowId],
    ["workflow", event.workflowName],
    ...(event.executionId === undefined ? [] : [["executionId", event.executionId] as const])
  ],
  // No order checker for workflow events yet.
  orderProblems: () => [],
  runStarts: new Set(["workflow.started", "workflow.resumed"]),
  runEnds: new Map<string, RunEnd>([
    ["workflow.completed", "succeeded"],
    ["workflow.failed", "failed"],
    ["workflow.paused", "paused"],
    ["workflow.cancelled", "cancelled"]
  ]),
  failureTypes: new Set(["workflow.failed", "step.failed", "retry.exhausted", "timeout.exceeded"]),
  retryTypes: new Set(["retry.scheduled"]),
  instanceFailure: undefined,
  problemText: (event) => {
    switch (event.type) {
      case "retry.exhausted":
        return `step ${event.stepName}: ${exhaustedText(event)}`
      case "step.failed":
        return `step ${event.stepName} failed (attempt ${event.attempt})`
      case "timeout.exceeded":
        return `step ${event.stepName}: its ${event.timeoutMs} ms timeout passed`
      default:
        return undefined
    }
  },
  groupColors: {
    workflow: { terminal: 36, html: "#0e7490" },
    step: { terminal: 32, html: "#15803d" },
    retry: { terminal: 33, html: "#b45309" },
    sleep: { terminal: 35, html: "#7e22ce" },
    timeout: { terminal: 34, html: "#1d4ed8" }
  },
  runGroups: new Set()
}
