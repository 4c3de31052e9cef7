/**
 * The workflow event format of upstream core, as `effect/Schema`: the 16 types with upstream's
 * field names and types, each a struct over upstream's base fields. `WorkflowEvent` is the event
 * as package code builds it; `WorkflowEventWire` as a tracker sends it (plus `env` and
 * `serviceKey`). Upstream types `eventId` and the times as plain strings; here they must also be
 * a UUID and ISO 8601 text, which is what upstream's own builder writes, so everything upstream
 * emits decodes here, and these events decode with upstream's schema.
 */

import { Schema } from "effect"
import { eventAsSentSchema, eventBatchSchema } from "../../event/decodeEventBatch.js"
import type { WorkflowEventType } from "./WorkflowEventTypes.js"

export { WorkflowEventTypes, type WorkflowEventType } from "./WorkflowEventTypes.js"

const IsoTime = Schema.String.pipe(
  Schema.filter((text) => !Number.isNaN(Date.parse(text)), { message: () => "an ISO 8601 time" })
)

/** A step's error: its message, and its stack when it had one. */
const StepError = Schema.Struct({ message: Schema.String, stack: Schema.optional(Schema.String) })
/** A workflow's error: as a step's, and the step and attempt it ended on when one did. */
const WorkflowError = Schema.Struct({
  message: Schema.String,
  stack: Schema.optional(Schema.String),
  stepName: Schema.optional(Schema.String),
  attempt: Schema.optional(Schema.Number)
})

const baseFields = {
  eventId: Schema.UUID,
  timestamp: IsoTime,
  source: Schema.Literal("workflow"),
  /** The Durable Object id. */
  workflowId: Schema.String,
  workflowName: Schema.String,
  executionId: Schema.optional(Schema.String)
}

// `type` first: a union picks the member to try by the first literal field of each struct that
// tells it from the members before it. With the constant `source` first, the first member would be
// filed under `source` alone and tried (and reported) for every event.
const event = <T extends WorkflowEventType, F extends Schema.Struct.Fields>(type: T, fields: F) =>
  Schema.Struct({ type: Schema.Literal(type), ...baseFields, ...fields })

const completedSteps = Schema.Array(Schema.String)

// the workflow
const WorkflowStarted = event("workflow.started", { input: Schema.Unknown })
const WorkflowQueued = event("workflow.queued", { input: Schema.Unknown })
const WorkflowCompleted = event("workflow.completed", { completedSteps, durationMs: Schema.Number })
const WorkflowFailed = event("workflow.failed", { error: WorkflowError, completedSteps })
const WorkflowPaused = event("workflow.paused", {
  reason: Schema.Literal("sleep", "retry"),
  resumeAt: Schema.optional(IsoTime),
  stepName: Schema.optional(Schema.String)
})
const WorkflowResumed = event("workflow.resumed", {})
const WorkflowCancelled = event("workflow.cancelled", { reason: Schema.optional(Schema.String), completedSteps })

// steps
const StepStarted = event("step.started", { stepName: Schema.String, attempt: Schema.Number })
const StepCompleted = event("step.completed", {
  stepName: Schema.String,
  attempt: Schema.Number,
  durationMs: Schema.Number,
  /** True when the result came from storage instead of a run. */
  cached: Schema.Boolean
})
const StepFailed = event("step.failed", {
  stepName: Schema.String,
  attempt: Schema.Number,
  error: StepError,
  willRetry: Schema.Boolean
})

// retries, sleeps, timeouts
const RetryScheduled = event("retry.scheduled", {
  stepName: Schema.String,
  attempt: Schema.Number,
  nextAttemptAt: IsoTime,
  delayMs: Schema.Number
})
const RetryExhausted = event("retry.exhausted", { stepName: Schema.String, attempts: Schema.Number })
const SleepStarted = event("sleep.started", { durationMs: Schema.Number, resumeAt: IsoTime })
const SleepCompleted = event("sleep.completed", { durationMs: Schema.Number })
const TimeoutSet = event("timeout.set", { stepName: Schema.String, deadline: IsoTime, timeoutMs: Schema.Number })
const TimeoutExceeded = event("timeout.exceeded", { stepName: Schema.String, timeoutMs: Schema.Number })

/**
 * A workflow event, as package code emits it: the union of the 16 types.
 *
 * @category Workflow events
 */
export const WorkflowEvent = Schema.Union(
  WorkflowStarted,
  WorkflowQueued,
  WorkflowCompleted,
  WorkflowFailed,
  WorkflowPaused,
  WorkflowResumed,
  WorkflowCancelled,
  StepStarted,
  StepCompleted,
  StepFailed,
  RetryScheduled,
  RetryExhausted,
  SleepStarted,
  SleepCompleted,
  TimeoutSet,
  TimeoutExceeded
)
export type WorkflowEvent = typeof WorkflowEvent.Type

// Every listed type has its struct (each struct's type is a listed one, by `event`'s signature).
const everyTypeHasAStruct: [WorkflowEventType] extends [WorkflowEvent["type"]] ? true : never = true
void everyTypeHasAStruct

/**
 * A workflow event as a tracker sends it: the event plus the deployment it came from.
 *
 * @category Workflow events
 */
export const WorkflowEventWire = eventAsSentSchema(WorkflowEvent)
export type WorkflowEventWire = typeof WorkflowEventWire.Type

/**
 * The body of one HTTP batch of workflow events: `{ "events": [...] }`.
 *
 * @category Workflow events
 */
export const WorkflowEventBatch = eventBatchSchema(WorkflowEvent)
export type WorkflowEventBatch = typeof WorkflowEventBatch.Type
