/**
 * Upstream core's own job event format, as `effect/Schema`: the 8 types with upstream's field
 * names and types, each a struct over upstream's base fields. `UpstreamJobEvent` is the event as
 * package code builds it; `UpstreamJobEventWire` as a tracker sends it (plus `env` and
 * `serviceKey`). Upstream types `eventId` and the times as plain strings; here they must also be
 * a UUID and ISO 8601 text, which is what upstream's own builder writes, so everything upstream
 * emits decodes here, and these events decode with upstream's schema.
 */

import { Schema } from "effect"
import { eventAsSentSchema, eventBatchSchema } from "../../event/decodeEventBatch.js"
import type { UpstreamJobEventType } from "./UpstreamJobEventTypes.js"

export { UpstreamJobEventTypes, type UpstreamJobEventType } from "./UpstreamJobEventTypes.js"

const IsoTime = Schema.String.pipe(
  Schema.filter((text) => !Number.isNaN(Date.parse(text)), { message: () => "an ISO 8601 time" })
)

/**
 * The four kinds of job, as upstream names them.
 *
 * @category Upstream job events
 */
export const UpstreamJobType = Schema.Literal("continuous", "debounce", "task", "workerPool")
export type UpstreamJobType = typeof UpstreamJobType.Type

/** An error as upstream's job events carry it: its message, and its stack when it had one. */
const UpstreamError = Schema.Struct({ message: Schema.String, stack: Schema.optional(Schema.String) })

const baseFields = {
  eventId: Schema.UUID,
  timestamp: IsoTime,
  source: Schema.Literal("job"),
  /** The Durable Object id. */
  instanceId: Schema.String,
  /** The id the user gave the instance, when known. */
  id: Schema.optional(Schema.String),
  jobType: UpstreamJobType,
  jobName: Schema.String
}

// `type` first: a union picks the member to try by the first literal field of each struct that
// tells it from the members before it. With the constant `source` first, the first member would be
// filed under `source` alone and tried (and reported) for every event.
const event = <T extends UpstreamJobEventType, F extends Schema.Struct.Fields>(type: T, fields: F) =>
  Schema.Struct({ type: Schema.Literal(type), ...baseFields, ...fields })

const JobStarted = event("job.started", { input: Schema.optional(Schema.Unknown) })
const JobExecuted = event("job.executed", {
  runCount: Schema.Number,
  durationMs: Schema.Number,
  attempt: Schema.Number,
  /** The state as loaded before the run. */
  preExecutionState: Schema.optional(Schema.Unknown)
})
const JobFailed = event("job.failed", {
  error: UpstreamError,
  runCount: Schema.Number,
  attempt: Schema.Number,
  willRetry: Schema.Boolean,
  preExecutionState: Schema.optional(Schema.Unknown)
})
const JobRetryExhausted = event("job.retryExhausted", {
  attempts: Schema.Number,
  reason: Schema.Literal("max_attempts", "max_duration")
})
const JobTerminated = event("job.terminated", { reason: Schema.optional(Schema.String), runCount: Schema.Number })
const DebounceStarted = event("debounce.started", { flushAt: IsoTime })
const DebounceFlushed = event("debounce.flushed", {
  eventCount: Schema.Number,
  reason: Schema.Literal("timeout", "maxEvents", "manual"),
  durationMs: Schema.Number
})
const TaskScheduled = event("task.scheduled", {
  scheduledAt: IsoTime,
  trigger: Schema.Literal("event", "execute", "idle", "error")
})

/**
 * An upstream job event, as package code emits it: the union of the 8 types.
 *
 * @category Upstream job events
 */
export const UpstreamJobEvent = Schema.Union(
  JobStarted,
  JobExecuted,
  JobFailed,
  JobRetryExhausted,
  JobTerminated,
  DebounceStarted,
  DebounceFlushed,
  TaskScheduled
)
export type UpstreamJobEvent = typeof UpstreamJobEvent.Type

// Every listed type has its struct (each struct's type is a listed one, by `event`'s signature).
const everyTypeHasAStruct: [UpstreamJobEventType] extends [UpstreamJobEvent["type"]] ? true : never = true
void everyTypeHasAStruct

/**
 * An upstream job event as a tracker sends it: the event plus the deployment it came from.
 *
 * @category Upstream job events
 */
export const UpstreamJobEventWire = eventAsSentSchema(UpstreamJobEvent)
export type UpstreamJobEventWire = typeof UpstreamJobEventWire.Type

/**
 * The body of one HTTP batch of upstream job events: `{ "events": [...] }`.
 *
 * @category Upstream job events
 */
export const UpstreamJobEventBatch = eventBatchSchema(UpstreamJobEvent)
export type UpstreamJobEventBatch = typeof UpstreamJobEventBatch.Type
