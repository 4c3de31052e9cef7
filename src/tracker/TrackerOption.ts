import { Effect, Layer } from "effect"
import { EventTracker } from "./EventTracker.js"
import { sharedHttpBatchTrackerLayer } from "./HttpBatchTracker.js"
import { type HttpBatchTrackerConfig, InvalidTrackerConfigError } from "./HttpBatchTrackerConfig.js"
import { NoopTracker, NoopTrackerLayer } from "./NoopTracker.js"
import type { HttpBatchTrackerOutboxOption } from "./Outbox.js"

/**
 * How a user picks a tracker: an HTTP batch tracker configuration (optionally with a durable
 * `outbox`), or any tracker layer.
 */
export type TrackerOption = (HttpBatchTrackerConfig & HttpBatchTrackerOutboxOption) | Layer.Layer<EventTracker>

/**
 * The tracker layer for an option: none gives the no-op tracker (tracking off), a layer is
 * used as given, a configuration gives an HTTP batch tracker.
 *
 * For a configuration, one tracker is created here and shared by every build of the returned
 * layer, so events a call could not deliver are retried by the next call's flush (a jobs
 * runtime rebuilds its layers per call). Call this once per runtime, not per call.
 * With `outbox`, each build hands that tracker the `StorageAdapter` of the context it is built
 * in, so provide the core layer to it: `resolveTrackerLayer(option).pipe(Layer.provideMerge(coreLayer))`.
 *
 * A configuration that cannot work (see {@link InvalidTrackerConfigError}) does not throw: the
 * jobs must run whatever their tracking option says. Tracking is off, and the first build says
 * why with `Effect.logError` (naming fields, never their values).
 */
export const resolveTrackerLayer = (option?: TrackerOption): Layer.Layer<EventTracker> => {
  if (option === undefined) return NoopTrackerLayer
  if (Layer.isLayer(option)) return option as Layer.Layer<EventTracker>
  if (typeof option !== "object" || option === null) {
    return trackingDisabled(
      new InvalidTrackerConfigError({
        issues: ["the tracker option must be an HTTP tracker configuration or a Layer providing EventTracker"]
      })
    )
  }
  try {
    return sharedHttpBatchTrackerLayer(option as HttpBatchTrackerConfig & HttpBatchTrackerOutboxOption)
  } catch (error) {
    if (error instanceof InvalidTrackerConfigError) return trackingDisabled(error)
    throw error
  }
}

// The no-op tracker, with the reason reported once per runtime rather than on every call.
const trackingDisabled = (error: InvalidTrackerConfigError): Layer.Layer<EventTracker> => {
  let reported = false
  return Layer.effect(
    EventTracker,
    Effect.suspend(() => {
      if (reported) return Effect.succeed(NoopTracker)
      reported = true
      return Effect.as(Effect.logError(`durable-effect-tracking: tracking is off. ${error.message}`), NoopTracker)
    })
  )
}
