import type { SourceFile } from "ts-morph"
import { insertAt, type TextEdit } from "../source/edits.js"
import { quoted, semi, type CodeStyle } from "../source/style.js"

/**
 * The module specifier of this library in the generated imports, unless told otherwise. Here,
 * in a module that loads no compiler, so that the CLI's help can name it at once.
 */
export const defaultImportFrom = "durable-effect-tracking"

/** What the generated module says its map is about: a jobs package's (the default) or a workflow package's. */
export interface TrackingModuleSubject {
  /** Whose service calls: "the jobs runtime". */
  readonly calls: string
  /** "job events". */
  readonly events: string
  /** The vocabulary's export, for the entries a user adds. */
  readonly vocabulary: string
  /** How many event types the vocabulary has. */
  readonly total: number
}

const jobsSubject: TrackingModuleSubject = {
  calls: "the jobs runtime",
  events: "job events",
  vocabulary: "jobEvents",
  total: 20
}

/**
 * The package's own event map module: the default map, re-exported under the name the
 * runtime composition imports, with the ways to adjust it at hand.
 */
export const trackingModuleText = (
  importFrom: string,
  style: CodeStyle,
  map: {
    /** The library's map for the package's layout. */
    readonly mapExport: string
    /** The event types it cannot emit in this package, as coverage measured them. */
    readonly uncovered: ReadonlyArray<{ readonly type: string; readonly reason: string; readonly hint?: string }>
  } = { mapExport: "defaultJobsEventMap", uncovered: [] },
  subject: TrackingModuleSubject = jobsSubject
): string => {
  const nl = style.newline
  const uncovered =
    map.uncovered.length === 0
      ? [
          ` * In this package the map can emit all ${subject.total} ${subject.events.replace(/s$/, "")} types (as measured when it was scaffolded).`
        ]
      : [
          ` * Not covered in this package (as measured when it was scaffolded; \`coverage <package-dir> --map src/tracking.ts\` re-measures):`,
          ...map.uncovered.flatMap((entry) => [
            ` * - ${entry.type}: ${entry.reason.replaceAll("*/", "* /")}`,
            ...(entry.hint === undefined ? [] : [` *   Hint: ${entry.hint.replaceAll("*/", "* /")}`])
          ])
        ]
  return [
    `import { ${map.mapExport} } from ${quoted(style, importFrom)}${semi(style)}`,
    "",
    "/**",
    ` * Which service calls of ${subject.calls} become which ${subject.events}. It starts as ${map.mapExport},`,
    " * the library's map for this package's layout; adjust it here and the runtime picks it up:",
    ` * - add or replace entries: \`extendEventMap(${map.mapExport}, serviceEventsByKey<Service>()(${subject.vocabulary}, tagKey, name, { method: { ... } }))\``,
    ` * - drop a service or one method: \`removeFromEventMap(${map.mapExport}, tagKey, method?)\``,
    ` * - keep only some event types: \`filterEventMap(${map.mapExport}, (type) => ...)\``,
    " * `npx durable-effect-tracking coverage <package-dir> --map src/tracking.ts` says what it can emit in this package.",
    " *",
    ...uncovered,
    " */",
    `export const trackingEventMap = ${map.mapExport}${semi(style)}`,
    ""
  ].join(nl)
}

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
