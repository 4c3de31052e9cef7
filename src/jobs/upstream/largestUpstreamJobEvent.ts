/**
 * The largest upstream job event: what a tracker's byte limits must hold for no event of the
 * upstream format to be cut or dropped, given what it assumes of the user's state.
 */

import { maxErrorMessageLength, maxErrorStackLength } from "../../event/eventBounds.js"

// A Durable Object id is 64 hex digits; job names and the ids users give are counted as long.
const name = "n".repeat(64)

/**
 * How much user state the largest event counts, in characters of JSON text. A job's state has
 * no bound (it is the user's); this is the order of the small states jobs keep (counters, ids,
 * times, a cursor). A larger one does not fit a tracker sized by this event alone: the tracker
 * cuts its long strings to its `maxEventBytes`, and refuses (counts as `tooLarge`) an event that
 * still does not fit. Upstream sends the state in `job.executed` and `job.failed`.
 *
 * @category Upstream job events
 */
export const upstreamStateAllowance = 1024

/**
 * A `job.failed` with every field set: the error's message and stack at the caps this project's
 * error summaries keep (`maxErrorMessageLength`, `maxErrorStackLength`), 64-character names, the
 * largest counts and a `preExecutionState` of {@link upstreamStateAllowance} characters. With
 * ASCII text; a tracker cuts multi-byte text to fit its `maxEventBytes`.
 *
 * @category Upstream job events
 */
export const largestUpstreamJobEvent = {
  eventId: "00000000-0000-7000-8000-000000000000",
  timestamp: "2026-01-01T00:00:00.000Z",
  source: "job",
  instanceId: name,
  id: name,
  jobType: "workerPool",
  jobName: name,
  type: "job.failed",
  error: {
    message: `${"x".repeat(maxErrorMessageLength - 1)}…`,
    stack: `${"x".repeat(maxErrorStackLength - 1)}…`
  },
  runCount: Number.MAX_SAFE_INTEGER,
  attempt: Number.MAX_SAFE_INTEGER,
  willRetry: false,
  // `{"state":"sss…"}`: the allowance in all.
  preExecutionState: { state: "s".repeat(upstreamStateAllowance - '{"state":""}'.length) }
} as const
