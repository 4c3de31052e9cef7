/**
 * Which events a migrated package sends (`migrate --events <set>`). Free of imports, so that the
 * CLI can check the option before it loads the codemod.
 *
 * - `full`: this library's 20 job event types, through the map for the package's layout
 *   (`defaultJobsEventMap`), the default;
 * - `upstream`: the 8 types in upstream core's own format (what the hand-placed emits sent);
 * - `both`: the two side by side, each call sending both (a dashboard's move from one to the
 *   other). Which map sends each format is in eventSetMaps.ts.
 */
export type MigrateEventSet = "full" | "upstream" | "both"

/** The formats of events a migrated package can send: each is one event map. */
export type EventFormat = "full" | "upstream"

export const defaultMigrateEventSet: MigrateEventSet = "full"

/** The sets the option knows of but cannot produce yet, with why. */
export const unavailableEventSets: Readonly<Record<string, string>> = {
  upstream:
    "--events upstream (upstream core's 8 event types in its own format) is not available yet: it needs an event map in upstream's vocabulary, which this version does not have; use --events full (the default)"
}

const eventSets: ReadonlyArray<MigrateEventSet> = ["full", "upstream", "both"]

/** The event set a given `--events` value names; a message for one that is unknown or not available. */
export const parseEventSet = (
  value: string | undefined
): { readonly set: MigrateEventSet } | { readonly error: string } => {
  if (value === undefined) return { set: defaultMigrateEventSet }
  const unavailable = unavailableEventSets[value]
  if (unavailable !== undefined) return { error: unavailable }
  const set = eventSets.find((known) => known === value)
  if (set !== undefined) return { set }
  return { error: `unknown event set '${value}': the event sets are ${eventSets.join(", ")}` }
}
