import { Effect, Layer } from "effect"
import { EventTracker, type EventTrackerService } from "./EventTracker.js"

const NoopTrackerBrand: unique symbol = Symbol.for("durable-effect-tracking/NoopTracker")

const noopTracker = {
  [NoopTrackerBrand]: true,
  emit: () => Effect.void,
  flush: () => Effect.void,
  pending: () => Effect.succeed(0)
}

/**
 * The tracker that tracks nothing (`NoopTracker` is the tracker itself, as `X.make()` would
 * return it), and `NoopTracker.layer`, the `Layer.Layer<EventTracker>` providing it: tracking
 * off. The layer is a value, not a function: there is nothing to configure, and every use shares
 * the one tracker. Instrumentation recognises it and skips all work.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { emitEvent, makeJobEvent, NoopTracker } from "durable-effect-tracking"
 *
 * // Emitting with the no-op tracker in context does nothing, and never fails.
 * const program = emitEvent(makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "orders" }))
 * export const run = () => Effect.runPromise(program.pipe(Effect.provide(NoopTracker.layer)))
 * ```
 *
 * @category Trackers
 */
export const NoopTracker: EventTrackerService<unknown> & { readonly layer: Layer.Layer<EventTracker> } = Object.freeze(
  // The layer provides this very object, so `isNoopTracker` and identity checks both hold.
  Object.assign(noopTracker, { layer: Layer.succeed(EventTracker, noopTracker as EventTrackerService<unknown>) })
)

/**
 * True for the no-op tracker, also one from another copy of this library (the brand is a
 * registered symbol, so it survives duplicated installs).
 *
 * @category Trackers
 */
export const isNoopTracker = (tracker: unknown): boolean =>
  typeof tracker === "object" && tracker !== null && (tracker as Record<symbol, unknown>)[NoopTrackerBrand] === true
