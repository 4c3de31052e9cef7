/**
 * A task run once `ms` have passed on the running fiber's Clock, without a fiber where it can.
 *
 * Why: the delivery engine bounds every flush and every send in time, and a jobs runtime
 * flushes at the end of every call. A sleeping fiber per bound (what `Effect.timeout` forks,
 * twice) was most of what a flush cost (see BENCHMARKS.md, issue 28). Effect's default Clock
 * sleeps on the host's `setTimeout`, so under it a host timer is set directly. Under any other
 * Clock (a `TestClock`, one a runtime provides) the task waits on that Clock's `sleep` in a
 * fiber of its own, as before: time stays the Clock's.
 */

import { Effect } from "effect"
import * as Clock from "effect/Clock"
import * as FiberId from "effect/FiberId"

/** Cancels the task if it has not run (nothing if it has). */
export type CancelTimer = () => void

// Effect's own default Clock, as a runtime without a Clock of its own has it (read once, lazily).
let defaultClock: Clock.Clock | undefined
let hostTimers = true

/** Hosts clamp longer timers (Node and browsers to about 24.8 days). */
const MAX_HOST_TIMER_MS = 2 ** 31 - 1

const isDefaultClock = (clock: Clock.Clock): boolean => {
  defaultClock ??= Effect.runSync(Effect.clock)
  return clock === defaultClock
}

/**
 * Runs `task` once `ms` have passed on the fiber's Clock, whatever becomes of the fiber that set
 * it; the effect returns its canceller.
 */
export const afterOnClock = (ms: number, task: () => void): Effect.Effect<CancelTimer> =>
  Effect.clockWith((clock) => afterOn(clock, ms, task))

/** {@link afterOnClock} on a Clock already read (a caller that also reads the time from it). */
export const afterOn = (clock: Clock.Clock, ms: number, task: () => void): Effect.Effect<CancelTimer> => {
  if (hostTimers && ms <= MAX_HOST_TIMER_MS && isDefaultClock(clock)) {
    const timer = setTimeout(task, ms)
    return Effect.succeed(() => clearTimeout(timer))
  }
  // A daemon, interruptible whatever the caller: the task is the timer's, not the caller's
  // (it runs though the caller has ended), and cancelling it works from an uninterruptible
  // caller too (a flush run from a finalizer).
  return Effect.map(
    Effect.forkDaemon(Effect.interruptible(Effect.zipRight(Clock.sleep(ms), Effect.sync(task)))),
    (fiber) => () => fiber.unsafeInterruptAsFork(FiberId.none)
  )
}

/**
 * Whether the default Clock's timers are host timers (default true). Tests and the bench turn
 * it off to run the fallback, a sleeping fiber, under the default Clock too.
 */
export const setHostTimers = (enabled: boolean): void => {
  hostTimers = enabled
}
