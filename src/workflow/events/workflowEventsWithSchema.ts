/**
 * The workflow event vocabulary with its Schema, for what decodes workflow events (a collector,
 * tests), and a batch decoder. The same vocabulary as `workflowEvents` (maps of either combine),
 * in a module of its own so that what traces calls does not import `effect/Schema`.
 */

import { decodeEventBatch, type VocabularyWithSchema } from "../../event/decodeEventBatch.js"
import { WorkflowEvent } from "./WorkflowEvent.js"
import { workflowEvents, type WorkflowEvents } from "./workflowEvents.js"

/**
 * The workflow event vocabulary with its Schema (`WorkflowEvent`).
 *
 * @category Workflow events
 */
export const workflowEventsWithSchema: WorkflowEvents & VocabularyWithSchema<WorkflowEvent> = {
  ...workflowEvents,
  schema: WorkflowEvent
}

/**
 * Decodes a parsed request body as a batch of workflow events as trackers send them
 * (`{ "events": [...] }`, each with `env` and `serviceKey`); the error lists each problem once,
 * by its path.
 *
 * @category Workflow events
 */
export const decodeWorkflowEventBatch = decodeEventBatch(workflowEventsWithSchema)
