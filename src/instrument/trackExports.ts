/**
 * The second seam: a package's exported functions (combinators such as `Workflow.step(config)`
 * that return an Effect), traced as service methods are, for what no service boundary sees.
 *
 * A function is wrapped once, where the package exports it; whether a call is tracked is decided
 * when its effect runs, from the effect's own context: its tracker, and the map's clock and
 * ambient services. The call's context comes from the enclosing traced call (the same
 * `currentFrame` the service proxies use), its events are built, held back and dropped as theirs
 * are, and a watched service (`FunctionEvents.watch`) is seen through a proxy given to this
 * call's effect only.
 */

import { Context, Effect } from "effect"
import { EventTracker, type EventTrackerService } from "../tracker/EventTracker.js"
import { isNoopTracker } from "../tracker/NoopTracker.js"
import {
  validateEventMap,
  type EventMap,
  type FunctionEvents,
  type MethodEvents,
  type Observed,
  type Recipes,
  type WatchedCallInfo,
  type WatchedMethod
} from "./EventMap.js"
import { ContextFrame, currentFrame } from "./CallContext.js"
import {
  atTime,
  attempt,
  Emits,
  hasRecipes,
  trackService,
  traceFully,
  type ServicePlan,
  type Trace,
  type TrackingRuntime
} from "./trackService.js"
import { planFor, runtimeFor, type TrackingPlan } from "./withTracking.js"

/**
 * How `trackExports` wraps: the event map and the namespace's name in it, spans, and whether
 * tracking is on at all.
 *
 * @category Instrumentation
 */
export interface TrackExportsOptions {
  /** The map whose `functions[namespace]` entries say what each function emits. */
  readonly eventMap: EventMap
  /** The namespace's name in the map (`"Workflow"`), and in events' sources and spans. */
  readonly namespace: string
  /** Also run each mapped function's effect in `Effect.withSpan("<Namespace>.<name>")` (no stack captured). Default off. */
  readonly spans?: boolean
  /** `false` returns `exports` itself: the original functions, no wrapper at all. Default `true`. */
  readonly enabled?: boolean
  /** Also carry the stack of a failure in events' `error`. Default off. */
  readonly errorStack?: boolean
}

/**
 * Exports like `exports`, whose functions the map names emit their events around each call of
 * the effect they return. Other members are the same values. A function that returns something
 * other than an Effect returns it untouched (and a function that throws still throws).
 *
 * With `enabled: false`, or no entries for the namespace, `exports` itself comes back. At run
 * time, an effect run with no tracker (or the no-op one) and no spans is the function's own
 * effect, unwrapped.
 *
 * @throws InvalidEventMapError when the event map is missing or malformed (at the call).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { trackExports, type EventMap } from "durable-effect-tracking"
 *
 * const Payments = { charge: (account: string) => Effect.succeed(`charged ${account}`) }
 *
 * // The same type comes out: the package exports this in place of its own namespace.
 * export const trackedPayments = (eventMap: EventMap): typeof Payments =>
 *   trackExports(Payments, { eventMap, namespace: "Payments" })
 * ```
 *
 * @category Instrumentation
 */
export const trackExports = <NS extends object>(exports: NS, options: TrackExportsOptions): NS => {
  // The whole map, its functions included: the plan checks what `withTracking` needs only.
  validateEventMap(options?.eventMap)
  const plan = planFor(options?.eventMap, options?.spans === true, options?.errorStack === true)
  if (options.enabled === false) return exports
  const entries = plan.eventMap.functions?.[options.namespace]
  if (entries === undefined) return exports
  const tracked: Record<string, unknown> = {}
  for (const key of Object.keys(exports)) {
    const value: unknown = (exports as Record<string, unknown>)[key]
    const entry = entries[key]
    tracked[key] =
      entry !== undefined && typeof value === "function"
        ? traceFunction(value as (...args: Array<unknown>) => unknown, `${options.namespace}.${key}`, entry, plan)
        : value
  }
  return tracked as NS
}

/** What watched calls taught each traced call, by its arguments array (one per call). */
const observations = new WeakMap<ReadonlyArray<unknown>, Record<string, unknown>>()
const nothingObserved: Readonly<Record<string, unknown>> = Object.freeze({})

const observedOf = (args: ReadonlyArray<unknown>): Readonly<Record<string, unknown>> =>
  observations.get(args) ?? nothingObserved

// Outcome recipes are given what the call observed, besides what a method's are given.
const withObserved = <C extends { readonly args: ReadonlyArray<unknown> }>(
  recipes: Recipes<C & Observed> | undefined
): Recipes<C> | undefined => {
  if (recipes === undefined) return undefined
  const given: Record<string, (call: C) => unknown> = {}
  for (const [type, recipe] of Object.entries(recipes) as Array<[string, (call: C & Observed) => unknown]>)
    given[type] = (call) => recipe({ ...call, observed: observedOf(call.args) })
  return given as Recipes<C>
}

/**
 * A function's effect runs in its caller's context, where the map's ambient services are read for
 * this call (the runtime's instance, say): what the caller's context lacks of them, the call adds.
 */
const withAmbient =
  (context: FunctionEvents["context"]): NonNullable<MethodEvents["context"]> =>
  (args, caller, ambient) => {
    const own = context === undefined ? undefined : context(args, caller)
    let added: Record<string, unknown> | undefined
    for (const key in ambient) {
      if (caller[key] === undefined && own?.[key] === undefined && ambient[key] !== undefined)
        (added ??= {})[key] = ambient[key]
    }
    return added === undefined ? own : { ...added, ...own }
  }

const traceFunction = (
  original: (...args: Array<unknown>) => unknown,
  source: string,
  entry: FunctionEvents,
  plan: TrackingPlan
): ((...args: Array<unknown>) => unknown) => {
  const trace: Trace = traceFully(
    source,
    {
      context: withAmbient(entry.context),
      before: entry.before,
      success: withObserved(entry.success),
      failure: withObserved(entry.failure)
    },
    plan.spans
  )
  const watch = entry.watch
  // Named as the function it stands for: a stack trace reads the same.
  const traced = {
    [original.name]: function (...args: Array<unknown>): unknown {
      const result = original(...args)
      if (!Effect.isEffect(result)) return result
      const body = result as Effect.Effect<unknown, unknown, unknown>
      return Effect.contextWithEffect((context: Context.Context<never>) => {
        const found = context.unsafeMap.get(EventTracker.key) as EventTrackerService | undefined
        const tracker = found !== undefined && !isNoopTracker(found) ? found : undefined
        if (tracker === undefined && !plan.spans) return body
        const runtime = runtimeFor(plan, tracker, context as Context.Context<unknown>, Context.empty())
        if (watch === undefined) return trace(runtime, body, args)
        const seen: Record<string, unknown> = {}
        observations.set(args, seen)
        return trace(runtime, watching(body, watch, args, seen, runtime, source), args)
      })
    }
  }[original.name]!
  return traced
}

type Watch = NonNullable<FunctionEvents["watch"]>

/** `body` with the watched services of its context seen through proxies made for this call. */
const watching = (
  body: Effect.Effect<unknown, unknown, unknown>,
  watch: Watch,
  args: ReadonlyArray<unknown>,
  seen: Record<string, unknown>,
  runtime: TrackingRuntime,
  source: string
): Effect.Effect<unknown, unknown, unknown> =>
  Effect.mapInputContext(body, (context: Context.Context<unknown>) => {
    let services: Map<string, unknown> | undefined
    for (const key in watch) {
      const service: unknown = context.unsafeMap.get(key)
      if (typeof service !== "object" || service === null) continue
      const plan = watchPlan(watch[key]!, args, seen, source)
      ;(services ??= new Map(context.unsafeMap)).set(key, trackService(service, plan, runtime))
    }
    return services === undefined ? context : Context.unsafeMake(services)
  })

const watchPlan = (
  methods: Watch[string],
  args: ReadonlyArray<unknown>,
  seen: Record<string, unknown>,
  source: string
): ServicePlan => ({
  service: source,
  methods: new Map(
    Object.entries(methods).map(([name, watched]) => [
      name,
      {
        events: {},
        // A function map is applied alone: its calls keep their frames where a lone map's do.
        frames: currentFrame,
        trace: (runtime, call, callArgs) =>
          Effect.tap(call, (result) => observe(watched, args, seen, { args: callArgs, result }, runtime, source))
      }
    ])
  )
})

/**
 * What a watched call that succeeded teaches the traced call, then its events, emitted in the
 * frame of the call that runs (the traced function's, or its caller's), so that they take their
 * place among the request's events.
 */
const observe = (
  watched: WatchedMethod,
  args: ReadonlyArray<unknown>,
  seen: Record<string, unknown>,
  call: WatchedCallInfo<ReadonlyArray<unknown>>["call"],
  runtime: TrackingRuntime,
  source: string
): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    const frame = fiber.getFiberRef(currentFrame)
    const info: WatchedCallInfo<ReadonlyArray<unknown>> = {
      args,
      context: frame?.context ?? runtime.ambient,
      observed: seen,
      call
    }
    if (watched.learn !== undefined) {
      const learnt = attempt(() => watched.learn!(info))
      if (learnt !== undefined) Object.assign(seen, learnt)
    }
    if (runtime.tracker === undefined || !hasRecipes(watched.success)) return Effect.void
    return atTime(runtime, (timestampMs) => {
      // Outside any traced call (a watched call the function's effect forked away): the event
      // has only the ambient context, and is emitted or dropped now.
      const own = frame ?? new ContextFrame(undefined, undefined, runtime.ambient)
      const emits = new Emits(runtime)
      emits.phase(watched.success!, info, source, own, timestampMs)
      if (frame === undefined) emits.release(own, true)
      return emits.effect
    })
  })
