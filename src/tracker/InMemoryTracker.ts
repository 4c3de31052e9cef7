import { Effect, Layer } from "effect"
import { EventTracker, type EventTrackerService } from "./EventTracker.js"
import type { JobEvent } from "./JobEvent.js"

/** Reads what an in-memory tracker has recorded. */
export interface InMemoryTrackerHandle<E extends { readonly type: string } = JobEvent> {
  readonly getEvents: Effect.Effect<ReadonlyArray<E>>
  readonly getEventsByType: <T extends E["type"]>(type: T) => Effect.Effect<ReadonlyArray<Extract<E, { type: T }>>>
  readonly hasEvent: (type: E["type"]) => Effect.Effect<boolean>
  readonly clear: Effect.Effect<void>
}

/**
 * A tracker that keeps every event in memory, for tests. The events live in the returned
 * object, not in a layer build, so they outlast the per-call layer rebuilds of a jobs runtime.
 */
export const createInMemoryTracker = <E extends { readonly type: string } = JobEvent>(): {
  readonly tracker: EventTrackerService<E>
  readonly handle: InMemoryTrackerHandle<E>
} => {
  const events: Array<E> = []
  const tracker: EventTrackerService<E> = {
    emit: (event) => Effect.sync(() => void events.push(event)),
    // Nothing to deliver: the events are already where the reader looks.
    flush: () => Effect.void,
    pending: () => Effect.succeed(0)
  }
  const handle: InMemoryTrackerHandle<E> = {
    getEvents: Effect.sync(() => events.slice()),
    getEventsByType: <T extends E["type"]>(type: T) =>
      Effect.sync(() => events.filter((event): event is Extract<E, { type: T }> => event.type === type)),
    hasEvent: (type) => Effect.sync(() => events.some((event) => event.type === type)),
    clear: Effect.sync(() => void events.splice(0, events.length))
  }
  return { tracker, handle }
}

/** {@link createInMemoryTracker} as a layer providing {@link EventTracker}. */
export const createInMemoryTrackerLayer = <E extends { readonly type: string } = JobEvent>(): {
  readonly layer: Layer.Layer<EventTracker>
  readonly handle: InMemoryTrackerHandle<E>
} => {
  const { tracker, handle } = createInMemoryTracker<E>()
  return { layer: Layer.succeed(EventTracker, tracker), handle }
}
