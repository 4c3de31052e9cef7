/**
 * The workflow event vocabulary: upstream core's 16 workflow types, each event about one
 * workflow instance (`workflowId`, `workflowName`, and its `executionId` when known), with
 * `source: "workflow"`. What the workflow maps carry and trackers of workflow events are told.
 *
 * No `effect/Schema` here: this module is on the path of every traced call, and a Worker bundle
 * must not carry the Schema module for it. `workflowEventsWithSchema` (its own module) adds the
 * schema where events are decoded.
 */

import { defineVocabulary } from "../../event/Vocabulary.js"
import { largestWorkflowEvent } from "./largestWorkflowEvent.js"
import type { WorkflowEvent } from "./WorkflowEvent.js"
import { WorkflowEventTypes } from "./WorkflowEventTypes.js"

/**
 * The workflow event vocabulary: {@link WorkflowEventTypes}, each event about one workflow
 * instance (`workflowId`, `workflowName`; `executionId` when known, left out when not), with
 * `source: "workflow"`, as span attributes `workflow.id`, `workflow.name`,
 * `workflow.executionId`. Its events decode with upstream core's `InternalTrackingEventSchema`.
 *
 * Upstream's own builder also leaves out an empty `executionId`; here only an unknown one is
 * left out, so a map gives none rather than `""`.
 *
 * @category Workflow events
 */
export const workflowEvents = defineVocabulary<
  WorkflowEvent,
  "workflowId" | "workflowName",
  "eventId" | "timestamp" | "source"
>({
  name: "workflow",
  types: WorkflowEventTypes,
  context: ["workflowId", "workflowName"],
  optionalContext: ["executionId"],
  constants: { source: "workflow" },
  largestEvent: largestWorkflowEvent,
  attributePrefix: "workflow",
  attributeNames: { workflowId: "workflow.id", workflowName: "workflow.name" }
})

/**
 * The workflow event vocabulary's type.
 *
 * @category Workflow events
 */
export type WorkflowEvents = typeof workflowEvents
