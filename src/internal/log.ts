/**
 * How this library's logs say where they come from: annotations, as Effect's own modules do,
 * rather than a prefix in the message. A logger (Effect's default one prints annotations as
 * `key=value`) can then filter or route them by `package` and `module`.
 */

import { Effect } from "effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"

/** The `package` annotation of every log this library writes. */
export const logPackage = "durable-effect-tracking"

/**
 * Annotates a log effect with this package and `module` (the path under `src/` without
 * extension, e.g. `"instrument/withTracking"`). Make it once per module and reuse it.
 */
export const logFrom = (module: string): (<A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
  Effect.annotateLogs({ package: logPackage, module })

/**
 * Runs a log effect now, from synchronous code a fiber is running (an `Effect.sync` body), with
 * that fiber's logger, level and annotations. False when no fiber is running (nothing is said:
 * there is no logger to honour). A logger that throws is the user's: the caller goes on.
 */
export const logFromCurrentFiber = (log: Effect.Effect<void>): boolean => {
  const fiber = Fiber.getCurrentFiber()
  if (Option.isNone(fiber)) return false
  const runtime = Runtime.make({
    context: fiber.value.currentContext,
    fiberRefs: fiber.value.getFiberRefs(),
    runtimeFlags: Runtime.defaultRuntimeFlags
  })
  try {
    Runtime.runSync(runtime, log)
  } catch {
    // The logger's failure is not the caller's.
  }
  return true
}
