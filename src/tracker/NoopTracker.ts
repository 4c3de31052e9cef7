import { Effect, Layer } from "effect"
import { EventTracker, type EventTrackerService } from "./EventTracker.js"

const NoopTrackerBrand: unique symbol = Symbol.for("durable-effect-tracking/NoopTracker")

/** The tracker that tracks nothing. Instrumentation recognises it and skips all work. */
export const NoopTracker: EventTrackerService<unknown> = Object.freeze({
  [NoopTrackerBrand]: true,
  emit: () => Effect.void,
  flush: () => Effect.void,
  pending: () => Effect.succeed(0)
})

/**
 * True for the no-op tracker, also one from another copy of this library (the brand is a
 * registered symbol, so it survives duplicated installs).
 */
export const isNoopTracker = (tracker: unknown): boolean =>
  typeof tracker === "object" && tracker !== null && (tracker as Record<symbol, unknown>)[NoopTrackerBrand] === true

/** The default tracker layer: tracking off. */
export const NoopTrackerLayer: Layer.Layer<EventTracker> = Layer.succeed(EventTracker, NoopTracker)
