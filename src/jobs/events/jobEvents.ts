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
import type { EventParts, EventSeverity, RecipeFieldsOf, Vocabulary } from "../../event/Vocabulary.js"
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

const jobContext = ["instanceId", "jobType", "jobName"] as const
const jobTypes: ReadonlySet<string> = new Set(JobEventTypes)
const jobAttributeNames: Readonly<Record<string, string | undefined>> = {
  instanceId: "job.instanceId",
  jobType: "job.type",
  jobName: "job.name"
}
const jobSeverities: Readonly<Record<string, EventSeverity | undefined>> = {
  "job.failed": "error",
  "retry.exhausted": "error",
  "execution.failed": "warn"
}

/**
 * The job event vocabulary: `JobEventTypes`, each event about one job (`instanceId`, `jobType`,
 * `jobName`, as span attributes `job.instanceId`, `job.type`, `job.name`). The jobs event maps
 * carry it; a map of one's own for job events is written with it
 * (`serviceEvents(jobEvents, Tag, "Name", entries)`).
 *
 * Written out rather than made by `defineVocabulary`, so that a jobs Worker does not bundle the
 * generic builder and option handling it never runs; a test checks it behaves as
 * `defineVocabulary` with these options would (name, lists, attribute names, severities,
 * `accepts`).
 *
 * @category The job event schema
 */
export const jobEvents: Vocabulary<JobEvent, "instanceId" | "jobType" | "jobName", "eventId" | "timestamp"> = {
  name: "jobs",
  types: [...JobEventTypes],
  context: [...jobContext],
  optionalContext: [],
  constants: {},
  build: buildJobEvent,
  schema: undefined,
  largestEvent: largestJobEvent,
  // Other fields, in log records: `job.<field>` (`job.run_count`).
  attributeName: (key) => jobAttributeNames[key] ?? `job.${key}`,
  hasType: (type) => jobTypes.has(type),
  severity: (type) => jobSeverities[type] ?? "info",
  accepts: (event): event is JobEvent => {
    if (typeof event !== "object" || event === null) return false
    const record = event as Record<string, unknown>
    if (typeof record["type"] !== "string" || !jobTypes.has(record["type"])) return false
    for (let i = 0; i < jobContext.length; i++) if (record[jobContext[i]!] === undefined) return false
    // Not upstream core's format, which has `job.started`, `job.failed` and `job.terminated` too,
    // each with `source: "job"` (and a runCount on job.terminated). Of the 20 types only
    // job.terminated has a `source` (who ended the job, maybe "job"), and never a runCount.
    return record["source"] !== "job" || (record["type"] === "job.terminated" && record["runCount"] === undefined)
  }
}

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
