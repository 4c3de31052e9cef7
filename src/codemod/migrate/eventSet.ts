/**
 * Which events a migrated package sends (`migrate --events <set>`). Free of imports, so that the
 * CLI can check the option before it loads the codemod.
 *
 * - `upstream` (the default): the 8 types in upstream core's own format, what the hand-placed
 *   emits sent (`upstreamJobsEventMap`), but where those were plainly wrong.
 * - `full`: this library's 20 job event types, through the map for the package's layout
 *   (`defaultJobsEventMap`).
 * - `both`: the two side by side. A known name, not available yet.
 */
export type MigrateEventSet = "upstream" | "full"

export const defaultMigrateEventSet: MigrateEventSet = "upstream"

/** The sets the option knows of but cannot produce yet, with why. */
export const unavailableEventSets: Readonly<Record<string, string>> = {
  both: "--events both (upstream's 8 types and the 20 full types side by side) is not available yet; use --events upstream (the default) or --events full"
}

/** The event set a given `--events` value names; a message for one that is unknown or not available. */
export const parseEventSet = (
  value: string | undefined
): { readonly set: MigrateEventSet } | { readonly error: string } => {
  if (value === undefined) return { set: defaultMigrateEventSet }
  if (value === "upstream" || value === "full") return { set: value }
  const unavailable = unavailableEventSets[value]
  if (unavailable !== undefined) return { error: unavailable }
  return {
    error: `unknown event set '${value}': the event sets are upstream (the default), full and both (both is not available yet)`
  }
}
