/**
 * The 20 event types, in the seed design's order. A list of its own, not read off the schema's
 * structs: what checks an event map or emits events then needs no `Schema` at run time, which
 * keeps a Worker bundle lean. The base of the schema: `JobEvent.ts` builds on it, and fails to
 * compile when its structs and this list differ.
 *
 * @category The job event schema
 */
export const JobEventTypes = [
  "job.created",
  "job.started",
  "job.completed",
  "job.failed",
  "job.terminated",
  "execution.started",
  "execution.succeeded",
  "execution.failed",
  "retry.scheduled",
  "retry.attempted",
  "retry.exhausted",
  "alarm.scheduled",
  "alarm.fired",
  "alarm.cancelled",
  "task.event.received",
  "task.event.processed",
  "task.idle",
  "debounce.event.added",
  "debounce.flush.triggered",
  "debounce.cleared"
] as const

/**
 * The `type` of a job event, one of the 20 ({@link JobEventTypes} lists them).
 *
 * @category The job event schema
 */
export type JobEventType = (typeof JobEventTypes)[number]
