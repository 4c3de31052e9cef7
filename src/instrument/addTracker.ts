import { Context, Effect, Layer } from "effect"
import { dual } from "effect/Function"
import { logFrom } from "../internal/log.js"
import { EventTracker, type EventTrackerService } from "../tracker/EventTracker.js"
import { HttpBatchTracker } from "../sinks/http/HttpBatchTracker.js"
import type { HttpBatchTrackerConfig } from "../sinks/http/HttpBatchTrackerConfig.js"
import { InvalidTrackerConfigError } from "../tracker/InvalidTrackerConfigError.js"
import { mapBuiltNodes } from "../internal/effectInternals.js"
import { NoopTracker } from "../tracker/NoopTracker.js"
import type { HttpBatchTrackerOutboxOption } from "../delivery/DurableOutbox.js"

/**
 * How a user picks a tracker: an HTTP batch tracker configuration (optionally with a durable
 * `outbox`), a tracker layer, or a tracker itself (such as `InMemoryTracker.make().tracker`).
 *
 * @category Trackers
 */
export type TrackerOption =
  (HttpBatchTrackerConfig & HttpBatchTrackerOutboxOption) | Layer.Layer<EventTracker> | EventTrackerService<any>

/**
 * A {@link TrackerOption} that is not a layer: a tracker object or an HTTP batch tracker
 * configuration (what `addTracker` takes when piped).
 */
type TrackerObjectOrConfig = Exclude<TrackerOption, Layer.Layer<EventTracker>>

// What an option comes down to: no tracker, one tracker object, or a layer that builds one.
type TrackerSource =
  | { readonly _tag: "none" }
  | { readonly _tag: "instance"; readonly tracker: EventTrackerService }
  | { readonly _tag: "layer"; readonly layer: Layer.Layer<EventTracker> }

const isTrackerService = (option: object): option is EventTrackerService =>
  typeof (option as Partial<EventTrackerService>).emit === "function" &&
  typeof (option as Partial<EventTrackerService>).flush === "function" &&
  typeof (option as Partial<EventTrackerService>).pending === "function"

const trackerSource = (option: TrackerOption | undefined): TrackerSource => {
  if (option === undefined) return { _tag: "none" }
  if (Layer.isLayer(option)) return { _tag: "layer", layer: option as Layer.Layer<EventTracker> }
  if (typeof option !== "object" || option === null) {
    return {
      _tag: "layer",
      layer: trackingDisabled(
        new InvalidTrackerConfigError({
          issues: [
            "the tracker option must be an HTTP tracker configuration, a Layer providing EventTracker, or a tracker"
          ]
        })
      )
    }
  }
  if (isTrackerService(option)) return { _tag: "instance", tracker: option }
  const config = option as HttpBatchTrackerConfig & HttpBatchTrackerOutboxOption
  try {
    // The outbox reads the instance's storage while its layer is built; otherwise one tracker
    // object is all there is.
    return config.outbox === undefined
      ? { _tag: "instance", tracker: HttpBatchTracker.make<unknown>(config) }
      : { _tag: "layer", layer: HttpBatchTracker.layer(config) }
  } catch (error) {
    if (error instanceof InvalidTrackerConfigError) return { _tag: "layer", layer: trackingDisabled(error) }
    throw error
  }
}

/**
 * The tracker layer for an option: none gives the no-op tracker (tracking off), a layer is
 * used as given, a tracker is provided as it is, a configuration gives an HTTP batch tracker.
 *
 * For a configuration, one tracker is created here and shared by every build of the returned
 * layer, so events a call could not deliver are retried by the next call's flush (a jobs
 * runtime rebuilds its layers per call). Call this once per runtime, not per call.
 * With `outbox`, each build hands that tracker the `StorageAdapter` of the context it is built
 * in, so provide the core layer to it; {@link addTracker} does.
 *
 * A configuration that cannot work (see {@link InvalidTrackerConfigError}) does not throw: the
 * jobs must run whatever their tracking option says. Tracking is off, and the first build says
 * why with `Effect.logError` (naming fields, never their values).
 *
 * @category Trackers
 */
export const resolveTrackerLayer = (option?: TrackerOption): Layer.Layer<EventTracker> => {
  const source = trackerSource(option)
  switch (source._tag) {
    case "none":
      return NoopTracker.layer
    case "instance":
      return Layer.succeed(EventTracker, source.tracker)
    case "layer":
      return source.layer
  }
}

const addTrackerTo = <A, E, R>(coreLayer: Layer.Layer<A, E, R>, option?: TrackerOption): Layer.Layer<A, E, R> => {
  const source = trackerSource(option)
  switch (source._tag) {
    case "none":
      return coreLayer
    case "instance": {
      // Joined without a layer node of its own where the core allows (one built per call).
      const add = <C>(context: Context.Context<C>) =>
        Context.add(context, EventTracker, source.tracker) as Context.Context<C>
      return mapBuiltNodes(coreLayer, add) ?? Layer.map(coreLayer, add)
    }
    case "layer":
      return source.layer.pipe(Layer.provideMerge(coreLayer))
  }
}

/**
 * The jobs core layer with the tracker for `option` under it, as a jobs runtime composes it:
 * every layer built over the result finds the tracker. Without an option it is `coreLayer`
 * itself. Call it once per runtime (see {@link resolveTrackerLayer}).
 *
 * A tracker object is added to the core's context directly: the runtime rebuilds its layers on
 * every call, and joining two layers (`Layer.merge`, `Layer.provideMerge`) costs fibers and a
 * scope on each build, which a plain addition does not.
 *
 * Dual: `addTracker(coreLayer, option?)`, or `coreLayer.pipe(addTracker(option))` for a tracker
 * object or an HTTP batch tracker config. A tracker given as a layer goes data-first
 * (`addTracker(coreLayer, trackerLayer)`): piped, a lone layer could not be told from the core.
 *
 * @example
 * ```ts
 * import type { RuntimeLayer } from "@durable-effect/core"
 * import { addTracker, InMemoryTracker } from "durable-effect-tracking"
 *
 * const { tracker, handle } = InMemoryTracker.make()
 * // Nothing (tracking off), an HTTP batch tracker config, a tracker layer or a tracker object.
 * export const coreWithTracker = (core: RuntimeLayer) => addTracker(core, tracker)
 * // Piped, as Effect's layer combinators read.
 * export const pipedCoreWithTracker = (core: RuntimeLayer) => core.pipe(addTracker(tracker))
 * export const recorded = handle.getEvents
 * ```
 *
 * @category Trackers
 */
export const addTracker: {
  (option?: TrackerObjectOrConfig): <A, E, R>(coreLayer: Layer.Layer<A, E, R>) => Layer.Layer<A, E, R>
  <A, E, R>(coreLayer: Layer.Layer<A, E, R>, option?: TrackerOption): Layer.Layer<A, E, R>
} = dual(
  // `addTracker(core)` is data-first (no tracker): a lone layer is always the core.
  (args) => args.length >= 2 || Layer.isLayer(args[0]),
  addTrackerTo
)

// The no-op tracker, with the reason reported once per runtime rather than on every call.
const trackingDisabled = (error: InvalidTrackerConfigError): Layer.Layer<EventTracker> => {
  let reported = false
  return Layer.effect(
    EventTracker,
    Effect.suspend(() => {
      if (reported) return Effect.succeed(NoopTracker)
      reported = true
      return Effect.as(
        Effect.logError(`tracking is off. ${error.message}`).pipe(logFrom("instrument/addTracker")),
        NoopTracker
      )
    })
  )
}
