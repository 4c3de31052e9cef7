/**
 * The job event schema: 20 event types in six groups, each a struct over the base fields.
 * `JobEvent` is what instrumentation emits; `JobEventWire` is what a tracker sends (the same
 * event plus `env` and `serviceKey`, added at send time). Both decode with `effect/Schema`.
 */

import { Schema } from "effect"
import { ErrorSummary, FailureKind } from "../../event/ErrorSummary.js"
import type { JobEventType } from "./JobEventTypes.js"

export { JobEventTypes, type JobEventType } from "./JobEventTypes.js"

export const JobTypeSchema = Schema.Literal("continuous", "debounce", "task", "workerPool")
/**
 * The four kinds of job: continuous, debounce, task and worker pool.
 *
 * @category The job event schema
 */
export type JobType = typeof JobTypeSchema.Type

const IsoTimestamp = Schema.String.pipe(
  Schema.filter((s) => !Number.isNaN(Date.parse(s)), { message: () => "an ISO 8601 timestamp" })
)
const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative())
const NonNegative = Schema.Number.pipe(Schema.nonNegative())

export const BaseEventFields = {
  eventId: Schema.UUID,
  timestamp: IsoTimestamp,
  instanceId: Schema.String,
  jobType: JobTypeSchema,
  jobName: Schema.String
}

const event = <T extends JobEventType, F extends Schema.Struct.Fields>(type: T, fields: F) =>
  Schema.Struct({ ...BaseEventFields, type: Schema.Literal(type), ...fields })

const failureFields = {
  error: ErrorSummary,
  failure: Schema.optional(FailureKind)
}

// lifecycle
export const JobCreated = event("job.created", {})
export const JobStarted = event("job.started", {})
export const JobCompleted = event("job.completed", { durationMs: Schema.optional(NonNegative) })
export const JobFailed = event("job.failed", failureFields)
export const JobTerminated = event("job.terminated", {
  reason: Schema.optional(Schema.String),
  source: Schema.optional(Schema.Literal("client", "job", "retryExhausted"))
})

// execution
export const ExecutionStarted = event("execution.started", {
  runCount: Schema.optional(NonNegativeInt),
  attempt: Schema.optional(NonNegativeInt)
})
export const ExecutionSucceeded = event("execution.succeeded", {
  runCount: Schema.optional(NonNegativeInt),
  attempt: Schema.optional(NonNegativeInt),
  durationMs: NonNegative
})
export const ExecutionFailed = event("execution.failed", {
  runCount: Schema.optional(NonNegativeInt),
  attempt: Schema.optional(NonNegativeInt),
  durationMs: NonNegative,
  willRetry: Schema.optional(Schema.Boolean),
  ...failureFields
})

// retry
export const RetryScheduled = event("retry.scheduled", {
  attempt: NonNegativeInt,
  resumeAt: IsoTimestamp,
  error: Schema.optional(ErrorSummary)
})
export const RetryAttempted = event("retry.attempted", { attempt: NonNegativeInt })
export const RetryExhausted = event("retry.exhausted", {
  attempts: NonNegativeInt,
  totalDurationMs: Schema.optional(NonNegative),
  reason: Schema.optional(Schema.String),
  error: Schema.optional(ErrorSummary)
})

// alarm
export const AlarmScheduled = event("alarm.scheduled", { scheduledAt: IsoTimestamp })
export const AlarmFired = event("alarm.fired", { scheduledAt: Schema.optional(IsoTimestamp) })
export const AlarmCancelled = event("alarm.cancelled", {})

// task
export const TaskEventReceived = event("task.event.received", {})
export const TaskEventProcessed = event("task.event.processed", {
  durationMs: Schema.optional(NonNegative),
  outcome: Schema.optional(Schema.Literal("success", "failure"))
})
export const TaskIdle = event("task.idle", {})

// debounce
export const DebounceFlushReason = Schema.Literal("maxEvents", "flushAfter", "manual")
export const DebounceEventAdded = event("debounce.event.added", { eventCount: Schema.optional(NonNegativeInt) })
export const DebounceFlushTriggered = event("debounce.flush.triggered", {
  reason: DebounceFlushReason,
  eventCount: Schema.optional(NonNegativeInt)
})
export const DebounceCleared = event("debounce.cleared", { discardedEvents: Schema.optional(NonNegativeInt) })

/** Every event schema, grouped as the seed design groups them. */
export const JobEventGroups = {
  lifecycle: [JobCreated, JobStarted, JobCompleted, JobFailed, JobTerminated],
  execution: [ExecutionStarted, ExecutionSucceeded, ExecutionFailed],
  retry: [RetryScheduled, RetryAttempted, RetryExhausted],
  alarm: [AlarmScheduled, AlarmFired, AlarmCancelled],
  task: [TaskEventReceived, TaskEventProcessed, TaskIdle],
  debounce: [DebounceEventAdded, DebounceFlushTriggered, DebounceCleared]
} as const

/**
 * A job event, as instrumentation emits it: the union of the 20 event types.
 *
 * @category The job event schema
 */
export const JobEvent = Schema.Union(
  ...JobEventGroups.lifecycle,
  ...JobEventGroups.execution,
  ...JobEventGroups.retry,
  ...JobEventGroups.alarm,
  ...JobEventGroups.task,
  ...JobEventGroups.debounce
)
export type JobEvent = typeof JobEvent.Type

// Every listed type has its struct (each struct's type is a listed one, by `event`'s signature).
const everyTypeHasAStruct: [JobEventType] extends [JobEvent["type"]] ? true : never = true
void everyTypeHasAStruct

/**
 * An event as a tracker sends it: the event plus the deployment it came from.
 *
 * @category The job event schema
 */
export const JobEventWire = Schema.extend(JobEvent, Schema.Struct({ env: Schema.String, serviceKey: Schema.String }))
export type JobEventWire = typeof JobEventWire.Type

/**
 * The body of one HTTP batch: `{ "events": [...] }`.
 *
 * @category The job event schema
 */
export const JobEventBatch = Schema.Struct({ events: Schema.Array(JobEventWire) })
export type JobEventBatch = typeof JobEventBatch.Type
