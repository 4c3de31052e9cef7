/**
 * Calling code this library does not own (an event map's functions, a tracker, a `fetch`, a
 * storage adapter, an OpenTelemetry logger), so that whatever it does (throw, fail, die) the
 * caller goes on with a fallback. Every such call goes through here, as OpenTelemetry's
 * instrumentations go through `safeExecuteInTheMiddle`. (Serialising an event, which runs its
 * getters and `toJSON`, is not such a call: an event that cannot be serialised is counted as
 * `unserializable` by the tracker, see EventSize.ts and BatchBody.ts.)
 *
 * The first failure at each call site is logged once per process, at debug level, annotated
 * with the package and module (see log.ts). The cause itself is never logged: it may carry what
 * the user's code saw (headers, payloads). Later failures at the site are silent, as a tracker
 * that fails fails on every call and the logs must not grow with the calls.
 */

import { Effect } from "effect"
import * as Cause from "effect/Cause"
import { notInline, runInline } from "./effectInternals.js"
import { logFromCurrentFiber, logPackage } from "./log.js"

/** One place that calls foreign code; made once per module, never per call. */
export interface SafeSite {
  /** The module that calls, as in log annotations (`"delivery/Outbox"`). */
  readonly module: string
  /** What it calls, as the log says it: `"tracker.emit"`, `"storage.putBatch"`. */
  readonly call: string
  /** Whether a failure here has been logged (once per process). */
  reported: boolean
}

export const safeSite = (module: string, call: string): SafeSite => ({ module, call, reported: false })

type FailureKind = "throw" | "failure" | "defect" | "interruption"

const kindOf = (cause: Cause.Cause<unknown>): FailureKind =>
  Cause.isFailure(cause) ? "failure" : Cause.isDie(cause) ? "defect" : "interruption"

const report = (site: SafeSite, failure: FailureKind): Effect.Effect<void> =>
  Effect.logDebug(`${site.call} failed; the call went on without it (later failures here are not logged)`).pipe(
    Effect.annotateLogs({ package: logPackage, module: site.module, call: site.call, failure })
  )

/**
 * Runs `f`; if it throws, returns `fallback`. Synchronous, for foreign functions called from
 * within a running effect (an event map's recipes): the first throw at `site` is logged through
 * the fiber that called, with its logger, level and annotations.
 */
export const safeCall = <A, B>(site: SafeSite, f: () => A, fallback: B): A | B => {
  try {
    return f()
  } catch {
    if (!site.reported) reportFromCurrentFiber(site, "throw")
    return fallback
  }
}

/**
 * {@link safeCall} of `f(arg)`, without a closure to make: for a call made per event (a
 * vocabulary's builder).
 */
export const safeApply = <X, A, B>(site: SafeSite, f: (arg: X) => A, arg: X, fallback: B): A | B => {
  try {
    return f(arg)
  } catch {
    if (!site.reported) reportFromCurrentFiber(site, "throw")
    return fallback
  }
}

const reportFromCurrentFiber = (site: SafeSite, failure: FailureKind): void => {
  site.reported = true
  logFromCurrentFiber(report(site, failure))
}

/**
 * Runs `effect` (build it with `Effect.suspend` so a throw while making it is caught too); on
 * any failure, defect or throw, runs `onFailure` (a counter) and then `fallback`. The first
 * failure at `site` is logged.
 */
export const safeRun = <A, B, R>(
  site: SafeSite,
  effect: Effect.Effect<A, unknown, R>,
  fallback: Effect.Effect<B>,
  onFailure?: () => void
): Effect.Effect<A | B, never, R> =>
  Effect.catchAllCause(effect, (cause) => {
    onFailure?.()
    if (site.reported) return fallback
    site.reported = true
    return Effect.zipRight(report(site, kindOf(cause)), fallback)
  })

/**
 * {@link safeRun} of `Effect.suspend(make)`, run in place where it can be (from code the calling
 * fiber runs): `make` is called now, and the effect it gives is run at once when it is a plain
 * `Effect.sync`/`Effect.succeed` (see effectInternals.ts); the result is then `undefined`. Any other
 * effect comes back guarded, for the caller to run. A throw (while making the effect or in its
 * function) falls back to nothing, counted as a defect, as `safeRun` counts it.
 */
export const safeRunNow = (
  site: SafeSite,
  make: () => Effect.Effect<unknown, unknown>
): Effect.Effect<unknown> | undefined => {
  try {
    const effect = make()
    if (runInline(effect) !== notInline) return undefined
    return safeRun(site, effect, Effect.void)
  } catch {
    if (!site.reported) reportFromCurrentFiber(site, "defect")
    return undefined
  }
}
