/**
 * What the jobs maps read off a call: times as events carry them, the attempt a run is, the job's
 * own failure inside the runtime's wrapping, and the signals that are not failures.
 */

import * as Duration from "effect/Duration"
import type { FailureOutcome } from "../instrument/EventMap.js"
import type { JobContext } from "./JobContext.js"

/** An epoch-ms time as events carry it. */
export const iso = (ms: number) => new Date(ms).toISOString()

/** The epoch-ms time an `AlarmService.schedule(when)` call sets, `now` being when it was called. */
export const scheduledTime = (when: Duration.DurationInput | number | Date, now: number): number =>
  typeof when === "number"
    ? when
    : when instanceof Date
      ? when.getTime()
      : now + Duration.toMillis(Duration.decode(when))

/** The attempt the current run is, as `RetryExecutor.getAttempt` taught it. */
export const attemptOf = (context: JobContext): number | undefined =>
  typeof context["attempt"] === "number" ? context["attempt"] : undefined

/** Stacks only when a user asked for them (`withTracking(layer, { eventMap, errorStack: true })`). */
export const errorOptions = (context: JobContext) => ({ stack: context["errorStack"] === true })

/** Signals travel where errors do; they are how a run ends as meant, not failures. */
export const signalTags: ReadonlySet<string> = new Set([
  "RetryScheduledSignal",
  "RetryExhaustedSignal",
  "TerminateSignal",
  "ClearSignal"
])
export const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && typeof (error as { _tag?: unknown })._tag === "string"
    ? (error as { _tag: string })._tag
    : undefined

/** The runtime wraps the job's own error in `ExecutionError { cause }`: events carry what is inside. */
export const unwrapExecutionError = <E>(outcome: FailureOutcome<E>): FailureOutcome<unknown> => {
  let error: unknown = outcome.error
  while (tagOf(error) === "ExecutionError" && typeof error === "object" && error !== null && "cause" in error) {
    error = (error as { cause: unknown }).cause
  }
  return { ...outcome, error }
}

/** The job's own failure, as the user's effect failed with it (what a retry's signal does not carry). */
export const jobFailureOf = (context: JobContext): FailureOutcome<unknown> | undefined =>
  context["lastFailure"] as FailureOutcome<unknown> | undefined
