import { Effect, Exit, FiberRef } from "effect"
import { safeCall, safeRun, safeSite } from "../internal/safe.js"
import type { EventTrackerService } from "../tracker/EventTracker.js"
import type { JobEvent } from "../tracker/JobEvent.js"
import { makeJobEventFrom } from "../tracker/makeJobEvent.js"
import { fillOf, type CallInfo, type MethodEvents, type Recipes, type ServiceEvents } from "./EventMap.js"
import { reportDropped, type DroppedEvent } from "./drops.js"
import { classifyCause } from "./failure.js"
import { ContextFrame, currentFrame, type DeferredEvent, type JobContext } from "./JobContext.js"

/** What the proxies of one layer build share. */
export interface TrackingRuntime {
  /** Absent when only spans are wanted. */
  readonly tracker: EventTrackerService | undefined
  /** Job context known for the whole build (the instance id). */
  readonly ambient: JobContext
  /** The time events carry, in epoch milliseconds. */
  readonly now: Effect.Effect<number>
  readonly spans: boolean
}

// Every proxy this module made, so that wrapping twice never traces twice.
const trackedServices = new WeakSet<object>()

export const isTrackedService = (service: unknown): boolean =>
  typeof service === "object" && service !== null && trackedServices.has(service)

/**
 * A service that behaves exactly as `service` does, except that the methods `entry` maps emit
 * their events around each call. Every wrapped method is built here, once; other members
 * (values, sync functions not mapped) are read from the service itself.
 */
export const trackService = <S extends object>(service: S, entry: ServiceEvents, runtime: TrackingRuntime): S => {
  const wrapped = new Map<PropertyKey, unknown>()
  for (const [name, events] of Object.entries(entry.methods)) {
    const original: unknown = Reflect.get(service, name)
    if (typeof original !== "function") continue
    wrapped.set(name, traceMethod(service, original as (...args: Array<unknown>) => unknown, `${entry.service}.${name}`, events, runtime))
  }
  if (wrapped.size === 0) return service
  const tracked = canProxy(service, wrapped)
    ? new Proxy(service, {
        // `target` as receiver: getters and private fields of class-based services see the
        // real instance, as they would without tracking.
        get: (target, key) => (wrapped.has(key) ? wrapped.get(key) : Reflect.get(target, key, target))
      })
    : shadow(service, wrapped)
  trackedServices.add(tracked)
  return tracked
}

// A Proxy must return a frozen property's own value; such services get a shadow object instead.
const canProxy = (service: object, wrapped: Map<PropertyKey, unknown>): boolean => {
  for (const key of wrapped.keys()) {
    const descriptor = Object.getOwnPropertyDescriptor(service, key)
    if (descriptor !== undefined && descriptor.configurable === false && descriptor.writable === false) return false
  }
  return true
}

const shadow = <S extends object>(service: S, wrapped: Map<PropertyKey, unknown>): S => {
  const descriptors: PropertyDescriptorMap = {}
  for (const [key, value] of wrapped) descriptors[key as string] = { value, enumerable: true }
  return Object.create(service, descriptors) as S
}

const hasRecipes = (recipes: object | undefined): boolean => recipes !== undefined && Object.keys(recipes).length > 0

/** How a traced call runs, given the effect the method returned and its arguments. */
type Trace = (body: Effect.Effect<unknown, unknown, unknown>, args: Array<unknown>) => Effect.Effect<unknown, unknown, unknown>

const traceMethod = (
  target: object,
  original: (...args: Array<unknown>) => unknown,
  name: string,
  events: MethodEvents,
  runtime: TrackingRuntime
) => {
  const onlyLearns =
    events.context === undefined &&
    !runtime.spans &&
    !hasRecipes(events.before) &&
    !hasRecipes(events.success) &&
    !hasRecipes(events.failure)
  const trace = onlyLearns ? learnOnly(events, runtime) : traceFully(name, events, runtime)
  const observe = events.learnOnArgFailure
  return function traced(...args: Array<unknown>): unknown {
    // Called now, as the caller would have called it: a method that throws still throws, and a
    // member that returns something other than an Effect is handed back untouched.
    const result = original.apply(target, observe === undefined ? args : observeArgs(args, observe, runtime))
    return Effect.isEffect(result) ? trace(result as Effect.Effect<unknown, unknown, unknown>, args) : result
  }
}

/**
 * A method whose entry only learns (the metadata read that says whose alarm fired) needs no
 * clock, no mask and no outcome handler: what it teaches is applied when it ends.
 */
const learnOnly =
  (events: MethodEvents, runtime: TrackingRuntime): Trace =>
  (body, args) => {
    let traced = body
    if (events.learn !== undefined) {
      const learn = events.learn
      traced = Effect.tap(traced, (value) => learnInCurrentFrame(attempt(() => learn(value, args)), runtime))
    }
    if (events.learnOnFailure !== undefined) {
      const learn = events.learnOnFailure
      traced = Effect.tapErrorCause(traced, (cause) => learnInCurrentFrame(attempt(() => learn(classifyCause(cause), args)), runtime))
    }
    return traced
  }

/**
 * Effect arguments the entry watches (the user's effect handed to a retry executor) run exactly
 * as given: a failure passes through unchanged, after teaching the current call what it was.
 */
const observeArgs = (
  args: Array<unknown>,
  observe: NonNullable<MethodEvents["learnOnArgFailure"]>,
  runtime: TrackingRuntime
): Array<unknown> =>
  args.map((arg, index) => {
    const learn = observe[index]
    if (learn === undefined || !Effect.isEffect(arg)) return arg
    return Effect.tapErrorCause(arg as Effect.Effect<unknown, unknown, unknown>, (cause) =>
      learnInCurrentFrame(attempt(() => learn(classifyCause(cause))), runtime)
    )
  })

const learnInCurrentFrame = (knowledge: Readonly<Record<string, unknown>> | undefined, runtime: TrackingRuntime): Effect.Effect<void> =>
  knowledge === undefined
    ? Effect.void
    : Effect.flatMap(FiberRef.get(currentFrame), (frame) => (frame === undefined ? Effect.void : learnFrom(knowledge, frame, runtime)))

const traceFully =
  (name: string, events: MethodEvents, runtime: TrackingRuntime): Trace =>
  (body, args) => {
    // The "before" events and the outcome handler are set up while uninterruptible, so an
    // interruption lands either before anything was emitted or inside the call itself.
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(FiberRef.get(currentFrame), (caller) => {
        const own = events.context === undefined ? undefined : attempt(() => events.context!(args, caller?.context ?? runtime.ambient))
        const frame =
          caller === undefined ? new ContextFrame(undefined, { ...runtime.ambient, ...own }) : own === undefined ? caller : new ContextFrame(caller, own)
        return Effect.flatMap(runtime.now, (startedAt) => {
          const call: CallInfo<Array<unknown>> = { args, context: frame.context, startedAt }
          let run = restore(body)
          if (runtime.spans) run = Effect.withSpan(run, name, { attributes: spanAttributes(frame.context) })
          if (frame !== caller) run = Effect.locally(run, currentFrame, frame)
          const settle = (exit: Exit.Exit<unknown, unknown>) =>
            Effect.flatMap(runtime.now, (endedAt) => {
              const durationMs = Math.max(0, endedAt - startedAt)
              let outcome: Effect.Effect<void>
              // What the call taught comes first: events held back for it are older than the
              // ones its outcome emits.
              if (Exit.isSuccess(exit)) {
                const learnt = events.learn === undefined ? undefined : attempt(() => events.learn!(exit.value, args))
                outcome = Effect.zipRight(
                  learnFrom(learnt, frame, runtime),
                  emitPhase(events.success, { ...call, result: exit.value, durationMs }, name, frame, endedAt, runtime)
                )
              } else {
                const failed = classifyCause(exit.cause)
                const learnt = events.learnOnFailure === undefined ? undefined : attempt(() => events.learnOnFailure!(failed, args))
                outcome = Effect.zipRight(
                  learnFrom(learnt, frame, runtime),
                  emitPhase(events.failure, { ...call, ...failed, cause: exit.cause, durationMs }, name, frame, endedAt, runtime)
                )
              }
              // When the request's outermost call ends, events still waiting are emitted with
              // what is known (or dropped without a job to describe): nothing waits past it.
              return caller === undefined && runtime.tracker !== undefined
                ? Effect.zipRight(outcome, release(frame, runtime.tracker, true))
                : outcome
            })
          return Effect.zipRight(emitPhase(events.before, call, name, frame, startedAt, runtime), Effect.onExit(run, settle))
        })
      })
    )
  }

// A recipe (or context, learn, fill function) that throws emits nothing; the call goes on untouched.
const attempt = <A>(f: () => A): A | undefined => safeCall(eventMapSite, f, undefined)
const eventMapSite = safeSite("instrument/trackService", "an event map function")
const trackerEmitSite = safeSite("instrument/trackService", "tracker.emit")

const emitPhase = <C>(
  recipes: Recipes<C> | undefined,
  call: C,
  source: string,
  frame: ContextFrame,
  timestampMs: number,
  runtime: TrackingRuntime
): Effect.Effect<void> => {
  if (recipes === undefined || runtime.tracker === undefined) return Effect.void
  let emits: Effect.Effect<void> = Effect.void
  for (const type in recipes) {
    const recipe = recipes[type as keyof Recipes<C>] as ((call: C) => Record<string, unknown> | undefined) | undefined
    const fields = recipe === undefined ? undefined : attempt(() => recipe(call))
    if (fields !== undefined) emits = Effect.zipRight(emits, emitOrHold({ type, source, fields, timestampMs, fill: fillOf(fields) }, frame, runtime.tracker))
  }
  return emits
}

const emitOrHold = (event: DeferredEvent, frame: ContextFrame, tracker: EventTrackerService): Effect.Effect<void> => {
  const complete = frame.holding ? undefined : completeEvent(event, frame, false)
  if (complete === undefined) {
    frame.hold(event)
    return Effect.void
  }
  return emitSafely(complete, tracker)
}

const emitSafely = (event: JobEvent, tracker: EventTrackerService): Effect.Effect<void> =>
  safeRun(trackerEmitSite, Effect.suspend(() => tracker.emit(event as never)), Effect.void)

/**
 * The event with its context and late fields, or `undefined` while it must wait. `final`: the
 * request is over; late fields still unknown are left out, and an event without a job is dropped
 * (returned as `undefined`).
 */
const completeEvent = (event: DeferredEvent, frame: ContextFrame, final: boolean): JobEvent | undefined => {
  let fields = event.fields
  if (event.fill !== undefined) {
    // Late fields read what the whole request has learnt, the call's own context under it.
    const filled = attempt(() => event.fill!({ ...frame.fields, ...frame.root.fields }))
    if (filled !== undefined) fields = { ...fields, ...filled }
    else if (!final) return undefined
  }
  const context = frame.context
  const root = frame.root.context
  const instanceId = (fields.instanceId as string | undefined) ?? context.instanceId ?? root.instanceId
  const jobType = (fields.jobType as JobContext["jobType"]) ?? context.jobType ?? root.jobType
  const jobName = (fields.jobName as string | undefined) ?? context.jobName ?? root.jobName
  if (instanceId === undefined || jobType === undefined || jobName === undefined) return undefined
  return makeJobEventFrom(fields, event.type, instanceId, jobType, jobName, event.timestampMs)
}

/**
 * Emits the request's waiting events that can now be completed, in order, up to the first that
 * cannot. `final`: the request is over; events still without a job are dropped, and counted and
 * warned about once per `Service.method` (there was no job to describe).
 */
const release = (frame: ContextFrame, tracker: EventTrackerService, final: boolean): Effect.Effect<void> => {
  const waiting = frame.root.waiting
  if (waiting === undefined || waiting.length === 0) return Effect.void
  let emits: Effect.Effect<void> = Effect.void
  const dropped: Array<DroppedEvent> = []
  while (waiting.length > 0) {
    const head = waiting[0]!
    const complete = completeEvent(head.event, head.frame, final)
    if (complete === undefined && !final) break
    waiting.shift()
    if (complete !== undefined) emits = Effect.zipRight(emits, emitSafely(complete, tracker))
    else dropped.push({ event: head.event, context: { ...head.frame.root.context, ...head.frame.context } })
  }
  return dropped.length === 0 ? emits : Effect.zipRight(emits, reportDropped(dropped))
}

// Frames that just learnt context may now complete the events held back, in order.
const learnFrom = (
  knowledge: Readonly<Record<string, unknown>> | undefined,
  frame: ContextFrame,
  runtime: TrackingRuntime
): Effect.Effect<void> => {
  if (knowledge === undefined) return Effect.void
  const changed = frame.learn(knowledge)
  return changed && runtime.tracker !== undefined ? release(frame, runtime.tracker, false) : Effect.void
}

const spanAttributes = (context: JobContext): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {}
  if (context.instanceId !== undefined) attributes["job.instanceId"] = context.instanceId
  if (context.jobType !== undefined) attributes["job.type"] = context.jobType
  if (context.jobName !== undefined) attributes["job.name"] = context.jobName
  return attributes
}
