/**
 * Drops counted, and said once. A tracker that drops events for good (a collector answering 401
 * to a wrong token, a full buffer) must not do it silently, nor log per batch: the first drop of
 * each cause, and of each failure a sink names for rejections ("status 401"), is logged at
 * warning level, once per engine; later ones only move `stats().dropped`. The line names the
 * cause, the sink's failure and the count, never an event, a header or a message.
 */

import { Effect } from "effect"
import { logFrom, logFromCurrentFiber } from "../internal/log.js"

/** Why events were given up on, as `stats().dropped` counts them. */
export type DropCause = "overflow" | "rejected" | "tooLarge" | "unserializable"

/**
 * Counts `count` events dropped for `cause` (`failure`: how the sink describes a rejection;
 * each failure is said once). `detail` is said with the first drop of its cause, not once per
 * detail: what the first refused event was (its type, never its body).
 */
export type NoteDrop<C extends string = DropCause> = (
  cause: C,
  count: number,
  failure?: string,
  detail?: string
) => void

/**
 * `counter` is where a cause is counted, as the line tells the reader (`stats().dropped.<cause>`
 * unless a tracker counts elsewhere).
 */
export const makeDropNotice = <C extends string>(
  dropped: Record<C, number>,
  module: string,
  annotations: Readonly<Record<string, unknown>> = {},
  counter: (cause: C) => string = (cause) => `stats().dropped.${cause}`
): NoteDrop<C> => {
  const logged = logFrom(module)
  const said = new Set<string>()
  return (cause, count, failure, detail) => {
    if (count <= 0) return
    dropped[cause] += count
    const key = failure === undefined ? cause : `${cause} ${failure}`
    if (said.has(key)) return
    const head = failure === undefined ? `events dropped as ${cause}` : `events ${cause}: ${failure}`
    const line = Effect.logWarning(
      `${head}${detail === undefined ? "" : ` (${detail})`}, ${count} events dropped (further ones like it are counted in ${counter(cause)}, not logged)`
    ).pipe(logged, Effect.annotateLogs({ ...annotations, dropped: cause, failure, detail, events: count }))
    // Said from the fiber that dropped, with its logger; outside a fiber, the next drop says it.
    if (logFromCurrentFiber(line)) said.add(key)
  }
}
