/**
 * The largest job event: what a tracker's byte limits must hold for no job event to be cut or
 * dropped. Built from the generic error summary caps.
 */

import { errorSummaryAtCaps, largestName as name } from "../../event/eventBounds.js"

/**
 * The largest event the jobs instrumentation emits with names of 64 characters and ASCII text:
 * an `execution.failed` with every field set, its error summary at its caps (message, cause and
 * the opt-in stack, each cut and ending in "…") and the largest numbers. Text of multi-byte
 * characters takes more bytes; a tracker cuts it to fit its `maxEventBytes` (it is not dropped).
 */
export const largestJobEvent = {
  eventId: "00000000-0000-7000-8000-000000000000",
  timestamp: "2026-01-01T00:00:00.000Z",
  instanceId: name,
  jobType: "workerPool",
  jobName: name,
  type: "execution.failed",
  runCount: Number.MAX_SAFE_INTEGER,
  attempt: Number.MAX_SAFE_INTEGER,
  durationMs: Number.MAX_VALUE,
  willRetry: false,
  failure: "interrupted",
  error: errorSummaryAtCaps
} as const
