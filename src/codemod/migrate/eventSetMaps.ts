import type { EventMap } from "../../instrument/EventMap.js"
import { executionServiceLayout, type JobsLayout } from "../../jobs/layouts.js"
import { upstreamJobsEventMap } from "../../jobs/upstream/upstreamJobsEventMap.js"
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
  /** The export name of its events' vocabulary (for the hint on adding entries). */
  readonly vocabularyExport: string
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

/** The user payload fields (of {@link handPayloadFields}) the removed emits' text names. */
export const payloadFieldsSentByHand = (removedEmitText: string): ReadonlyArray<string> =>
  handPayloadFields.filter((field) => new RegExp(`\\b${field}\\b`).test(removedEmitText))

/**
 * Each format's map for a package's layout: one row per format this version has a map for;
 * `undefined` for a layout it has no map of that format for.
 */
export type FormatMaps = Partial<Record<EventFormat, (layout: JobsLayout) => FormatMap | undefined>>

export const formatMaps: FormatMaps = {
  full: (layout) => ({
    format: "full",
    exportName: layout.mapExport,
    map: layout.map,
    vocabularyExport: "jobEvents",
    sends: "this library's 20 job event types",
    measured: true,
    payloads: []
  }),
  // Upstream's format is the release's, for the release's layout: the one with a JobExecutionService.
  upstream: (layout) =>
    layout === executionServiceLayout
      ? {
          format: "upstream",
          exportName: "upstreamJobsEventMap",
          map: upstreamJobsEventMap,
          vocabularyExport: "upstreamJobEvents",
          sends:
            "upstream core's 8 job event types, in its own format, as the hand-placed emits sent them but where those were plainly wrong (docs/migrate.md of durable-effect-tracking lists each difference)",
          measured: false,
          payloads: [
            { field: "input", types: ["job.started"] },
            { field: "preExecutionState", types: ["job.executed", "job.failed"] }
          ],
          stopPayloads:
            'in src/tracking.ts, put `omitEventFields(upstreamJobsEventMap, ["input", "preExecutionState"])` in place of upstreamJobsEventMap (both fields are optional in upstream\'s format: its events still decode)'
        }
      : undefined
}

/** The formats each event set sends, in the order of its maps (the first map's events come first at a call's start). */
export const eventSetFormats: Readonly<Record<MigrateEventSet, ReadonlyArray<EventFormat>>> = {
  full: ["full"],
  upstream: ["upstream"],
  both: ["upstream", "full"]
}

/**
 * The maps an event set sends, for a package's layout; or the formats this version has no map
 * for (for this layout).
 */
export const mapsOfEventSet = (
  set: MigrateEventSet,
  layout: JobsLayout,
  maps: FormatMaps = formatMaps
): { readonly maps: ReadonlyArray<FormatMap> } | { readonly missing: ReadonlyArray<EventFormat> } => {
  const rows = eventSetFormats[set].map((format) => ({ format, map: maps[format]?.(layout) }))
  const missing = rows.flatMap(({ format, map }) => (map === undefined ? [format] : []))
  return missing.length > 0 ? { missing } : { maps: rows.map(({ map }) => map!) }
}

/** What the migrated package's src/tracking.ts says of a map's user payload fields: which, and how to stop them. */
export const payloadNotes = (map: FormatMap): ReadonlyArray<string> =>
  map.payloads.length === 0
    ? []
    : [
        `It sends the user's data the hand-placed emits sent: ${map.payloads.map((payload) => `${payload.field} (${payload.types.join(", ")})`).join(", ")}.`,
        ...(map.stopPayloads === undefined ? [] : [`To stop: ${map.stopPayloads}.`])
      ]
