/**
 * Functions reached through the value of a service rather than called as its methods (a job's
 * definition in the registry a handler reads, and its `onIdle`): the map's `reached` entries,
 * keyed by the path to each function, traced as methods are. A layer's build is given a view of
 * the service: a proxy that hands out, along each path, views of the objects it passes and the
 * traced function at its end; everything else is read from the value itself.
 */

import { Context, Effect, Layer } from "effect"
import type { AnyVocabulary } from "../event/Vocabulary.js"
import { EventTracker, type EventTrackerService } from "../tracker/EventTracker.js"
import { isNoopTracker } from "../tracker/NoopTracker.js"
import {
  serviceEntriesProblems,
  type EventMap,
  type ReachedEvents,
  type ReachedMethodEvents,
  type ServiceEvents,
  type ServicesEvents
} from "./EventMap.js"
import {
  attempt,
  bindTrace,
  compileService,
  learnInCurrentFrame,
  type MethodPlan,
  type TrackingRuntime
} from "./trackService.js"
import { runtimeFor, type TrackingPlan } from "./withTracking.js"

/**
 * Entries for functions reached through the value of the service under `tagKey` rather than
 * called as its methods, by the path to each function in the value: its keys joined by dots, `*`
 * for any key. Each is traced as a method is (its arguments, how the effect it returns ends, what
 * it teaches its callers). They apply where a layer wrapped with `withTracking` reads the service
 * while it is built: what that layer takes from the value along a path it is given through a
 * view, and everything else as it is. A value without such a layer reading it is not seen.
 *
 * @example
 * ```ts
 * import { defineVocabulary, reachedEvents } from "durable-effect-tracking"
 *
 * type Ran = { readonly eventId: string; readonly timestamp: string; readonly type: "job.ran"; readonly job: string }
 * export const catalogEvents = defineVocabulary<Ran, "job">({ name: "catalog", types: ["job.ran"], context: ["job"] })
 *
 * // A runner takes each job's definition from the catalog service's value (`catalog.jobs[name]`)
 * // and calls its `run`: the job's name is the first argument, and its callers learn it ran.
 * export const runs = reachedEvents(catalogEvents, "app/Catalog", "Catalog", {
 *   "catalog.jobs.*.run": {
 *     learn: () => ({ ran: true }),
 *     success: { "job.ran": ({ args: [job] }) => ({ job: String(job) }) }
 *   }
 * })
 * ```
 *
 * @category Instrumentation
 */
export const reachedEvents = <V extends AnyVocabulary>(
  vocabulary: V,
  tagKey: string,
  service: string,
  paths: { readonly [path: string]: ReachedMethodEvents<any, any, any, V> }
): EventMap<V> => ({
  vocabulary,
  services: {},
  reached: { services: { [tagKey]: { service, methods: paths } }, readThrough, problems: reachedProblems }
})

/**
 * The problems of `reached` entries: those of any service entry, and each key of a path named,
 * `readBefore` a function.
 */
const reachedProblems = (services: ServicesEvents<unknown>, vocabulary: AnyVocabulary): Array<string> => {
  const problems = serviceEntriesProblems(services, vocabulary)
  for (const [key, entry] of Object.entries(services)) {
    for (const [path, method] of Object.entries<Partial<ReachedMethodEvents>>(entry?.methods ?? {})) {
      const where = `${entry.service || key}.${path}`
      if (path.split(".").includes("")) problems.push(`${where}: a path names each key, joined by dots`)
      if (method?.readBefore !== undefined && typeof method.readBefore !== "function")
        problems.push(`${where}: \`readBefore\` must be a function`)
    }
  }
  return problems.map((problem) => `reached ${problem}`)
}

/** One key of the paths: the keys after it, and the function's plan when a path ends here. */
interface PathStep {
  readonly next: Map<string, PathStep>
  method: MethodPlan | undefined
  /** The views made of objects at this step, by the runtime of the build they were made for. */
  readonly views: WeakMap<TrackingRuntime, WeakMap<object, object>>
}

const step = (): PathStep => ({ next: new Map(), method: undefined, views: new WeakMap() })

/** A service's entries, compiled: the first step of its paths. */
const compilePaths = (entry: ServiceEvents, plan: TrackingPlan): PathStep => {
  const root = step()
  for (const [path, method] of compileService(entry, plan.spans, plan.frames).methods) {
    let at = root
    for (const key of path.split(".")) {
      let next = at.next.get(key)
      if (next === undefined) at.next.set(key, (next = step()))
      at = next
    }
    at.method = method
  }
  return root
}

// Each map's paths, compiled once per compiled map.
const compiled = new WeakMap<TrackingPlan, ReadonlyMap<string, PathStep>>()

const pathsOf = (plan: TrackingPlan): ReadonlyMap<string, PathStep> => {
  let paths = compiled.get(plan)
  if (paths === undefined) {
    const services = (plan.eventMap.reached as ReachedEvents).services
    paths = new Map(Object.entries(services).map(([key, entry]) => [key, compilePaths(entry, plan)]))
    compiled.set(plan, paths)
  }
  return paths
}

/**
 * `layer`, whose build is given the services the map's reached entries follow through views,
 * each made for the build's runtime. Without a tracker (and without spans) its input is as it is.
 */
const readThrough = <ROut, E, RIn>(
  layer: Layer.Layer<ROut, E, RIn>,
  compiledMap: unknown
): Layer.Layer<ROut, E, RIn> => {
  const plan = compiledMap as TrackingPlan
  const paths = pathsOf(plan)
  // (`locallyEffect` types the build's effect with its parameters swapped: cast as it is.)
  return Layer.locallyEffect(
    layer,
    (build) =>
      Effect.mapInputContext(build as Effect.Effect<unknown, unknown, RIn>, (input: Context.Context<RIn>) => {
        const found = input.unsafeMap.get(EventTracker.key) as EventTrackerService | undefined
        const tracker = found !== undefined && !isNoopTracker(found) ? found : undefined
        if (tracker === undefined && !plan.spans) return input
        return viewServices(input, paths, runtimeFor(plan, tracker, input as Context.Context<unknown>, Context.empty()))
      }) as never
  )
}

/** The services of `input` that `paths` has entries for, seen through views made for `runtime`. */
const viewServices = <R>(
  input: Context.Context<R>,
  paths: ReadonlyMap<string, PathStep>,
  runtime: TrackingRuntime
): Context.Context<R> => {
  let services: Map<string, unknown> | undefined
  for (const [key, at] of paths) {
    const service: unknown = input.unsafeMap.get(key)
    if (typeof service !== "object" || service === null) continue
    ;(services ??= new Map(input.unsafeMap)).set(key, viewOf(service, at, runtime))
  }
  return services === undefined ? input : Context.unsafeMake<R>(services)
}

/**
 * `value` as the build made for `runtime` sees it at `at`: one view per object, step and
 * runtime, so that a value read twice is the same object both times.
 */
const viewOf = (value: object, at: PathStep, runtime: TrackingRuntime): object => {
  let byValue = at.views.get(runtime)
  if (byValue === undefined) at.views.set(runtime, (byValue = new WeakMap()))
  let view = byValue.get(value)
  if (view === undefined) byValue.set(value, (view = new Proxy(value, new PathView(at, runtime))))
  return view
}

// One per view: a class, so that a view makes no function of its own.
class PathView<T extends object> implements ProxyHandler<T> {
  // The traced functions read so far, by key, with the original each stands for.
  #bound: Map<string, readonly [original: unknown, traced: unknown]> | undefined = undefined
  readonly #at: PathStep
  readonly #runtime: TrackingRuntime

  constructor(at: PathStep, runtime: TrackingRuntime) {
    this.#at = at
    this.#runtime = runtime
  }

  // `target` as receiver, as a service proxy reads: getters see the object itself.
  get(target: T, key: PropertyKey): unknown {
    const value: unknown = Reflect.get(target, key, target)
    const next = typeof key === "string" ? (this.#at.next.get(key) ?? this.#at.next.get("*")) : undefined
    if (next === undefined || !replaceable(target, key)) return value
    if (typeof value === "function" && next.method !== undefined) {
      const known = this.#bound?.get(key as string)
      if (known !== undefined && known[0] === value) return known[1]
      const traced = traceReached(target, value as (...args: Array<unknown>) => unknown, next.method, this.#runtime)
      ;(this.#bound ??= new Map()).set(key as string, [value, traced])
      return traced
    }
    return typeof value === "object" && value !== null && next.next.size > 0
      ? viewOf(value, next, this.#runtime)
      : value
  }
}

/** The function traced as its entry says, after the entry's `readBefore`, if any, when it has one. */
const traceReached = (
  owner: object,
  original: (...args: Array<unknown>) => unknown,
  method: MethodPlan,
  runtime: TrackingRuntime
): ((...args: Array<unknown>) => unknown) => {
  const traced = bindTrace(owner, original, method, runtime)
  const readBefore = (method.events as ReachedMethodEvents).readBefore
  if (readBefore === undefined) return traced
  return (...args) => {
    // Called now, as the caller called it; the read runs first when its effect does.
    const result = traced(...args)
    if (!Effect.isEffect(result)) return result
    const call = result as Effect.Effect<unknown, unknown, unknown>
    return Effect.withFiberRuntime<unknown, unknown, unknown>((fiber) => {
      const context = fiber.getFiberRef(method.frames)?.context ?? runtime.ambient
      const read = attempt(() => readBefore(owner, args, context))
      if (!Effect.isEffect(read)) return call
      // Whatever the read does (fails, dies), the call goes on as it would have.
      const knowledge = Effect.catchAllCause(read, () => Effect.succeed(undefined))
      return Effect.zipRight(
        Effect.flatMap(knowledge, (known) => learnInCurrentFrame(known, runtime, method.frames)),
        call
      )
    })
  }
}

// A proxy must return a frozen property's own value: such a property is read as it is.
const replaceable = (target: object, key: PropertyKey): boolean => {
  const descriptor = Object.getOwnPropertyDescriptor(target, key)
  return descriptor === undefined || descriptor.configurable || descriptor.writable === true
}
