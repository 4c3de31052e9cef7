import { Effect } from "effect"
import { logFrom } from "../internal/log.js"
import type { CallContext, DeferredEvent } from "./CallContext.js"

const logged = logFrom("instrument/drops")

/**
 * Events a proxy dropped because no call in the request knew the context their vocabulary needs
 * (a job's instance id, type and name; a user's account), counted by the `Service.method` whose
 * recipe made them. A custom service whose entry provides no `context` loses its events this
 * way; the first drop from each method says so once, as a warning.
 */
const counts = new Map<string, number>()

/**
 * How many events each `Service.method` has dropped for lack of context, in this process.
 *
 * @category Instrumentation
 */
export const droppedForLackOfContext = (): ReadonlyMap<string, number> => new Map(counts)

/** A dropped event with the context its request knew when it ended. */
export interface DroppedEvent {
  readonly event: DeferredEvent
  readonly context: CallContext
}

/** Counts the drops and warns of each `Service.method`'s first; `required`: the vocabulary's context keys. */
export const reportDropped = (
  dropped: ReadonlyArray<DroppedEvent>,
  required: ReadonlyArray<string>
): Effect.Effect<void> => {
  let warnings: Effect.Effect<void> = Effect.void
  for (const { event, context } of dropped) {
    const seen = counts.get(event.source)
    counts.set(event.source, (seen ?? 0) + 1)
    if (seen !== undefined) continue
    const missing = required.filter((key) => (event.fields[key] ?? context[key]) === undefined)
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
