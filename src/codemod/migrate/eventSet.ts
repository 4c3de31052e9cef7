/**
 * Which events a migrated package sends (`migrate --events <set>`). Free of imports, so that the
 * CLI can check the option before it loads the codemod.
 *
 * - `full`: this library's 20 job event types, through the map for the package's layout
 *   (`defaultJobsEventMap`): the only set there is today, and so the default.
 * - `upstream`: the 8 types in upstream core's own format (what the hand-placed emits sent);
 *   `both`: the two side by side. Known names, not available yet: they need an event map in
 *   upstream's vocabulary, which does not exist yet.
 */
export type MigrateEventSet = "full"

export const defaultMigrateEventSet: MigrateEventSet = "full"

/** The sets the option knows of but cannot produce yet, with why. */
export const unavailableEventSets: Readonly<Record<string, string>> = {
  upstream:
    "--events upstream (upstream core's 8 event types in its own format) is not available yet: it needs an event map in upstream's vocabulary, which this version does not have; use --events full (the default)",
  both: "--events both (upstream's 8 types and the 20 full types side by side) is not available yet: it needs the upstream event map, which this version does not have; use --events full (the default)"
}

/** The event set a given `--events` value names; a message for one that is unknown or not available. */
export const parseEventSet = (
  value: string | undefined
): { readonly set: MigrateEventSet } | { readonly error: string } => {
  if (value === undefined || value === "full") return { set: "full" }
  const unavailable = unavailableEventSets[value]
  if (unavailable !== undefined) return { error: unavailable }
  return {
    error: `unknown event set '${value}': the event sets are full, upstream and both (only full is available today)`
  }
}
