/**
 * durable-effect-tracking, runtime entry: the tracker services, the job event schema, event
 * vocabularies and the tracing proxies. Everything here runs unchanged inside a Cloudflare Worker or Durable Object.
 */

// Trackers
export {
  EventTracker,
  emitEvent,
  flushEvents,
  getPendingEvents,
  type EventTrackerService
} from "./tracker/EventTracker.js"
export { NoopTracker, isNoopTracker } from "./tracker/NoopTracker.js"
export {
  InMemoryTracker,
  type InMemoryTrackerHandle,
  type InMemoryTrackerInstance,
  type InMemoryTrackerOptions,
  type RecordedEvent,
  type RecordedOfType,
  type RefusedEvent
} from "./tracker/InMemoryTracker.js"
export type { TrackerVocabulariesOption, VocabularyGate } from "./delivery/EmitGate.js"
export { vocabularyGate } from "./delivery/VocabularyGate.js"
export {
  HttpBatchTracker,
  type HttpBatchTrackerDropped,
  type HttpBatchTrackerStats,
  type HttpDeliveryFailure
} from "./sinks/http/HttpBatchTracker.js"
export {
  HttpBatchTrackerDefaults,
  type HttpBatchTrackerConfig,
  type HttpBatchTrackerRetryConfig,
  type HttpFetch,
  type HttpRequestInit,
  type HttpResponseLike
} from "./sinks/http/HttpBatchTrackerConfig.js"
export { InvalidTrackerConfigError } from "./tracker/InvalidTrackerConfigError.js"
export {
  OutboxDefaults,
  type HttpBatchTrackerOutboxConfig,
  type OutboxMode,
  type OutboxStats
} from "./delivery/Outbox.js"
export { durableOutbox, type DurableOutbox, type HttpBatchTrackerOutboxOption } from "./delivery/DurableOutbox.js"
export { addTracker, resolveTrackerLayer, type TrackerOption } from "./instrument/addTracker.js"
export { QueueTracker, type QueueTrackerStats } from "./sinks/queue/QueueTracker.js"
export { QueueLimits, type EventWire, type QueueProducer, type SendFailure } from "./sinks/queue/QueueSink.js"
export { QueueTrackerDefaults, type QueueTrackerOptions } from "./sinks/queue/QueueTrackerOptions.js"

// The job event schema (the 20 event structs stay internal: `JobEvent` is their union)
export {
  JobEvent,
  JobEventBatch,
  JobEventTypes,
  JobEventWire,
  type JobEventType,
  type JobType
} from "./jobs/events/JobEvent.js"
export { makeJobEvent, type JobEventInput } from "./jobs/events/makeJobEvent.js"
export { jobEvents, type JobEvents } from "./jobs/events/jobEvents.js"
export { jobEventsWithSchema } from "./jobs/events/jobEventsWithSchema.js"
export {
  decodeJobEventBatch,
  JobEventBatchDecodeError,
  type JobEventBatchProblem
} from "./jobs/events/decodeJobEventBatch.js"
export {
  checkEventSequence,
  type SequenceEvent,
  type SequenceRule,
  type SequenceViolation
} from "./jobs/events/eventSequence.js"

// Vocabularies
export {
  defineVocabulary,
  type AnyVocabulary,
  type ContextKeyOf,
  type EventOf,
  type EventParts,
  type EventSeverity,
  type EventShape,
  type EventTypeOf,
  type RecipeFieldsOf,
  type Vocabulary,
  type VocabularyOptions
} from "./event/Vocabulary.js"
export type { ErrorSummary, FailureKind } from "./event/ErrorSummary.js"

// Instrumentation
export { withTracking, type EventMaps, type WithTrackingOptions } from "./instrument/withTracking.js"
export { trackExports, type TrackExportsOptions } from "./instrument/trackExports.js"
export { functionEvents, functionEventsByName, type FunctionEntriesOf } from "./instrument/functionEvents.js"
export { reachedEvents } from "./instrument/reachedFunctions.js"
export { watchArgCalls } from "./instrument/watchArgCalls.js"
export {
  eventMapProblems,
  extendEventMap,
  filterEventMap,
  InvalidEventMapError,
  omitEventFields,
  removeFromEventMap,
  serviceEvents,
  serviceEventsByKey,
  validateEventMap,
  withRequirements,
  type BlindSpot,
  type BlindSpots,
  type MapRequirements,
  type RecipeRequirement,
  type RecipeRequirements,
  type CallInfo,
  type EventMap,
  type FailureInfo,
  type FunctionEvents,
  type FunctionsEvents,
  type MethodEntriesOf,
  type MethodEvents,
  type Recipes,
  type Observed,
  type ArgCallLessons,
  type ReachedEvents,
  type ReachedMethodEvents,
  type ServiceEvents,
  type SuccessInfo,
  type WatchedCallInfo,
  type WatchedMethod,
  withLateFields
} from "./instrument/EventMap.js"
export { defaultJobsEventMap } from "./jobs/defaultJobsEventMap.js"
export { defaultJobsEventMapRequirements } from "./jobs/requirements.js"
export { inlineJobsEventMap } from "./jobs/inlineJobsEventMap.js"
export { droppedForLackOfContext } from "./instrument/drops.js"
export { describeCoverage, type CoverageReport } from "./instrument/coverage.js"
export {
  maxErrorMessageLength,
  maxErrorStackLength,
  summarizeError,
  summarizeFailure,
  type SummarizeErrorOptions
} from "./instrument/failure.js"
export type { CallContext, ContextOf } from "./instrument/CallContext.js"
export type { EventFields } from "./jobs/events/jobEvents.js"
export type { JobContext } from "./jobs/JobContext.js"

// === Vocabularies beyond the 20 job types: one self-contained block, kept last ===
// Vocabularies (decoding a batch of any vocabulary that carries its Schema)
export {
  decodeEventBatch,
  eventAsSentSchema,
  eventBatchSchema,
  EventBatchDecodeError,
  type EventAsSent,
  type EventBatchOf,
  type EventBatchProblem,
  type VocabularyWithSchema
} from "./event/decodeEventBatch.js"

// Upstream job events (upstream core's own job event format: 8 types; the Schema apart)
export {
  UpstreamJobEvent,
  UpstreamJobEventBatch,
  UpstreamJobEventTypes,
  UpstreamJobEventWire,
  UpstreamJobType,
  type UpstreamJobEventType
} from "./jobs/upstream/UpstreamJobEvent.js"
export { upstreamJobEvents, type UpstreamJobEvents } from "./jobs/upstream/upstreamJobEvents.js"
export {
  decodeUpstreamJobEventBatch,
  upstreamJobEventsWithSchema
} from "./jobs/upstream/upstreamJobEventsWithSchema.js"
export { largestUpstreamJobEvent, upstreamStateAllowance } from "./jobs/upstream/largestUpstreamJobEvent.js"
export { upstreamJobsEventMap } from "./jobs/upstream/upstreamJobsEventMap.js"

// Workflow events (upstream core's 16 workflow types; the Schema apart)
export {
  WorkflowEvent,
  WorkflowEventBatch,
  WorkflowEventTypes,
  WorkflowEventWire,
  type WorkflowEventType
} from "./workflow/events/WorkflowEvent.js"
export { workflowEvents, type WorkflowEvents } from "./workflow/events/workflowEvents.js"
export { decodeWorkflowEventBatch, workflowEventsWithSchema } from "./workflow/events/workflowEventsWithSchema.js"
export { largestWorkflowEvent, workflowStepsAllowance } from "./workflow/events/largestWorkflowEvent.js"
export { workflowEventMap } from "./workflow/workflowEventMap.js"
export { workflowCombinatorEvents } from "./workflow/workflowCombinatorEvents.js"
