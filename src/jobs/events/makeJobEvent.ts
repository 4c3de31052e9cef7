import { newEventId } from "../../event/eventId.js"
import { isoTimestamp } from "../../event/timestamp.js"
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
