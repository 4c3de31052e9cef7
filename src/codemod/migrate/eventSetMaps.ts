import type { EventMap } from "../../instrument/EventMap.js"
import type { JobsLayout } from "../../jobs/layouts.js"
import type { EventFormat, MigrateEventSet } from "./eventSet.js"

/** A user payload field a map sends: data of the user's job, in events of these types. */
export interface PayloadField {
  readonly field: string
  readonly types: ReadonlyArray<string>
}

/** One format's event map, as this library exports it and the migrated package imports it. */
export interface FormatMap {
  readonly format: EventFormat
  /** Its export name in this library. */
  readonly exportName: string
  readonly map: EventMap
  /** What it sends, in words, for the summary. */
  readonly sends: string
  /** Whether package coverage (20 job event types) measures it. */
  readonly measured: boolean
  /** The user payload fields its events carry (none unless the package sent them before). */
  readonly payloads: ReadonlyArray<PayloadField>
  /** How a user stops sending them, when there are any. */
  readonly stopPayloads?: string
}

/**
 * The user payload fields a hand-tracked release's emits may carry (upstream core's format:
 * the job's input, its state before a run). The summary says which the removed emits sent, and
 * which the migrated package still sends.
 */
export const handPayloadFields: ReadonlyArray<string> = ["input", "preExecutionState"]

/** Each format's map for a package's layout: one row per format this version has a map for. */
export type FormatMaps = Partial<Record<EventFormat, (layout: JobsLayout) => FormatMap>>

export const formatMaps: FormatMaps = {
  full: (layout) => ({
    format: "full",
    exportName: layout.mapExport,
    map: layout.map,
    sends: "this library's 20 job event types",
    measured: true,
    payloads: []
  })
}

/** The formats each event set sends, in the order of its maps (the first map's events come first at a call's start). */
export const eventSetFormats: Readonly<Record<MigrateEventSet, ReadonlyArray<EventFormat>>> = {
  full: ["full"],
  upstream: ["upstream"],
  both: ["upstream", "full"]
}

/**
 * The maps an event set sends, for a package's layout; or the formats this version has no map
 * for.
 */
export const mapsOfEventSet = (
  set: MigrateEventSet,
  layout: JobsLayout,
  maps: FormatMaps = formatMaps
): { readonly maps: ReadonlyArray<FormatMap> } | { readonly missing: ReadonlyArray<EventFormat> } => {
  const formats = eventSetFormats[set]
  const missing = formats.filter((format) => maps[format] === undefined)
  return missing.length > 0 ? { missing } : { maps: formats.map((format) => maps[format]!(layout)) }
}
