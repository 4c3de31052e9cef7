import { Clock, Context, Effect, Layer, Option } from "effect"
import { dual } from "effect/Function"
import { logFrom } from "../internal/log.js"
import { safeCall, safeRun, safeSite } from "../internal/safe.js"
import { EventTracker, type EventTrackerService } from "../tracker/EventTracker.js"
import { isNoopTracker } from "../tracker/NoopTracker.js"
import { defaultJobsEventMap } from "../jobs/defaultJobsEventMap.js"
import { validateEventMap, type EventMap } from "./EventMap.js"
import type { JobContext } from "./JobContext.js"
import { isTrackedService, trackService, type TrackingRuntime } from "./trackService.js"

/**
 * How `withTracking` wraps: the event map, spans, and whether tracking is on at all.
 *
 * @category Instrumentation
 */
export interface WithTrackingOptions {
  /** Which method emits what. Default: {@link defaultJobsEventMap}. */
  readonly eventMap?: EventMap
  /**
   * Also run each mapped method in `Effect.withSpan("<Service>.<method>")`, with the job
   * context as attributes, for an Effect tracer to see. Off by default: spans cost per call.
   */
  readonly spans?: boolean
  /**
   * `false` returns the layer itself: no wrapper at all. For a runtime that knows when it is
   * created whether it has a tracker, this makes tracking off free even of the per-build cost
   * of a wrapping layer (a jobs runtime rebuilds its layers on every call). Default `true`.
   */
  readonly enabled?: boolean
  /**
   * Also carry the stack of a failure in events' `error` (cut at 4096 characters). Off by
   * default: a stack tells more of the code than a collector may need to know.
   */
  readonly errorStack?: boolean
}

const trackLayer = <ROut, E, RIn>(layer: Layer.Layer<ROut, E, RIn>, options?: WithTrackingOptions): Layer.Layer<ROut, E, RIn> => {
  const eventMap = validateEventMap(options?.eventMap ?? defaultJobsEventMap)
  if (options?.enabled === false) return layer
  const spans = options?.spans === true
  const extra: JobContext | undefined = options?.errorStack === true ? { errorStack: true } : undefined
  return Layer.flatMap(layer, (built) => Layer.effectContext(trackContext(built, eventMap, spans, extra)))
}

/**
 * Wraps the services `layer` provides in tracing proxies that emit the mapped events around
 * each method call. The layer keeps its exact type. The tracker is read (optionally) while the
 * layer is built, so provide it under the wrapped layer.
 *
 * With no tracker, or the no-op tracker (and no spans), the very same service objects come out:
 * tracking off costs nothing per call. Services already wrapped are passed through, so wrapping
 * twice, or wrapping a composition of wrapped layers, emits each event once.
 *
 * A proxy sees calls across service boundaries only: a service calling its own methods through
 * a closure is not traced.
 *
 * Dual: `withTracking(layer, options?)`, or `layer.pipe(withTracking(options?))` as Effect's own
 * layer combinators read (the options are then checked when the returned function is applied).
 *
 * @throws InvalidEventMapError when the event map is malformed (at the call, not at run time).
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import type { RuntimeLayer } from "@durable-effect/core"
 * import { addTracker, defaultJobsEventMap, withTracking, type TrackerOption } from "durable-effect-tracking"
 * import { RuntimeServicesLayer } from "../services/index.js"
 *
 * // The same layer type comes out; the tracker goes under it.
 * export const servicesLayer = (core: RuntimeLayer, tracker: TrackerOption) =>
 *   withTracking(RuntimeServicesLayer, { eventMap: defaultJobsEventMap }).pipe(Layer.provideMerge(addTracker(core, tracker)))
 * ```
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import type { RuntimeLayer } from "@durable-effect/core"
 * import { addTracker, defaultJobsEventMap, withTracking, type TrackerOption } from "durable-effect-tracking"
 * import { RuntimeServicesLayer } from "../services/index.js"
 *
 * // The same, piped: the options first, the layer through the pipe.
 * export const pipedServicesLayer = (core: RuntimeLayer, tracker: TrackerOption) =>
 *   RuntimeServicesLayer.pipe(withTracking({ eventMap: defaultJobsEventMap }), Layer.provideMerge(addTracker(core, tracker)))
 * ```
 *
 * @category Instrumentation
 */
export const withTracking: {
  (options?: WithTrackingOptions): <ROut, E, RIn>(layer: Layer.Layer<ROut, E, RIn>) => Layer.Layer<ROut, E, RIn>
  <ROut, E, RIn>(layer: Layer.Layer<ROut, E, RIn>, options?: WithTrackingOptions): Layer.Layer<ROut, E, RIn>
} = dual((args) => Layer.isLayer(args[0]), trackLayer)

const trackContext = <ROut>(built: Context.Context<ROut>, eventMap: EventMap, spans: boolean, extra: JobContext | undefined) =>
  Effect.gen(function* () {
    // The tracker may come with the layer itself, or from under it.
    const tracker: EventTrackerService | undefined =
      built.unsafeMap.get(EventTracker.key) ?? Option.getOrUndefined(yield* Effect.serviceOption(EventTracker))
    const active = tracker !== undefined && !isNoopTracker(tracker)
    if (!active && !spans) return built

    const input = yield* Effect.context<never>()
    const lookup = (key: string): unknown => built.unsafeMap.get(key) ?? input.unsafeMap.get(key)
    const runtime: TrackingRuntime = {
      tracker: active ? tracker : undefined,
      ambient: extra === undefined ? readAmbient(eventMap, lookup) : { ...readAmbient(eventMap, lookup), ...extra },
      now: readClock(eventMap, lookup),
      spans
    }

    let services: Map<string, unknown> | undefined
    for (const [key, service] of built.unsafeMap) {
      const entry = eventMap.services[key]
      if (entry === undefined || typeof service !== "object" || service === null || isTrackedService(service)) continue
      yield* warnUnmatched(key, entry.service, Object.keys(entry.methods), service)
      ;(services ??= new Map(built.unsafeMap)).set(key, trackService(service, entry, runtime))
    }
    return services === undefined ? built : Context.unsafeMake<ROut>(services)
  })

const readAmbient = (eventMap: EventMap, lookup: (key: string) => unknown): JobContext => {
  let ambient: JobContext = {}
  for (const [key, read] of Object.entries(eventMap.ambient ?? {})) {
    const service = lookup(key)
    if (service === undefined) continue
    // An ambient reader that throws adds nothing.
    ambient = { ...ambient, ...safeCall(ambientSite, () => read(service), undefined) }
  }
  return ambient
}

const readClock = (eventMap: EventMap, lookup: (key: string) => unknown): Effect.Effect<number> => {
  const source = eventMap.clock
  const service = source === undefined ? undefined : lookup(source.tagKey)
  if (source === undefined || service === undefined) return Clock.currentTimeMillis
  // A clock that fails or throws must not fail the call it times. Its effect is made once per
  // build and run on every read.
  const now = safeCall(clockSite, () => source.now(service), undefined)
  return Effect.isEffect(now) ? safeRun(clockSite, now, Clock.currentTimeMillis) : Clock.currentTimeMillis
}

const ambientSite = safeSite("instrument/withTracking", "an event map's ambient reader")
const clockSite = safeSite("instrument/withTracking", "an event map's clock")

// Layers are rebuilt per call in a jobs runtime: say it once per process, not per build.
const warned = new Set<string>()

const warnUnmatched = (key: string, service: string, methods: ReadonlyArray<string>, instance: object) => {
  const missing = methods.filter((method) => typeof Reflect.get(instance, method) !== "function")
  const fresh = missing.filter((method) => !warned.has(`${key}#${method}`))
  if (fresh.length === 0) return Effect.void
  for (const method of fresh) warned.add(`${key}#${method}`)
  return Effect.logWarning(
    `the event map names ${fresh.map((m) => `${service}.${m}`).join(", ")}, ` +
      `but the service under "${key}" has no such method; those entries emit nothing.`
  ).pipe(logFrom("instrument/withTracking"))
}
