import type { JobEventType } from "./JobEvent.js"

/**
 * The 20 event types, in the seed design's order. A list of its own, not read off the schema's
 * structs: what checks an event map or emits events then needs no `Schema` at run time, which
 * keeps a Worker bundle lean. The type below fails to compile when the list and the schema differ.
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
] as const satisfies ReadonlyArray<JobEventType>

type Listed = (typeof JobEventTypes)[number]
// Every schema type is listed (the `satisfies` above says every listed one is a schema type).
const everyTypeListed: [JobEventType] extends [Listed] ? true : never = true
void everyTypeListed
