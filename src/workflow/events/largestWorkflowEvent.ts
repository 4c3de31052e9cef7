/**
 * The largest workflow event: what a tracker's byte limits must hold for no workflow event to be
 * cut or dropped, given what it assumes of a workflow's steps.
 */

import { maxErrorMessageLength, maxErrorStackLength } from "../../event/eventBounds.js"

// A Durable Object id is 64 hex digits; workflow, execution and step names are counted as long.
const name = "n".repeat(64)

/**
 * How many completed steps the largest event lists. A workflow's steps have no bound (the user
 * writes them); a workflow of more steps than this, or a `workflow.started` with a large input,
 * does not fit a tracker sized by this event alone: the tracker cuts long strings to its
 * `maxEventBytes`, and refuses (counts as `tooLarge`) an event that still does not fit.
 *
 * @category Workflow events
 */
export const workflowStepsAllowance = 100

/**
 * A `workflow.failed` with every field set: the error's message and stack at the caps this
 * project's error summaries keep (`maxErrorMessageLength`, `maxErrorStackLength`), the step and
 * attempt it ended on, {@link workflowStepsAllowance} completed steps, 64-character names. With
 * ASCII text; a tracker cuts multi-byte text to fit its `maxEventBytes`.
 *
 * @category Workflow events
 */
export const largestWorkflowEvent = {
  eventId: "00000000-0000-7000-8000-000000000000",
  timestamp: "2026-01-01T00:00:00.000Z",
  source: "workflow",
  workflowId: name,
  workflowName: name,
  executionId: name,
  type: "workflow.failed",
  error: {
    message: `${"x".repeat(maxErrorMessageLength - 1)}…`,
    stack: `${"x".repeat(maxErrorStackLength - 1)}…`,
    stepName: name,
    attempt: Number.MAX_SAFE_INTEGER
  },
  completedSteps: Array.from({ length: workflowStepsAllowance }, () => name)
} as const
