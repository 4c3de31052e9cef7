import { Context, Effect } from "effect"
import * as Option from "effect/Option"
import { type SafeSite, safeRun, safeRunNow, safeSite } from "../internal/safe.js"

/**
 * What a tracker does with events. `emit` only buffers (it must be cheap and must never fail);
 * `flush` delivers what was buffered; `pending` says how many events wait for delivery.
 *
 * `emit` is declared as a method so that a tracker of a narrower event type (an
 * `EventTrackerService<JobEvent>`) still fits the tag's `EventTrackerService<unknown>`.
 *
 * @category Trackers
 */
export interface EventTrackerService<E = unknown> {
  emit(event: E): Effect.Effect<void>
  flush(): Effect.Effect<void>
  pending(): Effect.Effect<number>
}

/**
 * The tracker service. The key is the one the durable-effect packages use, so a tracker
 * layer built by either side satisfies the other (tags are matched by key at run time).
 *
 * @category Trackers
 */
export class EventTracker extends Context.Tag("@durable-effect/EventTracker")<
  EventTracker,
  EventTrackerService<unknown>
>() {}

// A tracker is user code: it may fail, die or throw before it even returns an Effect.
// Whatever it does, the caller's effect goes on as if nothing happened.
const guarded = <A>(
  site: SafeSite,
  use: (tracker: EventTrackerService) => Effect.Effect<A>,
  fallback: Effect.Effect<A>
): Effect.Effect<A> =>
  Effect.flatMap(Effect.serviceOption(EventTracker), (tracker) =>
    Option.isNone(tracker)
      ? fallback
      : safeRun(
          site,
          Effect.suspend(() => use(tracker.value)),
          fallback
        )
  )

// `guarded` for a result of no value (a flush): the tracker is read off the running
// fiber, and its effect run in place when it is a plain `Effect.sync`/`Effect.succeed` (the
// in-memory tracker's, see `safeRunNow`): one effect operation where `guarded` takes five, at
// the end of every call of a jobs runtime.
const guardedVoid = (site: SafeSite, use: (tracker: EventTrackerService) => Effect.Effect<void>): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    const tracker = fiber.currentContext.unsafeMap.get(EventTracker.key) as EventTrackerService | undefined
    return tracker === undefined ? Effect.void : (safeRunNow(site, () => use(tracker)) ?? Effect.void)
  })

// Marked pure: a Worker that never calls these bundles none of them (a call at the top of a
// module is otherwise kept for what it might do).
const emitSite = /* @__PURE__ */ safeSite("tracker/EventTracker", "tracker.emit")
const flushSite = /* @__PURE__ */ safeSite("tracker/EventTracker", "tracker.flush")
const pendingSite = /* @__PURE__ */ safeSite("tracker/EventTracker", "tracker.pending")
const none = /* @__PURE__ */ Effect.succeed(0)

/**
 * Emits an event to the tracker in context, if any. Never fails; a failing tracker is logged once, at debug level.
 *
 * @category Trackers
 */
export const emitEvent = (event: unknown): Effect.Effect<void> =>
  guarded(emitSite, (tracker) => tracker.emit(event), Effect.void)

/**
 * Flushes the tracker in context, if any. Never fails; a failing tracker is logged once, at debug level.
 *
 * @category Trackers
 */
export const flushEvents: Effect.Effect<void> = /* @__PURE__ */ guardedVoid(flushSite, (tracker) => tracker.flush())

/**
 * The number of events the tracker in context holds undelivered; 0 without a tracker.
 *
 * @category Trackers
 */
export const getPendingEvents: Effect.Effect<number> = /* @__PURE__ */ guarded(
  pendingSite,
  (tracker) => tracker.pending(),
  none
)
