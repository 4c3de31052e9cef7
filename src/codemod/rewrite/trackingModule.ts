import { quoted, semi, type CodeStyle } from "../source/style.js"

/**
 * The module specifier of this library in the generated imports, unless told otherwise. Here,
 * in a module that loads no compiler, so that the CLI's help can name it at once.
 */
export const defaultImportFrom = "durable-effect-tracking"

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
    /** The vocabulary of its events, for the `serviceEventsByKey` hint. Default `jobEvents`. */
    readonly vocabularyExport?: string
    /** What to say of the map instead of its coverage (the upstream map: what it sends). */
    readonly notes?: ReadonlyArray<string>
  } = { mapExport: "defaultJobsEventMap", uncovered: [] }
): string => {
  const nl = style.newline
  const vocabulary = map.vocabularyExport ?? "jobEvents"
  const uncovered =
    map.notes !== undefined
      ? map.notes.map((line) => ` * ${line.replaceAll("*/", "* /")}`)
      : map.uncovered.length === 0
        ? [" * In this package the map can emit all 20 job event types (as measured when it was scaffolded)."]
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
    ` * Which service calls of the jobs runtime become which job events. It starts as ${map.mapExport},`,
    " * the library's map for this package's layout; adjust it here and the runtime picks it up:",
    ` * - add or replace entries: \`extendEventMap(${map.mapExport}, serviceEventsByKey<Service>()(${vocabulary}, tagKey, name, { method: { ... } }))\``,
    ` * - drop a service or one method: \`removeFromEventMap(${map.mapExport}, tagKey, method?)\``,
    ` * - keep only some event types: \`filterEventMap(${map.mapExport}, (type) => ...)\``,
    ...(map.notes === undefined
      ? [
          " * `npx durable-effect-tracking coverage <package-dir> --map src/tracking.ts` says what it can emit in this package."
        ]
      : []),
    " *",
    ...uncovered,
    " */",
    `export const trackingEventMap = ${map.mapExport}${semi(style)}`,
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
