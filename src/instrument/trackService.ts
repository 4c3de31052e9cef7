import { Effect, type Cause, type FiberRef } from "effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import { setFiberRefNow } from "../internal/effectInternals.js"
import { safeApply, safeCall, safeRun, safeRunNow, safeSite } from "../internal/safe.js"
import type { EventTrackerService } from "../tracker/EventTracker.js"
import type { AnyVocabulary, EventParts } from "../event/Vocabulary.js"
import { fillOf, type MethodEvents, type Recipes, type ServiceEvents } from "./EventMap.js"
import { reportDropped, type DroppedEvent } from "./drops.js"
import { classifyCause } from "./failure.js"
import { ContextFrame, currentFrame, type CallContext, type DeferredEvent } from "./CallContext.js"

/**
 * A map's vocabulary, compiled once per plan: its context keys as arrays, the attribute name of
 * each, and the parts an event is built from, one object reused for every event (the vocabulary's
 * `build` reads them and keeps nothing of them), so that building an event allocates nothing but
 * the event.
 */
export class EventBuilder {
  readonly required: ReadonlyArray<string>
  readonly #optional: ReadonlyArray<string>
  readonly #build: (parts: EventParts) => unknown
  /** For each context key, required then optional, its span attribute name. */
  readonly attributes: ReadonlyArray<readonly [key: string, name: string]>
  readonly #values: Record<string, unknown> = {}
  readonly #parts: {
    type: string
    fields: Readonly<Record<string, unknown>>
    context: Record<string, unknown>
    timestampMs: number
  }

  constructor(vocabulary: AnyVocabulary) {
    this.required = [...vocabulary.context]
    this.#optional = vocabulary.optionalContext.filter((key: string) => !this.required.includes(key))
    this.#build = vocabulary.build
    this.attributes = [...this.required, ...this.#optional].map((key) => [key, vocabulary.attributeName(key)] as const)
    // Every key present from the start: the object keeps one shape.
    for (const key of [...this.required, ...this.#optional]) this.#values[key] = undefined
    this.#parts = { type: "", fields: this.#values, context: this.#values, timestampMs: 0 }
  }

  /**
   * The event from its fields, the call's context and the request's outermost one, or
   * `incomplete` while a required key is unknown; `undefined` when the vocabulary's `build` threw
   * (the event is not sent; the call goes on).
   */
  make(
    type: string,
    fields: Readonly<Record<string, unknown>>,
    context: CallContext,
    root: CallContext,
    timestampMs: number
  ): unknown {
    const values = this.#values
    const required = this.required
    for (let i = 0; i < required.length; i++) {
      const key = required[i]!
      const value = fields[key] ?? context[key] ?? root[key]
      if (value === undefined) return incomplete
      values[key] = value
    }
    const optional = this.#optional
    for (let i = 0; i < optional.length; i++) {
      const key = optional[i]!
      values[key] = fields[key] ?? context[key] ?? root[key]
    }
    const parts = this.#parts
    parts.type = type
    parts.fields = fields
    parts.timestampMs = timestampMs
    return safeApply(buildSite, this.#build, parts, undefined)
  }
}

/** What {@link EventBuilder.make} returns for an event that must wait for its context. */
const incomplete: unique symbol = Symbol("incomplete")

/** What the proxies of one layer build share. */
export interface TrackingRuntime {
  /** Absent when only spans are wanted. */
  readonly tracker: EventTrackerService | undefined
  /** The map's vocabulary, compiled: how events are completed and built. */
  readonly events: EventBuilder
  /** Context known for the whole build (the instance id). */
  readonly ambient: CallContext
  /** The time events carry, in epoch milliseconds. */
  readonly now: Effect.Effect<number>
  /** The same read in place, when the clock's effect is a plain `Effect.sync` (see effectInternals.ts). */
  readonly readNow?: (() => number) | undefined
}

/** How a traced call runs, given the build's runtime, the effect the method returned and its arguments. */
export type Trace = (
  runtime: TrackingRuntime,
  body: Effect.Effect<unknown, unknown, unknown>,
  args: Array<unknown>
) => Effect.Effect<unknown, unknown, unknown>

/** Where a map's traced calls keep their frames: one fiber ref per map applied to a call. */
type Frames = FiberRef.FiberRef<ContextFrame | undefined>

/** One mapped method, compiled: its entry, its trace, and the frames its lessons go to. */
export interface MethodPlan {
  readonly events: MethodEvents
  readonly trace: Trace
  readonly frames: Frames
}

/**
 * One service's entry, compiled once per `withTracking` call: the trace of each mapped method.
 * A layer build then only binds them to the service it built (see {@link trackService}).
 */
export interface ServicePlan {
  readonly service: string
  readonly methods: ReadonlyMap<string, MethodPlan>
}

/**
 * `frames`: where the calls keep their frames. One map's own (`currentFrame`) unless several
 * maps trace the same calls: each keeps its context and its waiting events apart, as if alone.
 */
export const compileService = (entry: ServiceEvents, spans: boolean, frames: Frames = currentFrame): ServicePlan => ({
  service: entry.service,
  methods: new Map(
    Object.entries(entry.methods).map(([name, events]) => [
      name,
      {
        events,
        frames,
        trace: onlyLearns(events, spans)
          ? learnOnly(events, frames)
          : traceFully(`${entry.service}.${name}`, events, spans, frames)
      }
    ])
  )
})

// Every proxy this module made, so that wrapping twice never traces twice.
const trackedServices = new WeakSet<object>()

export const isTrackedService = (service: unknown): boolean =>
  typeof service === "object" && service !== null && trackedServices.has(service)

/**
 * A service that behaves exactly as `service` does, except that the methods `plan` maps emit
 * their events around each call. Other members (values, sync functions not mapped) are read from
 * the service itself. `missing` receives the mapped methods the service lacks.
 *
 * A jobs runtime builds its services afresh on every call and uses few of their methods in each,
 * so a method is bound to its trace when it is first read, not when the service is wrapped.
 */
export const trackService = <S extends object>(
  service: S,
  plan: ServicePlan,
  runtime: TrackingRuntime,
  missing?: (method: string) => void
): S => {
  let present = 0
  // A Proxy must return a frozen property's own value; such services get a shadow object instead.
  let proxiable = true
  for (const name of plan.methods.keys()) {
    if (typeof Reflect.get(service, name) !== "function") {
      missing?.(name)
      continue
    }
    present++
    const descriptor = Object.getOwnPropertyDescriptor(service, name)
    if (descriptor !== undefined && descriptor.configurable === false && descriptor.writable === false)
      proxiable = false
  }
  if (present === 0) return service
  const tracked = proxiable
    ? new Proxy(service, new TrackedMembers(plan.methods, runtime))
    : shadow(service, plan.methods, runtime)
  trackedServices.add(tracked)
  return tracked
}

// One per tracked service: a class, so that a build makes no function for it.
class TrackedMembers<S extends object> implements ProxyHandler<S> {
  // The traced methods read so far, each bound once per service.
  #bound: Map<PropertyKey, unknown> | undefined = undefined

  readonly #methods: ReadonlyMap<string, MethodPlan>
  readonly #runtime: TrackingRuntime

  constructor(methods: ReadonlyMap<string, MethodPlan>, runtime: TrackingRuntime) {
    this.#methods = methods
    this.#runtime = runtime
  }

  // `target` as receiver: getters and private fields of class-based services see the real
  // instance, as they would without tracking.
  get(target: S, key: PropertyKey): unknown {
    const method = typeof key === "string" ? this.#methods.get(key) : undefined
    if (method === undefined) return Reflect.get(target, key, target)
    const known = this.#bound?.get(key)
    if (known !== undefined) return known
    const original: unknown = Reflect.get(target, key, target)
    if (typeof original !== "function") return original
    const traced = bindTrace(target, original as (...args: Array<unknown>) => unknown, method, this.#runtime)
    ;(this.#bound ??= new Map()).set(key, traced)
    return traced
  }
}

const shadow = <S extends object>(
  service: S,
  methods: ReadonlyMap<string, MethodPlan>,
  runtime: TrackingRuntime
): S => {
  const descriptors: PropertyDescriptorMap = {}
  for (const [key, method] of methods) {
    const original: unknown = Reflect.get(service, key)
    if (typeof original !== "function") continue
    const value = bindTrace(service, original as (...args: Array<unknown>) => unknown, method, runtime)
    descriptors[key] = { value, enumerable: true }
  }
  return Object.create(service, descriptors) as S
}

export const hasRecipes = (recipes: object | undefined): boolean =>
  recipes !== undefined && Object.keys(recipes).length > 0

const onlyLearns = (events: MethodEvents, spans: boolean): boolean =>
  events.context === undefined &&
  !spans &&
  !hasRecipes(events.before) &&
  !hasRecipes(events.success) &&
  !hasRecipes(events.failure)

/** `original`, called on `target`, traced by `plan` with the build's `runtime`. */
export const bindTrace = (
  target: object,
  original: (...args: Array<unknown>) => unknown,
  { events, trace, frames }: MethodPlan,
  runtime: TrackingRuntime
) => {
  const observe = events.learnOnArgFailure
  const calls = events.learnOnArgCall
  const learnHere =
    calls === undefined
      ? undefined
      : (lesson: Readonly<Record<string, unknown>> | undefined) => learnNow(lesson, frames)
  // Anonymous, as the member it stands for has its own name (and tsx would name it per build).
  return function (...args: Array<unknown>): unknown {
    // Called now, as the caller would have called it: a method that throws still throws, and a
    // member that returns something other than an Effect is handed back untouched.
    let given = observe === undefined ? args : observeArgs(args, observe, runtime, frames)
    if (calls !== undefined) given = calls.watch(given, learnHere!)
    const result = original.apply(target, given)
    return Effect.isEffect(result) ? trace(runtime, result as Effect.Effect<unknown, unknown, unknown>, args) : result
  }
}

/**
 * A method whose entry only learns (the metadata read that says whose alarm fired) needs no
 * clock, no mask and no outcome handler: what it teaches is applied when it ends.
 */
const learnOnly = (events: MethodEvents, frames: Frames): Trace => {
  const learn = events.learn
  const learnOnFailure = events.learnOnFailure
  return (runtime, body, args) => {
    let traced = body
    if (learn !== undefined) {
      // Not `Effect.tap`: a call that teaches nothing (the usual case) goes on with its value
      // at once, and one that teaches does it in place on the fiber that ran it.
      traced = Effect.flatMap(traced, (value) => {
        const knowledge = attempt(() => learn(value, args))
        return knowledge === undefined
          ? Effect.succeed(value)
          : Effect.as(learnInCurrentFrame(knowledge, runtime, frames), value)
      })
    }
    if (learnOnFailure !== undefined) {
      traced = Effect.tapErrorCause(traced, (cause) =>
        learnInCurrentFrame(
          attempt(() => learnOnFailure(classifyCause(cause), args)),
          runtime,
          frames
        )
      )
    }
    return traced
  }
}

/**
 * Effect arguments the entry watches (the user's effect handed to a retry executor) run exactly
 * as given: a failure passes through unchanged, after teaching the current call what it was.
 */
const observeArgs = (
  args: Array<unknown>,
  observe: NonNullable<MethodEvents["learnOnArgFailure"]>,
  runtime: TrackingRuntime,
  frames: Frames
): Array<unknown> =>
  args.map((arg, index) => {
    const learn = observe[index]
    if (learn === undefined || !Effect.isEffect(arg)) return arg
    return Effect.tapErrorCause(arg as Effect.Effect<unknown, unknown, unknown>, (cause) =>
      learnInCurrentFrame(
        attempt(() => learn(classifyCause(cause))),
        runtime,
        frames
      )
    )
  })

/**
 * Teaches the innermost traced call of the running fiber, in place (from plain code it runs): in
 * the frames of the map whose entry watches the call.
 */
const learnNow = (knowledge: Readonly<Record<string, unknown>> | undefined, frames: Frames): void => {
  if (knowledge === undefined) return
  const fiber = Fiber.getCurrentFiber()
  if (Option.isNone(fiber)) return
  fiber.value.getFiberRef(frames)?.learn(knowledge)
}

/** Teaches the innermost traced call of the running fiber (in the frames of the map whose entry learnt it). */
export const learnInCurrentFrame = (
  knowledge: Readonly<Record<string, unknown>> | undefined,
  runtime: TrackingRuntime,
  frames: Frames
): Effect.Effect<void> =>
  knowledge === undefined
    ? Effect.void
    : Effect.withFiberRuntime((fiber) => {
        const frame = fiber.getFiberRef(frames)
        return frame === undefined ? Effect.void : learnFrom(knowledge, frame, runtime)
      })

export const traceFully = (
  name: string,
  events: MethodEvents,
  spans: boolean,
  frames: Frames = currentFrame
): Trace => {
  const { context, learn, learnOnFailure, before, success, failure } = events
  const hasBefore = hasRecipes(before)
  // An entry with no recipes (one that only establishes context, or learns) never reads times.
  const timed = hasBefore || hasRecipes(success) || hasRecipes(failure)
  const at = <A, E, R>(runtime: TrackingRuntime, f: (ms: number) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    timed ? atTime(runtime, f) : f(0)
  // The call's frame, its "before" events and its outcome handler are set up while
  // uninterruptible, so an interruption lands either before anything was emitted or inside the
  // call itself; the handler runs uninterruptible too (what `Effect.onExit` does, here without a
  // mask and an exit of its own). The frame is the fiber's for as long as the call runs (what
  // `Effect.locally` does): set first, and put back first thing by the handler, in place on the
  // fiber that runs this code (no effect operation of its own).
  return (runtime, body, args) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.withFiberRuntime<unknown, unknown, unknown>((fiber) => {
        const caller = fiber.getFiberRef(frames)
        const own =
          context === undefined
            ? undefined
            : attempt(() => context(args, caller?.context ?? runtime.ambient, runtime.ambient))
        const frame =
          caller === undefined
            ? new ContextFrame(undefined, own, runtime.ambient)
            : own === undefined
              ? caller
              : new ContextFrame(caller, own)
        const ownFrame = frame !== caller
        // When the request's outermost call ends, events still waiting are emitted with what is
        // known (or dropped without the context to describe them): nothing waits past it.
        const outermost = caller === undefined
        const framed = ownFrame ? setFiberRefNow(fiber, frames, frame) : undefined
        const started = at(runtime, (startedAt) => {
          const context = frame.context
          // What the call taught comes first: events held back for it are older than the ones
          // its outcome emits. (Object literals, not spreads of a shared call object: a spread
          // here cost microseconds per call.)
          // The handlers are assigned to an object, not declared as named functions: tsx (which
          // the bench runs the source with) names each named function literal as it is made,
          // a property definition per call.
          const handlers = {} as {
            onSuccess: (value: unknown) => Effect.Effect<unknown>
            onFailure: (cause: Cause.Cause<unknown>) => Effect.Effect<never, unknown>
          }
          // The handlers run on the fiber that runs this code (a continuation stays on its
          // fiber), so they put the frame back on `fiber` without reading it again.
          handlers.onSuccess = (value) => {
            const unframed = ownFrame ? setFiberRefNow(fiber, frames, caller) : undefined
            const settled = at(runtime, (endedAt) =>
              new Emits(runtime).ended(
                learn === undefined ? undefined : attempt(() => learn(value, args)),
                success,
                success === undefined
                  ? undefined
                  : { args, context, startedAt, result: value, durationMs: Math.max(0, endedAt - startedAt) },
                name,
                frame,
                endedAt,
                outermost
              )
            )
            const done = settled === Effect.void ? Effect.succeed(value) : Effect.as(settled, value)
            return unframed === undefined ? done : Effect.zipRight(unframed, done)
          }
          handlers.onFailure = (cause) => {
            const unframed = ownFrame ? setFiberRefNow(fiber, frames, caller) : undefined
            const settled = at(runtime, (endedAt) => {
              const outcome = classifyCause(cause)
              return new Emits(runtime).ended(
                learnOnFailure === undefined ? undefined : attempt(() => learnOnFailure(outcome, args)),
                failure,
                failure === undefined
                  ? undefined
                  : {
                      args,
                      context,
                      startedAt,
                      kind: outcome.kind,
                      error: outcome.error,
                      defect: outcome.defect,
                      cause,
                      durationMs: Math.max(0, endedAt - startedAt)
                    },
                name,
                frame,
                endedAt,
                outermost
              )
            })
            const done =
              settled === Effect.void ? Effect.failCause(cause) : Effect.zipRight(settled, Effect.failCause(cause))
            return unframed === undefined ? done : Effect.zipRight(unframed, done)
          }
          let call = Effect.matchCauseEffect(restore(body), handlers)
          if (hasBefore) {
            const emits = new Emits(runtime)
            emits.phase(before!, { args, context, startedAt }, name, frame, startedAt)
            if (emits.effect !== Effect.void) call = Effect.zipRight(emits.effect, call)
          }
          // The call's events are emitted inside its span, so a tracker that reads the current
          // span (the OpenTelemetry logs tracker) correlates them with the method's own span. (An
          // emit run in place, above, reads no span: only a plain `Effect.sync` is run so.)
          // No stack captured: it would show where this module calls `withSpan`, never the user's code.
          return spans
            ? Effect.withSpan(call, name, {
                attributes: spanAttributes(context, runtime.events),
                captureStackTrace: false
              })
            : call
        })
        return framed === undefined ? started : Effect.zipRight(framed, started)
      })
    )
}

/**
 * `f` of the time now: read in place when the build's clock is a plain `Effect.sync` (see
 * effectInternals.ts), else as an effect. A clock that throws in place is read as an effect, which
 * falls back to Effect's `Clock` (and says so once).
 */
export const atTime = <A, E, R>(
  runtime: TrackingRuntime,
  f: (ms: number) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  const read = runtime.readNow
  if (read !== undefined) {
    let ms: number | undefined
    try {
      ms = read()
    } catch {
      ms = undefined
    }
    if (ms !== undefined) return f(ms)
  }
  return Effect.flatMap(runtime.now, f)
}

// A recipe (or context, learn, fill function) that throws emits nothing; the call goes on untouched.
export const attempt = <A>(f: () => A): A | undefined => safeCall(eventMapSite, f, undefined)
const eventMapSite = safeSite("instrument/trackService", "an event map function")
const buildSite = safeSite("instrument/trackService", "a vocabulary's build")
const trackerEmitSite = safeSite("instrument/trackService", "tracker.emit")

// A tracker is user code: whatever its emit does (throw, fail, die), the call goes on.
const emitSafely = (event: unknown, tracker: EventTrackerService): Effect.Effect<void> =>
  safeRun(
    trackerEmitSite,
    Effect.suspend(() => tracker.emit(event as never)),
    Effect.void
  )

/**
 * What one step of a call emits (its phase's recipes, what a lesson released, what its end
 * released or dropped): each event is built, held back or handed to the tracker as the step is
 * set up, in order, each emit guarded on its own; `effect` runs them.
 */
export class Emits {
  effect: Effect.Effect<void> = Effect.void
  readonly #tracker: EventTrackerService | undefined
  readonly #events: EventBuilder

  constructor(runtime: TrackingRuntime) {
    this.#tracker = runtime.tracker
    this.#events = runtime.events
  }

  phase<C>(recipes: Recipes<C>, call: C, source: string, frame: ContextFrame, timestampMs: number): void {
    if (this.#tracker === undefined) return
    for (const type in recipes) {
      const recipe = recipes[type as keyof Recipes<C>] as ((call: C) => Record<string, unknown> | undefined) | undefined
      const fields = recipe === undefined ? undefined : attempt(() => recipe(call))
      if (fields !== undefined) this.#emitOrHold({ type, source, fields, timestampMs, fill: fillOf(fields) }, frame)
    }
  }

  /**
   * A call's end, in order: what it taught, its phase's events (`call` is made only for a phase
   * with recipes), and, when the request's outermost call ends, what still waits (see `release`).
   * Returns the effect that runs them.
   */
  ended<C>(
    knowledge: Readonly<Record<string, unknown>> | undefined,
    recipes: Recipes<C> | undefined,
    call: C | undefined,
    source: string,
    frame: ContextFrame,
    timestampMs: number,
    outermost: boolean
  ): Effect.Effect<void> {
    this.learnt(knowledge, frame)
    if (recipes !== undefined) this.phase(recipes, call as C, source, frame, timestampMs)
    if (outermost) this.release(frame, true)
    return this.effect
  }

  // Frames that just learnt context may now complete the events held back, in order.
  learnt(knowledge: Readonly<Record<string, unknown>> | undefined, frame: ContextFrame): void {
    if (knowledge === undefined) return
    const changed = frame.learn(knowledge)
    if (changed && this.#tracker !== undefined) this.release(frame, false)
  }

  /**
   * Emits the request's waiting events that can now be completed, in order, up to the first that
   * cannot. `final`: the request is over; events still without their context are dropped, and
   * counted and warned about once per `Service.method` (there was nothing to describe).
   */
  release(frame: ContextFrame, final: boolean): void {
    const waiting = frame.root.waiting
    if (this.#tracker === undefined || waiting === undefined || waiting.length === 0) return
    let dropped: Array<DroppedEvent> | undefined
    while (waiting.length > 0) {
      const head = waiting[0]!
      const complete = completeEvent(head.event, head.frame, final, this.#events)
      if (complete === incomplete && !final) break
      waiting.shift()
      if (complete === incomplete)
        (dropped ??= []).push({ event: head.event, context: { ...head.frame.root.context, ...head.frame.context } })
      else if (complete !== undefined) this.#emit(complete, this.#tracker)
    }
    if (dropped !== undefined) this.#add(reportDropped(dropped, this.#events.required))
  }

  #emitOrHold(event: DeferredEvent, frame: ContextFrame): void {
    const complete = frame.holding ? incomplete : completeEvent(event, frame, false, this.#events)
    if (complete === incomplete) frame.hold(event)
    else if (complete !== undefined) this.#emit(complete, this.#tracker!)
  }

  // In place where the tracker's emit is a plain `Effect.sync` (see `safeRunNow`), as an effect
  // otherwise; once one waits as an effect, those after it wait too, so events keep their order.
  #emit(event: unknown, tracker: EventTrackerService): void {
    if (this.effect !== Effect.void) this.#add(emitSafely(event, tracker))
    else this.effect = safeRunNow(trackerEmitSite, () => tracker.emit(event as never)) ?? Effect.void
  }

  #add(effect: Effect.Effect<void>): void {
    this.effect = this.effect === Effect.void ? effect : Effect.zipRight(this.effect, effect)
  }
}

/**
 * The event with its context and late fields, `incomplete` while it must wait, or `undefined`
 * when it could not be built. `final`: the request is over; late fields still unknown are left
 * out (an event still without its context is dropped by the caller).
 */
const completeEvent = (event: DeferredEvent, frame: ContextFrame, final: boolean, events: EventBuilder): unknown => {
  let fields = event.fields
  if (event.fill !== undefined) {
    // Late fields read what the whole request has learnt, the call's own context under it.
    const filled = attempt(() => event.fill!({ ...frame.fields, ...frame.root.fields }))
    if (filled !== undefined) fields = { ...fields, ...filled }
    else if (!final) return incomplete
  }
  return events.make(event.type, fields, frame.fields, frame.root.fields, event.timestampMs)
}

const learnFrom = (
  knowledge: Readonly<Record<string, unknown>>,
  frame: ContextFrame,
  runtime: TrackingRuntime
): Effect.Effect<void> => {
  const emits = new Emits(runtime)
  emits.learnt(knowledge, frame)
  return emits.effect
}

// Each context key known, under the vocabulary's attribute name for it (`job.instanceId`).
const spanAttributes = (context: CallContext, events: EventBuilder): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {}
  const names = events.attributes
  for (let i = 0; i < names.length; i++) {
    const [key, name] = names[i]!
    const value = context[key]
    if (value !== undefined) attributes[name] = value
  }
  return attributes
}
