/**
 * How this library's logs say where they come from: annotations, as Effect's own modules do,
 * rather than a prefix in the message. A logger (Effect's default one prints annotations as
 * `key=value`) can then filter or route them by `package` and `module`.
 */

import { Effect } from "effect"

/** The `package` annotation of every log this library writes. */
export const logPackage = "durable-effect-tracking"

/**
 * Annotates a log effect with this package and `module` (the path under `src/` without
 * extension, e.g. `"instrument/withTracking"`). Make it once per module and reuse it.
 */
export const logFrom = (module: string): (<A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
  Effect.annotateLogs({ package: logPackage, module })
