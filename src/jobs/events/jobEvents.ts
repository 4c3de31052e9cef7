/**
 * The job event vocabulary: the 20 types, the job each event describes (instance, type, name),
 * and how an event is built. What the jobs maps carry and trackers of job events are told.
 *
 * No `effect/Schema` here: this module is on the path of every traced call, and a Worker bundle
 * of a jobs user must not carry the Schema module for it. `jobEventsWithSchema` (its own module)
 * adds the schema where events are decoded.
 */

import { newEventId } from "../../event/eventId.js"
import { isoTimestamp } from "../../event/timestamp.js"
import { defineVocabulary, type EventParts, type RecipeFieldsOf } from "../../event/Vocabulary.js"
import type { JobEvent } from "./JobEvent.js"
import { JobEventTypes, type JobEventType } from "./JobEventTypes.js"
import { largestJobEvent } from "./largestJobEvent.js"

// One event in one object, no intermediate copies, its keys in the order events have always had:
// id, timestamp, the recipe's fields, then type and job.
const buildJobEvent = ({ type, fields, context, timestampMs }: EventParts): JobEvent => {
  const event: Record<string, unknown> = { eventId: newEventId(), timestamp: isoTimestamp(timestampMs) }
  Object.assign(event, fields)
  event["type"] = type
  event["instanceId"] = context["instanceId"]
  event["jobType"] = context["jobType"]
  event["jobName"] = context["jobName"]
  return event as unknown as JobEvent
}

/**
 * The job event vocabulary: `JobEventTypes`, each event about one job (`instanceId`, `jobType`,
 * `jobName`, as span attributes `job.instanceId`, `job.type`, `job.name`). The jobs event maps
 * carry it; a map of one's own for job events is written with it
 * (`serviceEvents(jobEvents, Tag, "Name", entries)`).
 *
 * @category The job event schema
 */
export const jobEvents = defineVocabulary<JobEvent, "instanceId" | "jobType" | "jobName">({
  name: "jobs",
  types: JobEventTypes,
  context: ["instanceId", "jobType", "jobName"],
  // Other fields, in log records: `job.<field>` (`job.run_count`).
  attributePrefix: "job",
  attributeNames: { instanceId: "job.instanceId", jobType: "job.type", jobName: "job.name" },
  severities: { "job.failed": "error", "retry.exhausted": "error", "execution.failed": "warn" },
  largestEvent: largestJobEvent,
  build: buildJobEvent
})

/**
 * The job event vocabulary's type.
 *
 * @category The job event schema
 */
export type JobEvents = typeof jobEvents

/**
 * The fields a recipe gives for a job event of type `T`: the event's own, plus the job fields it
 * knows better.
 *
 * @category Instrumentation
 */
export type EventFields<T extends JobEventType> = RecipeFieldsOf<JobEvents, T>
