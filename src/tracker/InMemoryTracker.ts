import { Effect, Layer } from "effect"
import { EventTracker, type EventTrackerService } from "./EventTracker.js"
import type { JobEvent } from "../event/JobEvent.js"

/**
 * Reads what an in-memory tracker has recorded. Each member is a function returning an Effect,
 * as on the in-memory tracker of `@durable-effect/core` that jobs tests already use.
 *
 * @category Trackers
 */
export interface InMemoryTrackerHandle<E extends { readonly type: string } = JobEvent> {
  readonly getEvents: () => Effect.Effect<Array<E>>
  readonly getEventsByType: <T extends E["type"]>(type: T) => Effect.Effect<Array<Extract<E, { type: T }>>>
  readonly hasEvent: (type: E["type"]) => Effect.Effect<boolean>
  readonly clear: () => Effect.Effect<void>
}

/**
 * What {@link createInMemoryTracker} returns: the tracker (also as `service`, core's name for it)
 * and its handle. It can also be `yield*`ed in `Effect.gen`, where it gives itself, so a test
 * written against core's `yield* createInMemoryTracker()` runs unchanged.
 *
 * @category Trackers
 */
export interface InMemoryTrackerInstance<E extends { readonly type: string } = JobEvent> {
  readonly tracker: EventTrackerService<E>
  readonly service: EventTrackerService<E>
  readonly handle: InMemoryTrackerHandle<E>
  [Symbol.iterator](): Effect.EffectGenerator<Effect.Effect<InMemoryTrackerInstance<E>>>
}

/**
 * {@link createInMemoryTrackerLayer}'s result, `yield*`-able the same way.
 *
 * @category Trackers
 */
export interface InMemoryTrackerWithLayer<E extends { readonly type: string } = JobEvent> {
  readonly layer: Layer.Layer<EventTracker>
  readonly handle: InMemoryTrackerHandle<E>
  [Symbol.iterator](): Effect.EffectGenerator<Effect.Effect<InMemoryTrackerWithLayer<E>>>
}

// `yield* value` in Effect.gen runs the Effect the value's iterator yields: here, the value itself.
const yieldingItself = <A extends object>(value: Omit<A, typeof Symbol.iterator>): A =>
  Object.assign(value, { [Symbol.iterator]: () => Effect.succeed(value)[Symbol.iterator]() }) as unknown as A

/**
 * A tracker that keeps every event in memory, for tests. The events live in the returned
 * object, not in a layer build, so they outlast the per-call layer rebuilds of a jobs runtime.
 *
 * @deprecated Use `InMemoryTracker.make()`; this name is kept until 1.0.
 * @category Trackers
 */
export const createInMemoryTracker = <E extends { readonly type: string } = JobEvent>(): InMemoryTrackerInstance<E> => {
  const events: Array<E> = []
  const tracker: EventTrackerService<E> = {
    emit: (event) => Effect.sync(() => void events.push(event)),
    // Nothing to deliver: the events are already where the reader looks.
    flush: () => Effect.void,
    pending: () => Effect.succeed(0)
  }
  const handle: InMemoryTrackerHandle<E> = {
    getEvents: () => Effect.sync(() => events.slice()),
    getEventsByType: <T extends E["type"]>(type: T) =>
      Effect.sync(() => events.filter((event): event is Extract<E, { type: T }> => event.type === type)),
    hasEvent: (type) => Effect.sync(() => events.some((event) => event.type === type)),
    clear: () => Effect.sync(() => void events.splice(0, events.length))
  }
  return yieldingItself<InMemoryTrackerInstance<E>>({ tracker, service: tracker, handle })
}

/**
 * {@link createInMemoryTracker} as a layer providing {@link EventTracker}.
 *
 * @deprecated Use `InMemoryTracker.layer()`; this name is kept until 1.0.
 * @category Trackers
 */
export const createInMemoryTrackerLayer = <
  E extends { readonly type: string } = JobEvent
>(): InMemoryTrackerWithLayer<E> => {
  const { tracker, handle } = createInMemoryTracker<E>()
  return yieldingItself<InMemoryTrackerWithLayer<E>>({
    layer: Layer.succeed(EventTracker, tracker as EventTrackerService),
    handle
  })
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
