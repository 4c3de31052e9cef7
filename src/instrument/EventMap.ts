/**
 * The event-mapping table: which service method emits which events, and when. It is data: a
 * user reads it, extends it, overrides or removes entries, and `describeCoverage` reports it.
 *
 * Each method entry has up to three phases (`before` the call, on `success`, on `failure`),
 * each a record from event type to a recipe: a function of the call that returns the event's
 * own fields, or `undefined` to emit nothing this time. Entries may also say what context the
 * call establishes for the calls it makes (`context`) and what its result teaches its callers
 * (`learn`).
 *
 * A map carries the vocabulary of its events: its entries are typed by it (an event type it does
 * not have, or a field of the wrong type, does not compile) and checked against it when the map
 * is used.
 */

import type { Cause, Context, Effect, Layer } from "effect"
import { TaggedError } from "../internal/taggedError.js"
import type { FailureKind } from "../event/ErrorSummary.js"
import type { AnyVocabulary, EventTypeOf, RecipeFieldsOf } from "../event/Vocabulary.js"
import type { CallContext, ContextOf } from "./CallContext.js"
import type { BlindSpots, MapRequirements, RecipeRequirements } from "./requirements.js"

/**
 * For each event type of the vocabulary `V` a call may emit, the recipe that builds its fields
 * from the call.
 *
 * @category Instrumentation
 */
export type Recipes<Call, V = AnyVocabulary> = {
  readonly [T in EventTypeOf<V>]?: (call: Call) => RecipeFieldsOf<V, T> | undefined
}

/**
 * What every recipe sees of a call. `kind`, `error` and `defect` tell how a failure ended.
 *
 * @category Instrumentation
 */
export interface CallInfo<Args extends ReadonlyArray<unknown>, V = AnyVocabulary> {
  readonly args: Args
  /** The context this call runs in (its own `context` included). */
  readonly context: ContextOf<V>
  /** Epoch milliseconds, from the map's `clock` (Effect's `Clock` without one). */
  readonly startedAt: number
}

/**
 * What a `success` recipe is given: the call and its result.
 *
 * @category Instrumentation
 */
export interface SuccessInfo<Args extends ReadonlyArray<unknown>, A, V = AnyVocabulary> extends CallInfo<Args, V> {
  readonly result: A
  readonly durationMs: number
}

/**
 * What a `failure` recipe is given: the call and how it failed.
 *
 * @category Instrumentation
 */
export interface FailureInfo<Args extends ReadonlyArray<unknown>, E, V = AnyVocabulary>
  extends CallInfo<Args, V>, FailureOutcome<E> {
  readonly cause: Cause.Cause<E>
  readonly durationMs: number
}

/** What a failed call reveals, for `learnOnFailure`. */
export interface FailureOutcome<E> {
  readonly kind: FailureKind
  readonly error: E | undefined
  readonly defect: unknown
}

/**
 * A method's entry in an event map: what it emits before the call, on success and on failure,
 * and the context it establishes or teaches. `V` is the map's vocabulary.
 *
 * @category Instrumentation
 */
export interface MethodEvents<Args extends ReadonlyArray<unknown> = any, A = any, E = any, V = AnyVocabulary> {
  /**
   * The context this call establishes for itself and the calls it makes. (`ambient`: what the
   * build knows, also when a caller's context is given.)
   */
  readonly context?: (args: Args, caller: ContextOf<V>, ambient?: ContextOf<V>) => ContextOf<V> | undefined
  /** What a success teaches the whole chain of callers (applied before `success` recipes). */
  readonly learn?: (result: A, args: Args) => ContextOf<V> | undefined
  /** What a failure teaches the whole chain of callers (applied before `failure` recipes). */
  readonly learnOnFailure?: (outcome: FailureOutcome<E>, args: Args) => ContextOf<V> | undefined
  /**
   * What an Effect argument teaches when it fails, by argument index: a user's effect handed to
   * the method to run (a retry executor's first argument) fails with the job's own error. The
   * argument runs exactly as given; its failure is only observed.
   */
  readonly learnOnArgFailure?: {
    readonly [index: number]: (outcome: FailureOutcome<unknown>) => ContextOf<V> | undefined
  }
  /**
   * What a function an argument carries teaches when the method calls it, by argument index and
   * member name, made by `watchArgCalls`: an execution service handed `{ createContext(base) }`
   * calls it with what the run starts from. The member runs exactly as the method calls it (same
   * arguments, `this` and result); the method receives a copy of the argument object with that
   * member observed. What it teaches is learnt at once by the innermost traced call running it
   * (events held back for it go out with the next lesson or when the request ends).
   */
  readonly learnOnArgCall?: ArgCallLessons<V>
  readonly before?: Recipes<CallInfo<Args, V>, V>
  readonly success?: Recipes<SuccessInfo<Args, A, V>, V>
  readonly failure?: Recipes<FailureInfo<Args, E, V>, V>
  /** What each recipe relies on besides this method, by event type: read by static coverage only. */
  readonly requires?: RecipeRequirements<V>
}

/**
 * A method entry's `learnOnArgCall`, with the code that watches the calls: made by
 * `watchArgCalls`, so that a Worker whose maps watch none bundles none of it.
 *
 * @category Instrumentation
 */
export interface ArgCallLessons<V = AnyVocabulary> {
  /** What each member teaches, by argument index and member name. */
  readonly byIndex: {
    readonly [index: number]: {
      readonly [member: string]: (callArgs: ReadonlyArray<unknown>) => ContextOf<V> | undefined
    }
  }
  /** The arguments as the method receives them: with each watched member teaching `learn` as it is called. */
  readonly watch: (
    args: Array<unknown>,
    learn: (lesson: Readonly<Record<string, unknown>> | undefined) => void
  ) => Array<unknown>
  /** The problems of `byIndex`, each naming `where` (the method). */
  readonly problems: (where: string) => Array<string>
}

/**
 * A service's entries in an event map: its name in events and spans, and its methods' entries.
 *
 * @category Instrumentation
 */
export interface ServiceEvents<V = AnyVocabulary> {
  /** The name events and spans use for the service, e.g. `"MetadataService"`. */
  readonly service: string
  readonly methods: { readonly [method: string]: MethodEvents<any, any, any, V> }
}

/** Service entries by tag key. */
export type ServicesEvents<V> = { readonly [tagKey: string]: ServiceEvents<V> }

/**
 * What a traced function's `success` and `failure` recipes see besides the call: what the calls
 * its effect made of watched services taught it (see {@link FunctionEvents}`.watch`).
 *
 * @category Instrumentation
 */
export interface Observed {
  readonly observed: Readonly<Record<string, unknown>>
}

/**
 * What a watch recipe sees: the traced function's call (its arguments, its context, what it has
 * observed so far) and the watched method's call that just succeeded.
 *
 * @category Instrumentation
 */
export interface WatchedCallInfo<Args extends ReadonlyArray<unknown>, V = AnyVocabulary> extends Observed {
  /** The traced function's arguments. */
  readonly args: Args
  readonly context: ContextOf<V>
  /** The watched method's arguments and what its effect succeeded with. */
  readonly call: { readonly args: ReadonlyArray<unknown>; readonly result: unknown }
}

/**
 * A watched method's entry: what its successful call teaches the traced function's call, and
 * what it emits then (in the order the calls happen, inside the function's effect).
 *
 * @category Instrumentation
 */
export interface WatchedMethod<Args extends ReadonlyArray<unknown> = any, V = AnyVocabulary> {
  /** Kept for the rest of this call, for later watch recipes and the outcome recipes (`observed`). */
  readonly learn?: (info: WatchedCallInfo<Args, V>) => Readonly<Record<string, unknown>> | undefined
  readonly success?: Recipes<WatchedCallInfo<Args, V>, V>
}

/**
 * An exported function's entry in an event map (a combinator such as `Workflow.step(config)`
 * that returns an Effect): what it emits before its effect runs, on success, on failure, and
 * while it runs, from the calls its effect makes of services it reads from its context
 * (`watch`, by tag key and method: those services are seen for this call only, and run exactly
 * as they would). `V` is the map's vocabulary.
 *
 * @category Instrumentation
 */
export interface FunctionEvents<Args extends ReadonlyArray<unknown> = any, A = any, E = any, V = AnyVocabulary> {
  /** The context this call establishes for itself and the calls it makes. */
  readonly context?: (args: Args, caller: ContextOf<V>) => ContextOf<V> | undefined
  readonly before?: Recipes<CallInfo<Args, V>, V>
  readonly success?: Recipes<SuccessInfo<Args, A, V> & Observed, V>
  readonly failure?: Recipes<FailureInfo<Args, E, V> & Observed, V>
  readonly watch?: {
    readonly [tagKey: string]: { readonly [method: string]: WatchedMethod<Args, V> }
  }
  /** What each recipe relies on besides this function, by event type: read by static coverage only. */
  readonly requires?: RecipeRequirements<V>
}

/**
 * A namespace's function entries in an event map, by exported name.
 *
 * @category Instrumentation
 */
export interface FunctionsEvents<V = AnyVocabulary> {
  readonly [name: string]: FunctionEvents<any, any, any, V>
}

/**
 * The event-mapping table: the vocabulary of its events and, for each service, by tag key, which
 * method emits which events and when.
 *
 * @category Instrumentation
 */
export interface EventMap<V extends AnyVocabulary = AnyVocabulary> {
  /** The vocabulary of the map's events: their types, the context they need, how they are built. */
  readonly vocabulary: V
  /** Method entries, by the tag key of the service. */
  readonly services: { readonly [tagKey: string]: ServiceEvents<V> }
  /**
   * Entries for functions reached through the value of a service rather than called as its
   * methods (a job's definition in the registry a handler reads): see `reachedEvents`.
   */
  readonly reached?: ReachedEvents<V>
  /**
   * Exported functions' entries, by the name of the namespace that exports them (`"Workflow"`):
   * what `trackExports` wraps.
   */
  readonly functions?: { readonly [namespace: string]: FunctionsEvents<V> }
  /**
   * Context read once per layer build from services that are not wrapped, by tag key (the jobs
   * runtime's `RuntimeAdapter` knows the instance id). A reader that takes no argument says only
   * that the service is there: builds that differ in nothing else share what was read, however
   * often the service itself is rebuilt.
   */
  readonly ambient?: { readonly [tagKey: string]: (service: any) => ContextOf<V> }
  /**
   * Where event times come from: a service (by tag key) that tells the work's own time, so that
   * timestamps and durations agree with what the service sees. Effect's `Clock` when absent.
   */
  readonly clock?: { readonly tagKey: string; readonly now: (service: any) => Effect.Effect<number> }
  /** Event types the map knowingly cannot see, with why: static coverage reports them. */
  readonly blindSpots?: BlindSpots<V>
}

/**
 * A map's entries for functions reached through the value of a service rather than called as its
 * methods, and the code that follows the paths to them (made by `reachedEvents`).
 *
 * @category Instrumentation
 */
export interface ReachedEvents<V = AnyVocabulary> {
  /**
   * By the service's tag key: its `methods` are keyed by the path to each function in the
   * service's value, its keys joined by dots, `*` for any key (`"registry.task.*.onIdle"`); where
   * a path names the key, that path is followed rather than one with `*` there.
   */
  readonly services: { readonly [tagKey: string]: ServiceEvents<V> }
  /**
   * What `withTracking` wraps each layer it wraps in, so that the layer's build sees these
   * services through views (`compiled`: the map as `withTracking` compiled it). The code comes
   * with the entries, so that a Worker whose maps have none bundles none of it.
   */
  readonly readThrough: <ROut, E, RIn>(layer: Layer.Layer<ROut, E, RIn>, compiled: unknown) => Layer.Layer<ROut, E, RIn>
  /**
   * The problems of `services` (these entries, or what `filterEventMap` and the like made of
   * them), each naming its entry: checked with the map, as its `services` are.
   */
  readonly problems: (services: ServicesEvents<unknown>, vocabulary: AnyVocabulary) => Array<string>
}

/**
 * A `reached` entry: a method entry that may also read, before the call, from the object that
 * holds the function (a storage service's own `get`).
 *
 * @category Instrumentation
 */
export interface ReachedMethodEvents<
  Args extends ReadonlyArray<unknown> = any,
  A = any,
  E = any,
  V = AnyVocabulary
> extends MethodEvents<Args, A, E, V> {
  /**
   * A read the call waits for, before it runs, when the entry needs what the object knows and
   * the request has not told it (what tracking remembered went with an evicted isolate). What
   * the read succeeds with is learnt as `learn`'s result is; a read that fails teaches nothing,
   * and the call runs as it would. `undefined`: no read this time.
   */
  readonly readBefore?: (
    owner: any,
    args: Args,
    context: ContextOf<V>
  ) => Effect.Effect<ContextOf<V> | undefined, unknown> | undefined
}

const lateFields: unique symbol = Symbol.for("durable-effect-tracking/lateFields")

/**
 * Fields a recipe knows only later in the request (the batch size a debounce flush reports when
 * its request ends). The event keeps its place in the order, and events after it wait behind
 * it, until `fill` returns the late fields from the context learnt since; when the request
 * ends first, the event goes out without them.
 *
 * @category Instrumentation
 */
export const withLateFields = <F extends object, L extends object>(
  fields: F,
  fill: (context: CallContext) => L | undefined
): F & Partial<L> =>
  Object.defineProperty({ ...fields }, lateFields, { value: fill, enumerable: false }) as F & Partial<L>

/** The late-fields function a recipe attached, if any. */
export const fillOf = (fields: object): ((context: CallContext) => Record<string, unknown> | undefined) | undefined =>
  (fields as { [lateFields]?: (context: CallContext) => Record<string, unknown> | undefined })[lateFields]

/** The keys of `S` whose values are functions returning an Effect. */
export type EffectMethodKeys<S> = {
  [K in keyof S]-?: S[K] extends (...args: any) => Effect.Effect<any, any, any> ? K : never
}[keyof S]

/**
 * Typed method entries for a service shape `S` in the vocabulary `V`: a misspelt method, an event
 * type `V` does not have or a field of the wrong type is a compile error.
 *
 * @category Instrumentation
 */
export type MethodEntriesOf<S, V = AnyVocabulary> = {
  readonly [K in EffectMethodKeys<S>]?: S[K] extends (...args: infer Args) => Effect.Effect<infer A, infer E, any>
    ? MethodEvents<Args, A, E, V>
    : never
}

/**
 * Entries for a service, typed against its tag and the vocabulary of their events. The key of
 * the returned map is the tag's key, so the entries apply to every copy of the service's package.
 *
 * @example
 * ```ts
 * import { jobEvents, serviceEvents } from "durable-effect-tracking"
 * import { MetadataService } from "../services/index.js"
 *
 * // Typed against the tag and the vocabulary: a misspelt method, an unknown event type or a
 * // wrong event field does not compile.
 * export const terminations = serviceEvents(jobEvents, MetadataService, "MetadataService", {
 *   setStopReason: { success: { "job.terminated": ({ args: [reason] }) => ({ reason, source: "job" }) } }
 * })
 * ```
 *
 * @category Instrumentation
 */
export const serviceEvents = <V extends AnyVocabulary, I, S>(
  vocabulary: V,
  tag: Context.Tag<I, S>,
  service: string,
  methods: MethodEntriesOf<S, V>
): EventMap<V> => ({
  vocabulary,
  services: { [tag.key]: { service, methods: methods as ServiceEvents<V>["methods"] } }
})

/**
 * Entries for a service known only by its tag key and shape: how a library writes entries for
 * a package it does not import (`serviceEventsByKey<Shape>()(vocabulary, tagKey, name, entries)`).
 *
 * @category Instrumentation
 */
export const serviceEventsByKey =
  <S>() =>
  <V extends AnyVocabulary>(
    vocabulary: V,
    tagKey: string,
    service: string,
    methods: MethodEntriesOf<S, V>
  ): EventMap<V> => ({
    vocabulary,
    services: { [tagKey]: { service, methods: methods as ServiceEvents<V>["methods"] } }
  })

/**
 * Combines maps of one vocabulary, later ones winning: a method entry in a later map replaces the
 * same method's entry in an earlier one; other methods and services are kept.
 *
 * @throws InvalidEventMapError when a map is of another vocabulary than `base`'s.
 *
 * @example
 * ```ts
 * import { defaultJobsEventMap, extendEventMap, filterEventMap, jobEvents, serviceEvents } from "durable-effect-tracking"
 * import { MetadataService } from "../services/index.js"
 *
 * export const eventMap = extendEventMap(
 *   filterEventMap(defaultJobsEventMap, (type) => !type.startsWith("alarm.")),
 *   serviceEvents(jobEvents, MetadataService, "MetadataService", {
 *     initialize: { success: { "job.created": () => ({}) } }
 *   })
 * )
 * ```
 *
 * @category Instrumentation
 */
export const extendEventMap = <V extends AnyVocabulary>(
  base: EventMap<V>,
  ...overrides: ReadonlyArray<EventMap<V>>
): EventMap<V> => {
  for (const next of overrides) {
    const a = base.vocabulary
    const b = next.vocabulary
    // One vocabulary, or a copy of it (given its Schema for a decoder): the same name and types.
    if (a !== b && (a?.name !== b?.name || String(a?.types) !== String(b?.types)))
      throw new InvalidEventMapError({
        problems: [`a map of the "${b?.name}" vocabulary cannot extend one of the "${a?.name}" vocabulary`]
      })
  }
  return overrides.reduce<EventMap<V>>((acc, next) => {
    const services = mergeServices(acc.services, next.services)
    const reached =
      next.reached === undefined
        ? acc.reached
        : { ...next.reached, services: mergeServices(acc.reached?.services ?? {}, next.reached.services) }
    const functions = mergeFunctions(acc.functions, next.functions)
    const clock = next.clock ?? acc.clock
    const blindSpots =
      acc.blindSpots === undefined && next.blindSpots === undefined
        ? undefined
        : { ...acc.blindSpots, ...next.blindSpots }
    return {
      vocabulary: acc.vocabulary,
      services,
      ambient: { ...acc.ambient, ...next.ambient },
      ...(reached === undefined ? {} : { reached }),
      ...(functions === undefined ? {} : { functions }),
      ...(clock === undefined ? {} : { clock }),
      ...(blindSpots === undefined ? {} : { blindSpots })
    }
  }, base)
}

// A later map's method entry replaces the same method's entry; other methods and services are kept.
const mergeServices = <V>(earlier: ServicesEvents<V>, later: ServicesEvents<V>): ServicesEvents<V> => {
  const merged: Record<string, ServiceEvents<V>> = { ...earlier }
  for (const [key, entry] of Object.entries(later))
    merged[key] = { service: entry.service, methods: { ...merged[key]?.methods, ...entry.methods } }
  return merged
}

// A later map's function entry replaces the same function's entry; other functions are kept.
const mergeFunctions = <V>(
  earlier: EventMap<V & AnyVocabulary>["functions"],
  later: EventMap<V & AnyVocabulary>["functions"]
): EventMap<V & AnyVocabulary>["functions"] => {
  if (later === undefined) return earlier
  const merged: Record<string, FunctionsEvents<V>> = { ...earlier }
  for (const [namespace, entries] of Object.entries(later)) merged[namespace] = { ...merged[namespace], ...entries }
  return merged
}

/**
 * Removes a service's entries, or one method's.
 *
 * @category Instrumentation
 */
export const removeFromEventMap = <V extends AnyVocabulary>(
  base: EventMap<V>,
  tagKey: string,
  method?: string
): EventMap<V> => {
  const services: Record<string, ServiceEvents<V>> = { ...base.services }
  const entry = services[tagKey]
  if (entry === undefined) return base
  if (method === undefined) {
    delete services[tagKey]
  } else {
    const { [method]: _removed, ...methods } = entry.methods
    services[tagKey] = { service: entry.service, methods }
  }
  return { ...base, services }
}

/**
 * Keeps only the recipes for the given event types: a way to narrow coverage. An entry left
 * with nothing to emit keeps what it still does (`context`, `learn`, `learnOnFailure`) or is
 * dropped, and so is a service left without entries: the result is always a map
 * `withTracking` accepts.
 *
 * @category Instrumentation
 */
export const filterEventMap = <V extends AnyVocabulary>(
  base: EventMap<V>,
  keep: (type: EventTypeOf<V>) => boolean
): EventMap<V> => {
  const narrowServices = (entries: ServicesEvents<V>) => {
    const services: Record<string, ServiceEvents<V>> = {}
    for (const [key, entry] of Object.entries(entries)) {
      const methods: Record<string, MethodEvents<any, any, any, V>> = {}
      for (const [name, method] of Object.entries(entry.methods)) {
        const narrowed: MethodEvents<any, any, any, V> = {
          ...method,
          before: pick(method.before, keep),
          success: pick(method.success, keep),
          failure: pick(method.failure, keep),
          requires: pick(method.requires, keep)
        }
        if (emitsOrTeaches(narrowed)) methods[name] = narrowed
      }
      if (Object.keys(methods).length > 0) services[key] = { service: entry.service, methods }
    }
    return services
  }
  const services = narrowServices(base.services)
  const reachedServices = base.reached === undefined ? {} : narrowServices(base.reached.services)
  const reached =
    Object.keys(reachedServices).length === 0 ? undefined : { ...base.reached!, services: reachedServices }
  let functions: Record<string, FunctionsEvents<V>> | undefined
  for (const [namespace, entries] of Object.entries(base.functions ?? {})) {
    const kept: Record<string, FunctionEvents<any, any, any, V>> = {}
    for (const [name, entry] of Object.entries(entries)) {
      const narrowed: FunctionEvents<any, any, any, V> = {
        ...entry,
        before: pick(entry.before, keep),
        success: pick(entry.success, keep),
        failure: pick(entry.failure, keep),
        watch: mapWatch(entry.watch, (watched) => ({ ...watched, success: pick(watched.success, keep) })),
        requires: pick(entry.requires, keep)
      }
      if (functionRecipeCount(narrowed) > 0) kept[name] = narrowed
    }
    if (Object.keys(kept).length > 0) (functions ??= {})[namespace] = kept
  }
  const blindSpots = pick(base.blindSpots, keep)
  const { functions: _all, reached: _reached, ...rest } = base
  return {
    ...rest,
    services,
    ...(reached === undefined ? {} : { reached }),
    ...(functions === undefined ? {} : { functions }),
    ...(blindSpots === undefined ? {} : { blindSpots })
  }
}

type Watch<V> = FunctionEvents<any, any, any, V>["watch"]

const mapWatch = <V>(watch: Watch<V>, f: (method: WatchedMethod<any, V>) => WatchedMethod<any, V>): Watch<V> => {
  if (watch === undefined) return undefined
  const mapped: Record<string, Record<string, WatchedMethod<any, V>>> = {}
  for (const [key, methods] of Object.entries(watch)) {
    mapped[key] = {}
    for (const [name, method] of Object.entries(methods)) mapped[key][name] = f(method)
  }
  return mapped
}

/** The recipes of a function entry, by phase; `watch` gives each watched method's `success` as its own phase. */
export const functionPhases = (entry: FunctionEvents<any, any, any, any>): Array<object> => {
  const found: Array<object> = []
  for (const phase of phases) if (entry[phase] !== undefined) found.push(entry[phase])
  for (const methods of Object.values(entry.watch ?? {}))
    for (const method of Object.values(methods)) if (method.success !== undefined) found.push(method.success)
  return found
}

// A function entry does something only by emitting: its context serves its own recipes.
const functionRecipeCount = (entry: FunctionEvents<any, any, any, any>): number =>
  functionPhases(entry).reduce((count, recipes) => count + Object.keys(recipes).length, 0)

/**
 * Leaves the named fields out of every event the map emits (its recipes' fields and late
 * fields): how to stop sending what a map carries of a user's data, such as the upstream jobs
 * format's `input` and `preExecutionState`. Only a field its events may lack can go: an event
 * without a field its format requires does not decode.
 *
 * @example
 * ```ts
 * import { omitEventFields, upstreamJobsEventMap } from "durable-effect-tracking"
 *
 * // The upstream format without the job's input and its state before each run.
 * export const trackingEventMap = omitEventFields(upstreamJobsEventMap, ["input", "preExecutionState"])
 * ```
 *
 * @category Instrumentation
 */
export const omitEventFields = <V extends AnyVocabulary>(
  base: EventMap<V>,
  fields: ReadonlyArray<string>
): EventMap<V> => {
  const omitted = new Set(fields)
  const without = (value: Record<string, unknown> | undefined): Record<string, unknown> | undefined => {
    if (value === undefined) return undefined
    const kept: Record<string, unknown> = {}
    for (const key in value) if (!omitted.has(key)) kept[key] = value[key]
    const fill = fillOf(value)
    return fill === undefined ? kept : withLateFields(kept, (context) => without(fill(context)))
  }
  const narrow = <R extends object>(recipes: R | undefined): R | undefined => {
    if (recipes === undefined) return undefined
    const wrapped: Record<string, unknown> = {}
    for (const [type, recipe] of Object.entries(recipes)) {
      wrapped[type] =
        typeof recipe === "function"
          ? (call: unknown) => without((recipe as (call: unknown) => Record<string, unknown> | undefined)(call))
          : recipe
    }
    return wrapped as R
  }
  const narrowServices = (entries: ServicesEvents<V>) => {
    const services: Record<string, ServiceEvents<V>> = {}
    for (const [key, entry] of Object.entries(entries)) {
      const methods: Record<string, MethodEvents<any, any, any, V>> = {}
      for (const [name, method] of Object.entries(entry.methods)) {
        methods[name] = {
          ...method,
          before: narrow(method.before),
          success: narrow(method.success),
          failure: narrow(method.failure)
        }
      }
      services[key] = { service: entry.service, methods }
    }
    return services
  }
  const services = narrowServices(base.services)
  const reached =
    base.reached === undefined ? undefined : { ...base.reached, services: narrowServices(base.reached.services) }
  if (base.functions === undefined) return { ...base, services, ...(reached === undefined ? {} : { reached }) }
  const functions: Record<string, FunctionsEvents<V>> = {}
  for (const [namespace, entries] of Object.entries(base.functions)) {
    const narrowed: Record<string, FunctionEvents<any, any, any, V>> = {}
    for (const [name, entry] of Object.entries(entries)) {
      narrowed[name] = {
        ...entry,
        before: narrow(entry.before),
        success: narrow(entry.success),
        failure: narrow(entry.failure),
        watch: mapWatch(entry.watch, (watched) => ({ ...watched, success: narrow(watched.success) }))
      }
    }
    functions[namespace] = narrowed
  }
  return { ...base, services, ...(reached === undefined ? {} : { reached }), functions }
}

const pick = <R extends object>(recipes: R | undefined, keep: (type: never) => boolean): R | undefined => {
  if (recipes === undefined) return undefined
  const kept: Record<string, unknown> = {}
  for (const [type, recipe] of Object.entries(recipes)) if (keep(type as never)) kept[type] = recipe
  return kept as R
}

const recipeCount = (method: MethodEvents<any, any, any, any>): number =>
  phases.reduce((count, phase) => count + Object.keys(method[phase] ?? {}).length, 0)

/** Whether an entry does anything at run time: emits an event, or establishes or learns context. */
const emitsOrTeaches = (method: MethodEvents<any, any, any, any>): boolean =>
  recipeCount(method) > 0 ||
  method.context !== undefined ||
  method.learn !== undefined ||
  method.learnOnFailure !== undefined ||
  method.learnOnArgFailure !== undefined ||
  method.learnOnArgCall !== undefined ||
  (method as ReachedMethodEvents).readBefore !== undefined

/**
 * Adds what recipes rely on (see `RecipeRequirement`) to a map's entries, by tag key and
 * method; requirements for an entry the map does not have are ignored.
 *
 * @category Instrumentation
 */
export const withRequirements = <V extends AnyVocabulary>(
  base: EventMap<V>,
  requirements: MapRequirements<V>
): EventMap<V> => {
  const services: Record<string, ServiceEvents<V>> = { ...base.services }
  for (const [key, byMethod] of Object.entries(requirements)) {
    const entry = services[key]
    if (entry === undefined) continue
    const methods: Record<string, MethodEvents<any, any, any, V>> = { ...entry.methods }
    for (const [name, requires] of Object.entries(byMethod)) {
      const method = methods[name]
      if (method !== undefined) methods[name] = { ...method, requires: { ...method.requires, ...requires } }
    }
    services[key] = { service: entry.service, methods }
  }
  return { ...base, services }
}

export type { BlindSpot, BlindSpots, MapRequirements, RecipeRequirement, RecipeRequirements } from "./requirements.js"

/**
 * Thrown by `withTracking` for a malformed event map, naming every problem.
 *
 * @category Instrumentation
 */
export class InvalidEventMapError extends TaggedError("InvalidEventMapError")<{
  readonly problems: ReadonlyArray<string>
}> {
  override get message(): string {
    return `Invalid event map:\n${this.problems.map((problem) => `  - ${problem}`).join("\n")}`
  }
}

const phases = ["before", "success", "failure"] as const

/** What is wrong with a map's vocabulary, if anything: every other check needs a sound one. */
const vocabularyProblem = (vocabulary: unknown): string | undefined => {
  const v = vocabulary as Record<string, unknown> | null | undefined
  return v == null
    ? "no vocabulary: a map carries its events' (`serviceEvents(vocabulary, ...)`)"
    : ["hasType", "build", "attributeName"].some((key) => typeof v[key] !== "function") ||
        !Array.isArray(v["context"]) ||
        !Array.isArray(v["optionalContext"])
      ? "`vocabulary` is not one `defineVocabulary` made"
      : undefined
}

/** What is wrong with the map as a whole, if anything: every entry's check needs a sound one. */
const wholeMapProblem = (map: EventMap): string | undefined =>
  map === undefined
    ? "no event map: pass `{ eventMap }` (for a jobs runtime, `defaultJobsEventMap`)"
    : typeof map !== "object" || map === null || typeof map.services !== "object" || map.services === null
      ? "the map must be an object with a `services` record"
      : vocabularyProblem(map.vocabulary)

/**
 * Every problem of a map's shape, each naming the entry; empty when the map is sound.
 *
 * @category Instrumentation
 */
export const eventMapProblems = (map: EventMap): Array<string> => {
  const problems = serviceMapProblems(map)
  return wholeMapProblem(map) === undefined ? [...problems, ...functionMapProblems(map)] : problems
}

/**
 * The problems of all but a map's `functions`: what `withTracking` checks, which wraps services
 * only (`trackExports` checks the whole map), so that a Worker that never traces a function
 * bundles no function entry's check.
 */
export const serviceMapProblems = (map: EventMap): Array<string> => {
  const whole = wholeMapProblem(map)
  if (whole !== undefined) return [whole]
  const problems = serviceEntriesProblems(map.services, map.vocabulary)
  // The code that checks `reached` entries comes with them (see `ReachedEvents.problems`).
  const reached: Partial<ReachedEvents> | null | undefined = map.reached
  if (reached !== undefined)
    problems.push(
      ...(typeof reached?.problems === "function"
        ? reached.problems(reached.services ?? {}, map.vocabulary)
        : ["`reached` must be as `reachedEvents` makes it"])
    )
  for (const [key, read] of Object.entries(map.ambient ?? {})) {
    if (typeof read !== "function") problems.push(`ambient ${key}: must be a function of the service`)
  }
  if (map.clock !== undefined && (typeof map.clock.tagKey !== "string" || typeof map.clock.now !== "function")) {
    problems.push("clock: must be `{ tagKey, now(service) }`")
  }
  return problems
}

/** The problems of service entries by tag key: the map's `services`, or its `reached` ones. */
export const serviceEntriesProblems = (entries: ServicesEvents<unknown>, vocabulary: AnyVocabulary): Array<string> => {
  const problems: Array<string> = []
  for (const [key, entry] of Object.entries(entries)) {
    if (typeof entry?.service !== "string" || entry.service === "")
      problems.push(`${key}: \`service\` must name the service`)
    if (typeof entry?.methods !== "object" || entry.methods === null) {
      problems.push(`${key}: \`methods\` must be a record of method entries`)
      continue
    }
    const label = entry.service || key
    if (Object.keys(entry.methods).length === 0) problems.push(`${label}: no method entries`)
    for (const [name, method] of Object.entries(entry.methods)) {
      const where = `${label}.${name}`
      if (typeof method !== "object" || method === null) {
        problems.push(`${where}: an entry must be an object`)
        continue
      }
      for (const hook of ["context", "learn", "learnOnFailure"] as const) {
        if (method[hook] !== undefined && typeof method[hook] !== "function")
          problems.push(`${where}: \`${hook}\` must be a function`)
      }
      const byIndex: unknown = method.learnOnArgFailure
      if (byIndex !== undefined) {
        if (typeof byIndex !== "object" || byIndex === null)
          problems.push(`${where}: \`learnOnArgFailure\` must be a record of functions by argument index`)
        else
          for (const [index, learn] of Object.entries(byIndex))
            if (typeof learn !== "function")
              problems.push(`${where}: \`learnOnArgFailure\` for argument ${index} must be a function`)
      }
      // The check of `learnOnArgCall` comes with it (see `ArgCallLessons`).
      const calls: Partial<ArgCallLessons> | undefined = method.learnOnArgCall
      if (calls !== undefined)
        problems.push(
          ...(typeof calls?.problems === "function"
            ? calls.problems(where)
            : [`${where}: \`learnOnArgCall\` must be made by \`watchArgCalls\``])
        )
      if (method.requires !== undefined && (typeof method.requires !== "object" || method.requires === null)) {
        problems.push(`${where}: \`requires\` must be a record of requirements by event type`)
      }
      let recipes = 0
      for (const phase of phases) {
        const record = method[phase]
        if (record === undefined) continue
        for (const [type, recipe] of Object.entries(record)) {
          recipes++
          if (!vocabulary.hasType(type))
            problems.push(`${where}: \`${phase}\` names "${type}", which is not a ${vocabulary.name} event type`)
          if (typeof recipe !== "function")
            problems.push(`${where}: \`${phase}\` recipe for "${type}" must be a function`)
        }
      }
      if (recipes === 0 && !emitsOrTeaches(method)) {
        problems.push(`${where}: the entry emits nothing and establishes no context`)
      }
    }
  }
  return problems
}

/** The problems of a sound map's `functions`. */
const functionMapProblems = (map: EventMap): Array<string> => {
  if (map.functions !== undefined && (typeof map.functions !== "object" || map.functions === null))
    return ["`functions` must be a record of function entries by namespace"]
  const problems: Array<string> = []
  for (const [namespace, entries] of Object.entries(map.functions ?? {}))
    for (const [name, entry] of Object.entries(entries ?? {}))
      problems.push(...functionEntryProblems(`${namespace}.${name}`, entry, map.vocabulary))
  return problems
}

const functionEntryProblems = (
  where: string,
  entry: FunctionEvents<any, any, any, any>,
  vocabulary: AnyVocabulary
): Array<string> => {
  if (typeof entry !== "object" || entry === null) return [`${where}: an entry must be an object`]
  const problems: Array<string> = []
  if (entry.context !== undefined && typeof entry.context !== "function")
    problems.push(`${where}: \`context\` must be a function`)
  const checkRecipes = (label: string, record: object | undefined) => {
    for (const [type, recipe] of Object.entries(record ?? {})) {
      if (!vocabulary.hasType(type))
        problems.push(`${where}: \`${label}\` names "${type}", which is not a ${vocabulary.name} event type`)
      if (typeof recipe !== "function") problems.push(`${where}: \`${label}\` recipe for "${type}" must be a function`)
    }
  }
  for (const phase of phases) checkRecipes(phase, entry[phase])
  for (const [key, methods] of Object.entries(entry.watch ?? {})) {
    for (const [method, watched] of Object.entries(methods ?? {})) {
      if (watched.learn !== undefined && typeof watched.learn !== "function")
        problems.push(`${where}: \`watch\` ${key}.${method}: \`learn\` must be a function`)
      checkRecipes(`watch ${key}.${method}`, watched.success)
    }
  }
  if (functionRecipeCount(entry) === 0) problems.push(`${where}: the entry emits nothing`)
  return problems
}

/**
 * Throws {@link InvalidEventMapError} listing every problem, or returns the map.
 *
 * @category Instrumentation
 */
export const validateEventMap = <M extends EventMap>(map: M): M => throwProblems(map, eventMapProblems(map))

/** Throws {@link InvalidEventMapError} listing the problems, if any, or returns the map. */
export const throwProblems = <M>(map: M, problems: ReadonlyArray<string>): M => {
  if (problems.length > 0) throw new InvalidEventMapError({ problems })
  return map
}
