/**
 * durable-effect-tracking, runtime entry: the tracker services and the job event schema.
 * Everything here runs unchanged inside a Cloudflare Worker or Durable Object.
 */
export { EventTracker, emitEvent, flushEvents, getPendingEvents, type EventTrackerService } from "./tracker/EventTracker.js"
export { NoopTracker, NoopTrackerLayer, isNoopTracker } from "./tracker/NoopTracker.js"
export {
  createInMemoryTracker,
  createInMemoryTrackerLayer,
  type InMemoryTrackerHandle
} from "./tracker/InMemoryTracker.js"
export * from "./tracker/JobEvent.js"
