/**
 * Which events a migrated package sends (`migrate --events <set>`). Free of imports, so that the
 * CLI can check the option before it loads the codemod.
 *
 * - `upstream` (the default): the 8 types in upstream core's own format, what the hand-placed
 *   emits sent (`upstreamJobsEventMap`), but where those were plainly wrong;
 * - `full`: this library's 20 job event types, through the map for the package's layout
 *   (`defaultJobsEventMap`);
 * - `both`: the two side by side, each call sending both (a dashboard's move from one to the
 *   other). Which map sends each format is in eventSetMaps.ts.
 */
export type MigrateEventSet = "upstream" | "full" | "both"

/** The formats of events a migrated package can send: each is one event map. */
export type EventFormat = "full" | "upstream"

export const defaultMigrateEventSet: MigrateEventSet = "upstream"

const eventSets: ReadonlyArray<MigrateEventSet> = ["upstream", "full", "both"]

/** The event set a given `--events` value names; a message for one that is unknown. */
export const parseEventSet = (
  value: string | undefined
): { readonly set: MigrateEventSet } | { readonly error: string } => {
  if (value === undefined) return { set: defaultMigrateEventSet }
  const set = eventSets.find((known) => known === value)
  if (set !== undefined) return { set }
  return {
    error: `unknown event set '${value}': the event sets are ${eventSets.join(", ")} (${defaultMigrateEventSet} is the default)`
  }
}
