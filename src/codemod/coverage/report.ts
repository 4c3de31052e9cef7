import { stat } from "node:fs/promises"
import { join, relative, resolve } from "node:path"
import { coverageSummaryJson } from "./text.js"
import type { EventMap } from "../../instrument/EventMap.js"
import { detectJobsLayout, type JobsLayout } from "../../jobs/layouts.js"
import { JobEventTypes } from "../../event/JobEventTypes.js"
import { loadEventMapModule } from "../package/loadEventMap.js"
import { analyseCoverage, type PackageCoverage } from "./packageCoverage.js"
import { readPackageFacts } from "../package/packageFacts.js"
import { CodemodInputError } from "../report/errors.js"

export interface PackageCoverageReport extends PackageCoverage {
  /** The map analysed: a library map by name, or `<module> (<export>)`. */
  readonly map: string
  readonly layout: JobsLayout["name"]
}

/**
 * Coverage of a jobs package by a map: the one in `mapModule` when given, else the library's
 * map for the package's layout. Bad input (no such directory, a map module that does not load
 * or export a map) is a {@link CodemodInputError}.
 */
export const reportPackageCoverage = async (options: {
  readonly packageDir: string
  readonly mapModule?: string
  readonly map?: EventMap
}): Promise<PackageCoverageReport> => {
  const dir = resolve(options.packageDir)
  const src = join(dir, "src")
  const found = await stat(src).catch(() => undefined)
  if (found === undefined || !found.isDirectory()) {
    throw new CodemodInputError({
      file: options.packageDir,
      expected: "a jobs package directory (with a src directory)",
      detail: "no such directory"
    })
  }
  const facts = await readPackageFacts(dir, src)
  const layout = detectJobsLayout(facts.services.keys())
  let map: EventMap = options.map ?? layout.map
  let name: string = options.map === undefined ? layout.mapExport : "the given map"
  if (options.mapModule !== undefined) {
    const loaded = await loadEventMapModule(options.mapModule)
    map = loaded.map
    name = `${relative(process.cwd(), resolve(options.mapModule)) || options.mapModule} (${loaded.exportName})`
  }
  return { ...analyseCoverage(options.packageDir, facts, map), map: name, layout: layout.name }
}

/** `covered` when every type is, `1` otherwise: the exit code of `coverage <dir>`. */
export const coverageExitCode = (report: PackageCoverage): 0 | 1 => (report.covered === report.total ? 0 : 1)

/** The report as `coverage <dir> --json` prints it. */
export const coverageJson = (report: PackageCoverageReport) => ({
  packageDir: report.packageDir,
  ...coverageSummaryJson(report)
})

/** One line per event type: covered and by which methods, or not covered and why. */
export const coverageText = (report: PackageCoverageReport): string => {
  const width = Math.max(...JobEventTypes.map((type) => type.length))
  const lines = [`Coverage of ${report.packageDir} (${report.layout} layout) by ${report.map}:`]
  for (const type of JobEventTypes) {
    const entry = report.types[type]
    lines.push(
      entry.covered
        ? `${type.padEnd(width)}  covered      ${entry.by.join(", ")}${entry.partly === undefined ? "" : ` (partly: ${entry.partly.join("; ")})`}`
        : `${type.padEnd(width)}  not covered  ${entry.reason ?? ""}${entry.hint === undefined ? "" : ` Hint: ${entry.hint}.`}`
    )
  }
  const missing = JobEventTypes.filter((type) => !report.types[type].covered)
  lines.push(
    `${report.covered} of ${report.total} event types covered${missing.length === 0 ? "." : `; not covered: ${missing.join(", ")}.`}`
  )
  return `${lines.join("\n")}\n`
}
