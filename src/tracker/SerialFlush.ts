import { Deferred, Effect, Exit, Fiber, FiberId } from "effect"

/**
 * The flush discipline of a buffering tracker: one flush runs at a time; a caller whose events
 * a running flush covers joins it, one whose events came later waits for it and then runs
 * (or joins) the next. `emitted` counts events accepted so far; `idle` says there is nothing to
 * do; `run` flushes what is buffered when it starts.
 */
export const makeSerialFlush = (parts: {
  readonly emitted: () => number
  readonly idle: () => boolean
  readonly run: (deadline: number) => Effect.Effect<void>
}): ((deadline: number) => Effect.Effect<void>) => {
  let current: { readonly covers: number; readonly done: Deferred.Deferred<void> } | undefined
  const flushUpTo = (target: number, deadline: number): Effect.Effect<void> =>
    Effect.suspend(() => {
      const running = current
      if (running !== undefined) {
        return Deferred.await(running.done).pipe(
          Effect.zipRight(running.covers >= target ? Effect.void : flushUpTo(target, deadline))
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
  return (deadline) => Effect.suspend(() => flushUpTo(parts.emitted(), deadline))
}

/**
 * Runs a tracker's flush for at most `timeoutMs`, never failing. A caller may flush from an
 * uninterruptible region (a finalizer: `Effect.ensuring(flushEvents)`), where the timeout
 * could not interrupt it, so the flush runs in a fiber of its own that is always
 * interruptible, and the caller waits for that fiber.
 */
export const boundedFlush = (timeoutMs: number, flush: Effect.Effect<void>): Effect.Effect<void> =>
  flush.pipe(
    Effect.timeout(timeoutMs),
    Effect.catchAllCause(() => Effect.void),
    Effect.interruptible,
    Effect.forkDaemon,
    Effect.flatMap(Fiber.join)
  )
