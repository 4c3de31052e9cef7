import { Effect, Layer } from "effect"
import { EventTracker, type EventTrackerService } from "./EventTracker.js"
import type { JobEvent } from "../jobs/events/JobEvent.js"

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
 * What `InMemoryTracker.make()` returns: the tracker (also as `service`, core's name for it) and
 * its handle. It can also be `yield*`ed in `Effect.gen`, where it gives itself, so a test
 * written against core's `yield* createInMemoryTracker()` reads the same.
 *
 * @category Trackers
 */
export interface InMemoryTrackerInstance<E extends { readonly type: string } = JobEvent> {
  readonly tracker: EventTrackerService<E>
  readonly service: EventTrackerService<E>
  readonly handle: InMemoryTrackerHandle<E>
  [Symbol.iterator](): Effect.EffectGenerator<Effect.Effect<InMemoryTrackerInstance<E>>>
}

const make = <E extends { readonly type: string } = JobEvent>(): InMemoryTrackerInstance<E> => {
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
  const instance = { tracker, service: tracker, handle }
  // `yield* instance` in Effect.gen runs the Effect its iterator yields: here, the instance itself.
  return Object.assign(instance, {
    [Symbol.iterator]: () => Effect.succeed(instance)[Symbol.iterator]()
  }) as unknown as InMemoryTrackerInstance<E>
}

const layer = <E extends { readonly type: string }>(memory: {
  readonly tracker: EventTrackerService<E>
}): Layer.Layer<EventTracker> => Layer.succeed(EventTracker, memory.tracker as unknown as EventTrackerService)

/**
 * A tracker that keeps every event in memory, for tests. `make()` returns the tracker and a
 * `handle` to read its events; `layer(memory)` is the layer providing that tracker as
 * {@link EventTracker}. The events live in what `make()` returned, not in a layer build, so they
 * outlast the per-call layer rebuilds of a jobs runtime.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { emitEvent, InMemoryTracker, makeJobEvent } from "durable-effect-tracking"
 *
 * const memory = InMemoryTracker.make()
 * const program = Effect.gen(function* () {
 *   yield* emitEvent(makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "orders" }))
 *   return yield* memory.handle.getEventsByType("job.created")
 * })
 * export const created = () => Effect.runPromise(program.pipe(Effect.provide(InMemoryTracker.layer(memory))))
 * ```
 *
 * @category Trackers
 */
export const InMemoryTracker: {
  /** A fresh tracker and the handle that reads its events. */
  readonly make: <E extends { readonly type: string } = JobEvent>() => InMemoryTrackerInstance<E>
  /** The layer providing `memory`'s tracker as {@link EventTracker}. */
  readonly layer: <E extends { readonly type: string }>(memory: {
    readonly tracker: EventTrackerService<E>
  }) => Layer.Layer<EventTracker>
} = { make, layer }
