import { newEventId } from "./eventId.js"
import { isoTimestamp } from "./timestamp.js"
import type { JobEvent } from "./JobEvent.js"
import type { JobEventType } from "./JobEventTypes.js"

/**
 * The fields a caller gives for an event of type `T`: everything but id and timestamp.
 *
 * @category The job event schema
 */
export type JobEventInput<T extends JobEventType = JobEventType> = T extends JobEventType
  ? Omit<Extract<JobEvent, { type: T }>, "eventId" | "timestamp">
  : never

/**
 * Builds an event, filling `eventId` (UUIDv7, time-ordered) and `timestamp`.
 *
 * @category The job event schema
 */
export const makeJobEvent = <I extends JobEventInput>(
  input: I,
  nowMs: number = Date.now()
): I & {
  readonly eventId: string
  readonly timestamp: string
} => Object.assign({ eventId: newEventId(), timestamp: isoTimestamp(nowMs) }, input)

/**
 * One event from a recipe's fields and the job it describes, in one object (no intermediate
 * copies): id, timestamp, the fields, then type and job.
 */
export const makeJobEventFrom = (
  fields: Readonly<Record<string, unknown>>,
  type: string,
  instanceId: string,
  jobType: string,
  jobName: string,
  nowMs: number
): JobEvent => {
  const event: Record<string, unknown> = { eventId: newEventId(), timestamp: isoTimestamp(nowMs) }
  Object.assign(event, fields)
  event["type"] = type
  event["instanceId"] = instanceId
  event["jobType"] = jobType
  event["jobName"] = jobName
  return event as unknown as JobEvent
}
