/**
 * The README's promises about types, checked by the compiler: this file is not run by vitest
 * (its assertions are types), it is type-checked by `npm run typecheck` (tsconfig includes
 * test/), which `npm test` runs first. A broken promise is a compile error there.
 */
import { Effect, Layer } from "effect"
import { expectTypeOf } from "vitest"
import type { RuntimeLayer } from "@durable-effect/core"
import {
  addTracker,
  emitEvent,
  EventTracker,
  flushEvents,
  HttpBatchTracker,
  InMemoryTracker,
  makeJobEvent,
  NoopTracker,
  serviceEvents,
  withTracking,
  type EventMap,
  type JobEvent,
  type TrackerOption,
  jobEvents
} from "durable-effect-tracking"
import { MetadataService, RuntimeServicesLayer } from "../fixtures/jobs/src/services/index.js"

declare const core: RuntimeLayer
declare const eventMap: EventMap

// "withTracking(layer, { eventMap }) returns a layer of exactly the same type"
expectTypeOf(withTracking(RuntimeServicesLayer, { eventMap })).toEqualTypeOf<typeof RuntimeServicesLayer>()
expectTypeOf(withTracking(RuntimeServicesLayer, { eventMap, spans: true, enabled: false })).toEqualTypeOf<
  typeof RuntimeServicesLayer
>()

// addTracker puts the tracker under the core layer without changing its type
expectTypeOf(addTracker(core)).toEqualTypeOf<RuntimeLayer>()

// A tracker option (or none, as above) is an HTTP batch tracker config, a tracker layer or a tracker object
expectTypeOf({
  endpoint: "https://collector.example.com",
  env: "production",
  serviceKey: "jobs"
}).toExtend<TrackerOption>()
expectTypeOf(NoopTracker.layer).toExtend<TrackerOption>()
expectTypeOf(InMemoryTracker.make().tracker).toExtend<TrackerOption>()
expectTypeOf<{ endpoint: string }>().not.toExtend<TrackerOption>()

// Every tracker constructor gives a layer providing EventTracker and needing nothing
expectTypeOf(NoopTracker.layer).toEqualTypeOf<Layer.Layer<EventTracker>>()
expectTypeOf(InMemoryTracker.layer(InMemoryTracker.make())).toEqualTypeOf<Layer.Layer<EventTracker>>()
expectTypeOf(HttpBatchTracker.layer).returns.toEqualTypeOf<Layer.Layer<EventTracker>>()
expectTypeOf(HttpBatchTracker.layerPerBuild).returns.toEqualTypeOf<Layer.Layer<EventTracker>>()

// "emitEvent, flushEvents: never fail", and need no tracker in context
const created = makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "orders" })
expectTypeOf(emitEvent(created)).toEqualTypeOf<Effect.Effect<void>>()
expectTypeOf(flushEvents).toEqualTypeOf<Effect.Effect<void>>()

// makeJobEvent fills eventId and timestamp, and the result is a JobEvent
expectTypeOf(created).toExtend<JobEvent>()
expectTypeOf(created.eventId).toBeString()
// @ts-expect-error: "job.retry" is not one of the 20 event types
makeJobEvent({ type: "job.retry", instanceId: "i-1", jobType: "task", jobName: "orders" })

// The in-memory handle narrows events by type
expectTypeOf(InMemoryTracker.make<JobEvent>().handle.getEventsByType("retry.attempted")).toEqualTypeOf<
  Effect.Effect<Array<Extract<JobEvent, { type: "retry.attempted" }>>>
>()

// "serviceEvents: typed against the service's tag: a misspelt method does not compile"
serviceEvents(jobEvents, MetadataService, "MetadataService", {
  setStopReason: { success: { "job.terminated": ({ args: [reason] }) => ({ reason, source: "job" }) } }
})
serviceEvents(jobEvents, MetadataService, "MetadataService", {
  // @ts-expect-error: MetadataService has no method "setStopReasn"
  setStopReasn: { success: { "job.terminated": () => ({}) } }
})
serviceEvents(jobEvents, MetadataService, "MetadataService", {
  // @ts-expect-error: a job.terminated source is "client", "job" or "retryExhausted"
  setStopReason: { success: { "job.terminated": () => ({ source: "somewhere" }) } }
})
