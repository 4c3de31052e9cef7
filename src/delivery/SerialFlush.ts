import { Effect } from "effect"
import * as Deferred from "effect/Deferred"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import { afterOnClock } from "./ClockTimer.js"

/** A buffering tracker's flushes, one at a time (see {@link makeSerialFlush}). */
export interface SerialFlush {
  /**
   * Makes sure the first `target` accepted events have had a delivery attempt by a flush that
   * ends by `deadline`: a running flush that covers them is joined; one that does not is
   * awaited, then the next one (itself shared) is run.
   */
  readonly upTo: (target: number, deadline: number) => Effect.Effect<void>
  /** Whether a flush is running now. */
  readonly running: () => boolean
}

/**
 * The flush discipline of a buffering tracker: one flush runs at a time; a caller whose events
 * a running flush covers joins it, one whose events came later waits for it and then runs
 * (or joins) the next. So one request is in flight at a time, concurrent calls share work,
 * and an event emitted during a flush goes with the next one. `emitted` counts events accepted
 * so far; `idle` says there is nothing to do; `run` flushes what is buffered when it starts.
 */
export const makeSerialFlush = (parts: {
  readonly emitted: () => number
  readonly idle: () => boolean
  readonly run: (deadline: number) => Effect.Effect<void>
}): SerialFlush => {
  let current: { readonly covers: number; readonly done: Deferred.Deferred<void> } | undefined
  const upTo = (target: number, deadline: number): Effect.Effect<void> =>
    Effect.suspend(() => {
      const running = current
      if (running !== undefined) {
        return Deferred.await(running.done).pipe(
          Effect.zipRight(running.covers >= target ? Effect.void : upTo(target, deadline))
        )
      }
      if (parts.idle()) return Effect.void
      const run = { covers: parts.emitted(), done: Deferred.unsafeMake<void>(FiberId.none) }
      current = run
      return parts.run(deadline).pipe(
        Effect.ensuring(
          Effect.suspend(() => {
            if (current === run) current = undefined
            return Deferred.done(run.done, Exit.void)
          })
        )
      )
    })
  return { upTo, running: () => current !== undefined }
}

/**
 * Runs a tracker's flush for at most `timeoutMs`, never failing. A caller may flush from an
 * uninterruptible region (a finalizer: `Effect.ensuring(flushEvents)`), where the timeout
 * could not interrupt it, so the flush runs in a fiber of its own that is always
 * interruptible, and the caller waits for that fiber.
 *
 * The caller waits `timeoutMs` at most, also when what the flush does as it is cut off takes
 * longer (an outbox's save or delete, run uninterruptibly as the flush ends): the flush's
 * interruption is disconnected, so that work goes on in the background while the caller
 * returns at the bound. Its events stay held (and counted as pending) until it ends; a later
 * flush waits for it (within its own bound) before it sends.
 */
export const boundedFlush = (timeoutMs: number, flush: Effect.Effect<void>): Effect.Effect<void> =>
  flush.pipe(
    Effect.disconnect,
    Effect.catchAllCause(() => Effect.void),
    interruptAfter(timeoutMs),
    Effect.interruptible,
    Effect.forkDaemon,
    Effect.flatMap(Fiber.await),
    Effect.asVoid
  )

/**
 * Interrupts the fiber that runs `self` once `ms` have passed on its Clock: a host timer under
 * the default Clock, else one sleeping fiber (see ClockTimer.ts). `Effect.timeout` races two
 * fibers, which a runtime that flushes at the end of every call paid every call.
 */
const interruptAfter =
  (ms: number) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withFiberRuntime<A, E, R>((fiber) =>
      Effect.flatMap(
        afterOnClock(ms, () => fiber.unsafeInterruptAsFork(fiber.id())),
        (cancel) => Effect.ensuring(self, Effect.sync(cancel))
      )
    )
