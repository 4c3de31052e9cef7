import { Effect } from "effect"
import { logFrom } from "../internal/log.js"
import type { DeferredEvent, JobContext } from "./JobContext.js"

const logged = logFrom("instrument/drops")

/**
 * Events a proxy dropped because no call in the request knew their job (instance id, job type
 * and name), counted by the `Service.method` whose recipe made them. A custom service whose
 * entry provides no `context` loses its events this way; the first drop from each method says
 * so once, as a warning.
 */
const counts = new Map<string, number>()

/**
 * How many events each `Service.method` has dropped for lack of job context, in this process.
 *
 * @category Instrumentation
 */
export const droppedForLackOfContext = (): ReadonlyMap<string, number> => new Map(counts)

const contextFields = ["instanceId", "jobType", "jobName"] as const

/** A dropped event with the job context its request knew when it ended. */
export interface DroppedEvent {
  readonly event: DeferredEvent
  readonly context: JobContext
}

export const reportDropped = (dropped: ReadonlyArray<DroppedEvent>): Effect.Effect<void> => {
  let warnings: Effect.Effect<void> = Effect.void
  for (const { event, context } of dropped) {
    const seen = counts.get(event.source)
    counts.set(event.source, (seen ?? 0) + 1)
    if (seen !== undefined) continue
    const missing = contextFields.filter((field) => (event.fields[field] ?? context[field]) === undefined)
    warnings = Effect.zipRight(
      warnings,
      Effect.logWarning(
        `dropped a "${event.type}" event from ${event.source}: no call in the request knew its ` +
          `${missing.join(", ")}. The map entry that would provide ${missing.length === 1 ? "it" : "them"} is a \`context\` ` +
          `on ${event.source} (or on a mapped service method that calls it); further drops from ${event.source} are counted ` +
          "without a warning (droppedForLackOfContext())."
      ).pipe(logged)
    )
  }
  return warnings
}
