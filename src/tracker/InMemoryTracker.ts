import { Effect, Layer } from "effect"
import { EventTracker, type EventTrackerService } from "./EventTracker.js"
import type { JobEvent } from "./JobEvent.js"

/**
 * Reads what an in-memory tracker has recorded.
 *
 * @category Trackers
 */
export interface InMemoryTrackerHandle<E extends { readonly type: string } = JobEvent> {
  readonly getEvents: Effect.Effect<ReadonlyArray<E>>
  readonly getEventsByType: <T extends E["type"]>(type: T) => Effect.Effect<ReadonlyArray<Extract<E, { type: T }>>>
  readonly hasEvent: (type: E["type"]) => Effect.Effect<boolean>
  readonly clear: Effect.Effect<void>
}

/**
 * A tracker that keeps every event in memory, for tests. The events live in the returned
 * object, not in a layer build, so they outlast the per-call layer rebuilds of a jobs runtime.
 *
 * @deprecated Use `InMemoryTracker.make()`; this name is kept until 1.0.
 * @category Trackers
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

/**
 * {@link createInMemoryTracker} as a layer providing {@link EventTracker}.
 *
 * @deprecated Use `InMemoryTracker.layer()`; this name is kept until 1.0.
 * @category Trackers
 */
export const createInMemoryTrackerLayer = <E extends { readonly type: string } = JobEvent>(): {
  readonly layer: Layer.Layer<EventTracker>
  readonly handle: InMemoryTrackerHandle<E>
} => {
  const { tracker, handle } = createInMemoryTracker<E>()
  return { layer: Layer.succeed(EventTracker, tracker), handle }
}

/**
 * A tracker that keeps every event in memory, for tests. `make()` returns the tracker and a
 * `handle` to read its events; `layer()` returns a layer providing {@link EventTracker} and the
 * handle. The events live outside any layer build, so they outlast the per-call layer rebuilds
 * of a jobs runtime.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { emitEvent, InMemoryTracker, makeJobEvent } from "durable-effect-tracking"
 *
 * const { layer, handle } = InMemoryTracker.layer()
 * const program = Effect.gen(function* () {
 *   yield* emitEvent(makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "orders" }))
 *   return yield* handle.getEventsByType("job.created")
 * })
 * export const created = () => Effect.runPromise(program.pipe(Effect.provide(layer)))
 * ```
 *
 * @category Trackers
 */
export const InMemoryTracker = {
  make: createInMemoryTracker,
  layer: createInMemoryTrackerLayer
} as const
