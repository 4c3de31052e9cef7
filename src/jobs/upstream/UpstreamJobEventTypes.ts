/**
 * The 8 job event types of upstream core's own format (`@durable-effect/core` events, jobs
 * release 77953cd), in upstream's order. A list of its own, without `effect/Schema`, for what
 * checks maps and builds events at run time; `UpstreamJobEvent.ts` fails to compile when its
 * structs and this list differ.
 *
 * @category Upstream job events
 */
export const UpstreamJobEventTypes = [
  "job.started",
  "job.executed",
  "job.failed",
  "job.retryExhausted",
  "job.terminated",
  "debounce.started",
  "debounce.flushed",
  "task.scheduled"
] as const

/**
 * The `type` of an upstream job event, one of the 8 ({@link UpstreamJobEventTypes}).
 *
 * @category Upstream job events
 */
export type UpstreamJobEventType = (typeof UpstreamJobEventTypes)[number]
