import type { SourceFile } from "ts-morph"
import { insertAt, type TextEdit } from "../source/edits.js"
import { quoted, semi, type CodeStyle } from "../source/style.js"

/**
 * The module specifier of this library in the generated imports, unless told otherwise. Here,
 * in a module that loads no compiler, so that the CLI's help can name it at once.
 */
export const defaultImportFrom = "durable-effect-tracking"

/** A library map the package's event map module starts from. */
export interface ScaffoldedMap {
  /** Its export name in this library. */
  readonly mapExport: string
  /** The event types it cannot emit in this package, as coverage measured them (none when not measured). */
  readonly uncovered: ReadonlyArray<{ readonly type: string; readonly reason: string; readonly hint?: string }>
  /** What it sends, in words: said when there are several maps. */
  readonly sends?: string
  /** Whether coverage measured it. Default true. */
  readonly measured?: boolean
  /** The export name of its events' vocabulary, for the hint on adding entries. Default `jobEvents`. */
  readonly vocabularyExport?: string
  /** What to say of it besides what it sends (the user's data it sends, how to stop that). */
  readonly notes?: ReadonlyArray<string>
}

/** What the generated module says its maps are about: a jobs package's (the default) or a workflow package's. */
export interface TrackingModuleSubject {
  /** Whose service calls: "the jobs runtime". */
  readonly calls: string
  /** Their events, in words: "job events". */
  readonly events: string
  /** How many event types the vocabulary has. */
  readonly total: number
}

const jobsSubject: TrackingModuleSubject = { calls: "the jobs runtime", events: "job events", total: 20 }

const commentText = (text: string) => text.replaceAll("*/", "* /")

/** What the module says of a map: its notes, and what coverage measured of it. */
const aboutLines = (map: ScaffoldedMap, indent: string, subject: TrackingModuleSubject): Array<string> => [
  ...(map.notes ?? []).map((line) => ` *${indent} ${commentText(line)}`),
  ...uncoveredLines(map, indent, subject)
]

const uncoveredLines = (map: ScaffoldedMap, indent: string, subject: TrackingModuleSubject): Array<string> =>
  map.measured === false
    ? []
    : map.uncovered.length === 0
      ? [
          ` *${indent} In this package the map can emit all ${subject.total} ${subject.events.replace(/s$/, "")} types (as measured when it was scaffolded).`
        ]
      : [
          ` *${indent} Not covered in this package (as measured when it was scaffolded; \`coverage <package-dir> --map src/tracking.ts\` re-measures):`,
          ...map.uncovered.flatMap((entry) => [
            ` *${indent} - ${entry.type}: ${commentText(entry.reason)}`,
            ...(entry.hint === undefined ? [] : [` *${indent}   Hint: ${commentText(entry.hint)}`])
          ])
        ]

/**
 * The package's own event map module: the default map (or, for several formats side by side,
 * the list of maps), exported under the name the runtime composition imports, with the ways to
 * adjust it at hand.
 */
export const trackingModuleText = (
  importFrom: string,
  style: CodeStyle,
  maps: ScaffoldedMap | ReadonlyArray<ScaffoldedMap> = { mapExport: "defaultJobsEventMap", uncovered: [] },
  subject: TrackingModuleSubject = jobsSubject
): string => {
  const nl = style.newline
  const list: ReadonlyArray<ScaffoldedMap> = "mapExport" in maps ? [maps] : maps
  const names = list.map((map) => map.mapExport)
  const [map] = list
  const header =
    list.length === 1
      ? [
          ` * Which service calls of ${subject.calls} become which ${subject.events}. It starts as ${map!.mapExport},`,
          ` * the library's map for this package's layout${map!.sends === undefined ? "" : `: ${commentText(map!.sends)}`}.`,
          " * Adjust it here and the runtime picks it up:",
          ` * - add or replace entries: \`extendEventMap(${map!.mapExport}, serviceEventsByKey<Service>()(${map!.vocabularyExport ?? "jobEvents"}, tagKey, name, { method: { ... } }))\``,
          ` * - drop a service or one method: \`removeFromEventMap(${map!.mapExport}, tagKey, method?)\``,
          ` * - keep only some event types: \`filterEventMap(${map!.mapExport}, (type) => ...)\``,
          ...(map!.measured === false
            ? []
            : [
                " * `npx durable-effect-tracking coverage <package-dir> --map src/tracking.ts` says what it can emit in this package."
              ]),
          " *",
          ...aboutLines(map!, "", subject)
        ]
      : [
          ` * Which service calls of ${subject.calls} become which events: ${list.length} maps side by side, each`,
          " * applied to every call and sending its own events (withTracking takes the list; the first",
          " * map's events come first at a call's start). Keep one of them to send one format only:",
          ...list.flatMap((entry) => [
            ` * - ${entry.mapExport}${entry.sends === undefined ? "" : `: ${commentText(entry.sends)}`}`,
            ...aboutLines(entry, "  ", subject)
          ]),
          " * Adjust a map in its place in the list, as one map is adjusted (`extendEventMap`,",
          " * `removeFromEventMap`, `filterEventMap` on it)."
        ]
  return [
    `import { ${names.join(", ")} } from ${quoted(style, importFrom)}${semi(style)}`,
    "",
    "/**",
    ...header,
    " */",
    `export const trackingEventMap = ${list.length === 1 ? map!.mapExport : `[${names.join(", ")}] as const`}${semi(style)}`,
    ""
  ].join(nl)
}

/**
 * A workflow package's own event map module: the library's map of its combinators, re-exported
 * under the name the rewritten exports module imports.
 */
export const workflowTrackingModuleText = (importFrom: string, style: CodeStyle, mapExport: string): string =>
  [
    `import { ${mapExport} } from ${quoted(style, importFrom)}${semi(style)}`,
    "",
    "/**",
    ` * What the workflow package's combinators (Workflow.step, Workflow.sleep, Workflow.sleepUntil) emit. It`,
    ` * starts as ${mapExport}, the library's map of them; adjust it here (\`extendEventMap\`,`,
    " * `filterEventMap`) and the combinators pick it up. Their events carry the workflow's name and",
    " * execution from the traced call that runs the workflow (the workflow services' map).",
    " */",
    `export const trackingEventMap = ${mapExport}${semi(style)}`,
    ""
  ].join(style.newline)

/**
 * The imports a wrapped composition needs, after the file's last import: `names` from this
 * library and `trackingEventMap` from the package's tracking module.
 */
export const trackingImportsEdit = (
  file: SourceFile,
  style: CodeStyle,
  options: { readonly importFrom: string; readonly trackingModule: string; readonly names: ReadonlyArray<string> }
): TextEdit => {
  const lines = [
    `import { ${options.names.join(", ")} } from ${quoted(style, options.importFrom)}${semi(style)}`,
    `import { trackingEventMap } from ${quoted(style, options.trackingModule)}${semi(style)}`
  ]
  const last = file.getImportDeclarations().at(-1)
  return last === undefined
    ? insertAt(0, lines.map((line) => line + style.newline).join(""))
    : insertAt(last.getEnd(), lines.map((line) => style.newline + line).join(""))
}
