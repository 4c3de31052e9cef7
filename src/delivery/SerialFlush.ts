import { Effect } from "effect"
import * as FiberId from "effect/FiberId"
import { safeRun, type SafeSite } from "../internal/safe.js"
import { afterOnClock, type CancelTimer } from "./ClockTimer.js"

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
  // The flush running now: the events it covers, and the callers waiting for its end (not a
  // `Deferred`: making one copies Effect's prototype, and a jobs runtime flushes every call).
  let current: { readonly covers: number; readonly waiting: Array<Resume> } | undefined
  const upTo = (target: number, deadline: number): Effect.Effect<void> =>
    Effect.suspend(() => {
      const running = current
      if (running !== undefined) {
        // A caller interrupted while waiting stops waiting (Effect ignores a later resume).
        const ended = Effect.async<void>((resume) => {
          if (current === running) running.waiting.push(resume)
          else resume(Effect.void)
        })
        return Effect.zipRight(ended, running.covers >= target ? Effect.void : upTo(target, deadline))
      }
      if (parts.idle()) return Effect.void
      const run = { covers: parts.emitted(), waiting: [] as Array<Resume> }
      current = run
      return Effect.ensuring(
        parts.run(deadline),
        Effect.sync(() => {
          current = undefined
          for (const resume of run.waiting) resume(Effect.void)
        })
      )
    })
  return { upTo, running: () => current !== undefined }
}

/** How a caller waiting for a flush's end is resumed. */
type Resume = (effect: Effect.Effect<void>) => void

/**
 * Runs a tracker's flush for at most `timeoutMs`, never failing. A caller may flush from an
 * uninterruptible region (a finalizer: `Effect.ensuring(flushEvents)`), where the timeout
 * could not interrupt it, so the flush runs in a fiber of its own that is always
 * interruptible, and the caller waits for that fiber.
 *
 * The caller waits `timeoutMs` at most, also when what the flush does as it is cut off takes
 * longer (an outbox's save or delete, run uninterruptibly as the flush ends): at the bound the
 * flush's fiber is interrupted without waiting for it, so that work goes on in the background
 * while the caller returns. Its events stay held (and counted as pending) until it ends; a later
 * flush waits for it (within its own bound) before it sends.
 *
 * The bound is one timer on the Clock (a host timer under the default Clock, see ClockTimer.ts),
 * set by the caller and cleared when the flush's fiber ends: no fiber of the flush's own is
 * raced, disconnected or joined (a jobs runtime flushes at the end of every call).
 */
export const boundedFlush = (timeoutMs: number, flush: Effect.Effect<void>): Effect.Effect<void> => {
  const detached = Effect.interruptible(Effect.catchAllCause(flush, () => Effect.void))
  return Effect.flatMap(Effect.forkDaemon(detached), (fiber) => {
    const wait = new BoundedWait(() => fiber.unsafeInterruptAsFork(FiberId.none))
    fiber.addObserver(wait.ended)
    return Effect.flatMap(afterOnClock(timeoutMs, wait.timeUp), wait.armed)
  })
}

/**
 * Waits at most `timeoutMs` for the promise `start` returns (an OpenTelemetry provider's
 * `forceFlush`), never failing: a throw, or a rejection within the bound, ends the wait as its
 * settling does, the first one at `site` logged (a rejection after the bound is not seen: the
 * caller has gone on). Unlike {@link boundedFlush}, no fiber: the promise goes on by itself,
 * so the bound is only the caller's wait, one timer set and cleared. A caller may wait from an
 * uninterruptible region (a finalizer); the timer still ends the wait.
 */
export const boundedPromise = (timeoutMs: number, site: SafeSite, start: () => unknown): Effect.Effect<void> =>
  Effect.suspend(() => {
    const failed = () => safeRun(site, Effect.fail("rejected"), Effect.void)
    let promise: unknown
    try {
      promise = start()
    } catch {
      return failed()
    }
    if (!isPromiseLike(promise)) return Effect.void
    const wait = new BoundedWait(undefined)
    promise.then(wait.ended, () => wait.end(failed()))
    return Effect.flatMap(afterOnClock(timeoutMs, wait.timeUp), wait.armed)
  })

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === "function"

/**
 * A caller's wait for a flush: over when the flush ends (the timer is then cleared) or when the
 * time is up (`onTimeUp` then runs: a flush's fiber is interrupted, and not waited for). A caller
 * interrupted while waiting stops waiting (Effect ignores a later resume of an interrupted wait);
 * the timer still bounds the flush.
 */
class BoundedWait {
  // `#private`: the minifier renames these (class properties it cannot).
  readonly #onTimeUp: (() => void) | undefined
  #over = false
  #outcome: Effect.Effect<void> = Effect.void
  #resume: ((effect: Effect.Effect<void>) => void) | undefined = undefined
  #cancel: CancelTimer | undefined = undefined

  constructor(onTimeUp: (() => void) | undefined) {
    this.#onTimeUp = onTimeUp
  }

  readonly timeUp = (): void => {
    this.#onTimeUp?.()
    this.#release()
  }

  /** Once the timer is set: waits for the flush's end or the time's, whichever is first. */
  readonly armed = (cancel: CancelTimer): Effect.Effect<void> => {
    // A flush already over (a fiber observed as ended) clears the timer at once.
    if (this.#over) cancel()
    else this.#cancel = cancel
    // No canceller: `Effect.async` wraps one in an interruption handler of a few operations.
    return Effect.async<void>((resume) => {
      if (this.#over) resume(this.#outcome)
      else this.#resume = resume
    })
  }

  /** The flush ended. */
  readonly ended = (): void => this.end(Effect.void)

  /** The flush ended; the caller goes on with `outcome`, when it still waits. */
  end(outcome: Effect.Effect<void>): void {
    this.#cancel?.()
    this.#outcome = outcome
    this.#release()
  }

  #release(): void {
    if (this.#over) return
    this.#over = true
    const resume = this.#resume
    this.#resume = undefined
    resume?.(this.#outcome)
  }
}
