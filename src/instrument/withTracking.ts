import { Context, Effect, Layer } from "effect"
import * as Clock from "effect/Clock"
import * as Fiber from "effect/Fiber"
// From its own module: through "effect" the bundle would carry FiberRef's whole namespace.
import * as FiberRef from "effect/FiberRef"
import { logFrom, logFromCurrentFiber } from "../internal/log.js"
import { inlineReader, mapBuiltNodes } from "../internal/effectInternals.js"
import { safeCall, safeRun, safeSite } from "../internal/safe.js"
import { EventTracker, type EventTrackerService } from "../tracker/EventTracker.js"
import { isNoopTracker } from "../tracker/NoopTracker.js"
import { serviceMapProblems, throwProblems, type EventMap } from "./EventMap.js"
import { currentFrame, type CallContext, type ContextFrame } from "./CallContext.js"
import {
  compileService,
  EventBuilder,
  isTrackedService,
  trackService,
  type ServicePlan,
  type TrackingRuntime
} from "./trackService.js"

/**
 * How `withTracking` wraps: the event map, spans, and whether tracking is on at all.
 *
 * @category Instrumentation
 */
export interface WithTrackingOptions {
  /**
   * Which method emits what. Required: this mechanism knows no package of its own; for a
   * `@durable-effect/jobs` runtime pass `defaultJobsEventMap` (or a map made from it).
   *
   * Several maps (a non-empty array, of one vocabulary or of several) all apply: each call emits
   * every map's events, each map's exactly as it would alone (its own context, order, clock and
   * vocabulary). The first map is the outermost: at a call's start its events come first, at its
   * end last. A tracker that is told vocabularies must be told each map's.
   */
  readonly eventMap: EventMap | EventMaps
  /**
   * Also run each mapped method in `Effect.withSpan("<Service>.<method>")`, with the context
   * keys of the map's vocabulary as attributes (named by it: `job.instanceId`), for an Effect
   * tracer to see. Off by default: spans cost per call. With several maps, the first map's
   * methods get spans (one per call, not one per map). No stack is captured for them (Effect's
   * default would name this library's frame, not your code, as a failed span's `code.stacktrace`).
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

/**
 * Several event maps for one `withTracking`, applied together (see `eventMap`).
 *
 * @category Instrumentation
 */
export type EventMaps = readonly [EventMap, ...ReadonlyArray<EventMap>]

// Checked where `withTracking` is called, in either form: a missing or malformed map throws there.
// A lone map is a list of one: one wrap for both forms.
const tracking = (
  options: WithTrackingOptions | undefined
): (<ROut, E, RIn>(layer: Layer.Layer<ROut, E, RIn>) => Layer.Layer<ROut, E, RIn>) => {
  const spans = options?.spans === true
  const errorStack = options?.errorStack === true
  const given = options?.eventMap
  const maps: ReadonlyArray<EventMap> = Array.isArray(given) ? given : [given as EventMap]
  throwProblems(
    maps,
    maps.length === 0
      ? ["`eventMap` is an empty array: give a map, or several"]
      : maps.flatMap((map, i) => (maps.indexOf(map) < i ? [`map ${i + 1} is map ${maps.indexOf(map) + 1} again`] : []))
  )
  const plans = maps.map((map, i) => planFor(map, spans && i === 0, errorStack, i))
  if (options?.enabled === false) return (layer) => layer
  // Then each map's `reached` entries' own wrap (see `ReachedEvents.readThrough`), the first
  // map's innermost: its views are the outermost the layer's build sees, as its proxies are.
  return (layer) =>
    plans.reduce(
      (wrapped, plan) => plan.eventMap.reached?.readThrough(wrapped, plan) ?? wrapped,
      wrapLayer(layer, plans)
    )
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
 * A layer made by `Layer.effect`/`Layer.succeed`/`Layer.scoped` (or `Layer.mergeAll` of such
 * layers) is wrapped as one layer of the same kind, which builds the services and then wraps
 * them; other layers get a layer of their own around them. Either way the wrapped layer is a
 * new layer: used once, as a composition uses it, it is built once per build. (A tracker merged
 * into the same `Layer.mergeAll` as the services is not seen by them: provide it under.)
 *
 * Dual: `withTracking(layer, options)`, or `layer.pipe(withTracking(options))` as Effect's own
 * layer combinators read.
 *
 * @throws InvalidEventMapError when the event map is missing or malformed (at the call, in both
 * forms, not at run time). Its function entries, which `trackExports` reads and checks, are not
 * checked here.
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
  (options: WithTrackingOptions): <ROut, E, RIn>(layer: Layer.Layer<ROut, E, RIn>) => Layer.Layer<ROut, E, RIn>
  <ROut, E, RIn>(layer: Layer.Layer<ROut, E, RIn>, options: WithTrackingOptions): Layer.Layer<ROut, E, RIn>
} = ((first: Layer.Layer<unknown, unknown, unknown> | WithTrackingOptions, options?: WithTrackingOptions) =>
  // Not Effect's `dual`: piped, the options are checked now, not when the layer comes through.
  Layer.isLayer(first) ? tracking(options)(first) : tracking(first)) as never

/** An event map compiled for tracking: what every build of its layers shares. */
export interface TrackingPlan {
  readonly eventMap: EventMap
  readonly spans: boolean
  /** Context every event of these layers carries besides the ambient (`errorStack`). */
  readonly extra: CallContext | undefined
  /** The map's vocabulary, compiled once. */
  readonly events: EventBuilder
  readonly services: ReadonlyMap<string, ServicePlan>
  /** Where the traced calls of this map (at its place in a list) keep their frames. */
  readonly frames: FiberRef.FiberRef<ContextFrame | undefined>
  /** What the runtime of a build is read from: ambient, then clock. */
  readonly sources: ReadonlyArray<RuntimeSource>
  /**
   * The runtimes last made and what each was read from, newest first: builds over the same
   * sources share one. Two, because the layers of one build see two sets of sources (those
   * built before the cleanup service, and those after it).
   */
  readonly recent: Array<RecentRuntime>
}

/**
 * A service a build's runtime is read from, by tag key. `presence`: only whether it is there
 * matters (an ambient reader that takes no argument), so a service rebuilt on every call (the
 * jobs runtime's cleanup service) neither makes a new runtime per call nor is kept past its call.
 */
interface RuntimeSource {
  readonly key: string
  readonly presence: boolean
}

interface RecentRuntime {
  readonly tracker: EventTrackerService | undefined
  /** Per source, the service read (or, for a presence source, whether it was there). */
  readonly seen: ReadonlyArray<unknown>
  readonly runtime: TrackingRuntime
}

// A runtime creates its composition's wrappers with one map (or one list of maps); a map is
// validated once, and compiled once per set of options and place in a list, however many layers
// and runtimes use it.
const plans = new WeakMap<EventMap, Map<string, TrackingPlan>>()

// The frames of the maps at each place in a list: the first's are a lone map's, so that a map
// keeps its context across layers wrapped alone and layers wrapped with others.
const framesByPlace: Array<FiberRef.FiberRef<ContextFrame | undefined>> = [currentFrame]

export const planFor = (eventMap: EventMap, spans: boolean, errorStack: boolean, place = 0): TrackingPlan => {
  let cached = plans.get(eventMap)
  if (cached === undefined) {
    throwProblems(eventMap, serviceMapProblems(eventMap))
    cached = new Map()
    plans.set(eventMap, cached)
  }
  const slot = `${spans}/${errorStack}/${place}`
  let plan = cached.get(slot)
  if (plan === undefined) {
    const frames = (framesByPlace[place] ??= FiberRef.unsafeMake<ContextFrame | undefined>(undefined))
    plan = {
      eventMap,
      spans,
      extra: errorStack ? { errorStack: true } : undefined,
      events: new EventBuilder(eventMap.vocabulary),
      services: new Map(
        Object.entries(eventMap.services).map(([key, entry]) => [key, compileService(entry, spans, frames)])
      ),
      frames,
      sources: [
        ...Object.entries(eventMap.ambient ?? {}).map(([key, read]) => ({
          key,
          presence: read.length === 0 && key !== eventMap.clock?.tagKey
        })),
        ...(eventMap.clock === undefined ? [] : [{ key: eventMap.clock.tagKey, presence: false }])
      ],
      recent: []
    }
    cached.set(slot, plan)
  }
  return plan
}

/**
 * Layers made by an effect (or a `mergeAll` of them) are wrapped without a node of their own
 * (see `mapBuiltNodes`: a jobs runtime rebuilds its layers per call); others get one.
 */
const wrapLayer = <ROut, E, RIn>(
  layer: Layer.Layer<ROut, E, RIn>,
  plans: ReadonlyArray<TrackingPlan>
): Layer.Layer<ROut, E, RIn> =>
  // The input read off the fiber that builds the node, in place: no effect operation of its own
  // (every layer is rebuilt on every call).
  mapBuiltNodes(layer, (built) => trackContext(built, inputOfBuild(), plans)) ??
  Layer.flatMap(layer, (built) =>
    Layer.effectContext(Effect.contextWith((input: Context.Context<never>) => trackContext(built, input, plans)))
  )

// The context of the fiber running this code: a node's input, while the node is built.
const inputOfBuild = (): Context.Context<never> => {
  const fiber = Fiber.getCurrentFiber()
  return fiber._tag === "Some" ? fiber.value.currentContext : Context.empty()
}

/**
 * Each map's proxy wraps the one made for the map after it, so the first map's is outermost (a
 * lone map is a list of one). Services tracked before this wrap (a wrapped layer merged in) are left as they are,
 * by every map. Runs on the fiber that builds the node: a warning is said in place, with its logger.
 */
const trackContext = <ROut>(
  built: Context.Context<ROut>,
  input: Context.Context<never>,
  plans: ReadonlyArray<TrackingPlan>
): Context.Context<ROut> => {
  // The tracker may come with the layer itself, or from under it.
  const tracker = (built.unsafeMap.get(EventTracker.key) ?? input.unsafeMap.get(EventTracker.key)) as
    EventTrackerService | undefined
  const active = tracker !== undefined && !isNoopTracker(tracker)
  let tracked = built
  for (let i = plans.length - 1; i >= 0; i--) {
    const plan = plans[i]!
    if (!active && !plan.spans) continue
    let runtime: TrackingRuntime | undefined
    let services: Map<string, unknown> | undefined
    for (const [key, service] of tracked.unsafeMap) {
      const servicePlan = plan.services.get(key)
      if (
        servicePlan === undefined ||
        typeof service !== "object" ||
        service === null ||
        isTrackedService(built.unsafeMap.get(key))
      )
        continue
      runtime ??= runtimeFor(plan, active ? tracker : undefined, built as Context.Context<unknown>, input)
      let missing: Array<string> | undefined
      ;(services ??= new Map(tracked.unsafeMap)).set(
        key,
        trackService(service, servicePlan, runtime, (method) => (missing ??= []).push(method))
      )
      if (missing !== undefined) warnUnmatched(key, servicePlan.service, missing)
    }
    if (services !== undefined) tracked = Context.unsafeMake<ROut>(services)
  }
  return tracked
}

// A service by tag key, from the build or from under it. (Returned, not a named literal in
// `trackContext`: tsx, which the bench runs the source with, would name it on every build.)
const lookupIn =
  <R>(built: Context.Context<R>, input: Context.Context<never>) =>
  (key: string): unknown =>
    serviceIn(built, input, key)

const serviceIn = <R>(built: Context.Context<R>, input: Context.Context<never>, key: string): unknown =>
  built.unsafeMap.get(key) ?? input.unsafeMap.get(key)

/**
 * What a build's proxies share: its tracker, the context it knows, its clock. Read once per
 * build, and only again when the tracker or a service it is read from is another object (the
 * same core gives the same services on every rebuild).
 */
export const runtimeFor = (
  plan: TrackingPlan,
  tracker: EventTrackerService | undefined,
  built: Context.Context<unknown>,
  input: Context.Context<never>
): TrackingRuntime => {
  const recent = plan.recent
  for (let i = 0; i < recent.length; i++) {
    const entry = recent[i]!
    if (entry.tracker === tracker && readFromSame(plan.sources, entry.seen, built, input)) {
      if (i > 0) recent.unshift(...recent.splice(i, 1))
      return entry.runtime
    }
  }
  const lookup = lookupIn(built, input)
  const ambient = readAmbient(plan.eventMap, lookup)
  if (plan.extra !== undefined) Object.assign(ambient, plan.extra)
  const runtime: TrackingRuntime = { tracker, events: plan.events, ambient, ...readClock(plan.eventMap, lookup) }
  recent.unshift({ tracker, seen: plan.sources.map((source) => seenIn(built, input, source)), runtime })
  if (recent.length > 2) recent.pop()
  return runtime
}

const readFromSame = (
  sources: ReadonlyArray<RuntimeSource>,
  seen: ReadonlyArray<unknown>,
  built: Context.Context<unknown>,
  input: Context.Context<never>
): boolean => {
  for (let i = 0; i < sources.length; i++) {
    if (seenIn(built, input, sources[i]!) !== seen[i]) return false
  }
  return true
}

const seenIn = (built: Context.Context<unknown>, input: Context.Context<never>, source: RuntimeSource): unknown => {
  const service = serviceIn(built, input, source.key)
  return source.presence ? service !== undefined : service
}

const readAmbient = (eventMap: EventMap, lookup: (key: string) => unknown): Record<string, unknown> => {
  const ambient: Record<string, unknown> = {}
  for (const key in eventMap.ambient) {
    const service = lookup(key)
    if (service === undefined) continue
    // An ambient reader that throws adds nothing.
    const read = safeCall(ambientSite, () => eventMap.ambient![key]!(service), undefined)
    // A later reader's keys win, as in a spread (undefined values included).
    for (const field in read) ambient[field] = read[field]
  }
  return ambient
}

const readClock = (eventMap: EventMap, lookup: (key: string) => unknown): Pick<TrackingRuntime, "now" | "readNow"> => {
  const source = eventMap.clock
  const service = source === undefined ? undefined : lookup(source.tagKey)
  if (source === undefined || service === undefined) return { now: Clock.currentTimeMillis }
  // A clock that fails or throws must not fail the call it times. Its effect is made once per
  // build and run on every read (in place, when it is a plain `Effect.sync`).
  const now = safeCall(clockSite, () => source.now(service), undefined)
  if (!Effect.isEffect(now)) return { now: Clock.currentTimeMillis }
  return { now: safeRun(clockSite, now, Clock.currentTimeMillis), readNow: inlineReader(now) }
}

const ambientSite = safeSite("instrument/withTracking", "an event map's ambient reader")
const clockSite = safeSite("instrument/withTracking", "an event map's clock")

// Layers are rebuilt per call in a jobs runtime: say it once per process, not per build.
const warned = new Set<string>()

const warnUnmatched = (key: string, service: string, missing: ReadonlyArray<string>): void => {
  const fresh = missing.filter((method) => !warned.has(`${key}#${method}`))
  if (fresh.length === 0) return
  for (const method of fresh) warned.add(`${key}#${method}`)
  logFromCurrentFiber(
    Effect.logWarning(
      `the event map names ${fresh.map((m) => `${service}.${m}`).join(", ")}, ` +
        `but the service under "${key}" has no such method; those entries emit nothing.`
    ).pipe(logFrom("instrument/withTracking"))
  )
}
