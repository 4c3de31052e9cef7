import type { CoverageReport } from "../../instrument/coverage.js"
import type { PackageCoverageReport, TypeCoverage } from "./packageCoverage.js"

// Coverage as people and programs read it. Types only: the CLI's plain `coverage` renders with it
// and loads no compiler. The event types are the report's own (its map's vocabulary, in order).

/** The map-only table: every event type with the methods that emit it. */
export const mapCoverageText = (report: CoverageReport, mapName: string): string => {
  const width = Math.max("event type".length, ...report.events.map((event) => event.type.length))
  const rows = report.events.map(
    (event) =>
      `${event.type.padEnd(width)}  ${event.sources.length === 0 ? "(not produced)" : event.sources.join(", ")}`
  )
  return [
    `${"event type".padEnd(width)}  emitted by`,
    `${"-".repeat(width)}  ${"-".repeat(10)}`,
    ...rows,
    "",
    `${report.produced} of ${report.total} event types produced by ${mapName}` +
      (report.missing.length === 0 ? "." : `; not produced: ${report.missing.join(", ")}.`),
    ""
  ].join("\n")
}

/** The package coverage as the codemod's --json ends with it (the `types` shape of `coverage <dir> --json`). */
export const coverageSummaryJson = <T extends string>(report: PackageCoverageReport<T>) => ({
  map: report.map,
  layout: report.layout,
  covered: report.covered,
  total: report.total,
  types: report.types
})

/** How the codemod's summary ends: what the map can emit in this package, and each type it cannot, with why. */
export const coverageSummaryText = (report: PackageCoverageReport<string>): string => {
  const lines = [
    `Coverage of ${report.map} in this package (${report.layout} layout, measured on its sources): ${report.covered} of ${report.total} event types.`
  ]
  const eventTypes = Object.keys(report.types)
  const partly = eventTypes.filter((type) => (report.types[type] as TypeCoverage).partly !== undefined)
  if (partly.length > 0) {
    lines.push(
      `Seen only in part (\`durable-effect-tracking coverage <package-dir>\` says where the rest happens): ${partly.join(", ")}.`
    )
  }
  const missing = eventTypes.filter((type) => !(report.types[type] as TypeCoverage).covered)
  if (missing.length > 0) {
    lines.push("Not covered:")
    for (const type of missing) {
      const entry = (report.types[type] as TypeCoverage)
      lines.push(`  - ${type}: ${entry.reason ?? ""}${entry.hint === undefined ? "" : ` Hint: ${entry.hint}.`}`)
    }
  }
  return `${lines.join("\n")}\n`
}

/** The report as `coverage <dir> --json` prints it. */
export const coverageJson = <T extends string>(report: PackageCoverageReport<T>) => ({
  packageDir: report.packageDir,
  ...coverageSummaryJson(report)
})

/** One line per event type: covered and by which methods, or not covered and why. */
export const coverageText = (report: PackageCoverageReport<string>): string => {
  const eventTypes = Object.keys(report.types)
  const width = Math.max(...eventTypes.map((type) => type.length))
  const lines = [`Coverage of ${report.packageDir} (${report.layout} layout) by ${report.map}:`]
  for (const type of eventTypes) {
    const entry = (report.types[type] as TypeCoverage)
    lines.push(
      entry.covered
        ? `${type.padEnd(width)}  covered      ${entry.by.join(", ")}${entry.partly === undefined ? "" : ` (partly: ${entry.partly.join("; ")})`}`
        : `${type.padEnd(width)}  not covered  ${entry.reason ?? ""}${entry.hint === undefined ? "" : ` Hint: ${entry.hint}.`}`
    )
  }
  const missing = eventTypes.filter((type) => !(report.types[type] as TypeCoverage).covered)
  lines.push(
    `${report.covered} of ${report.total} event types covered${missing.length === 0 ? "." : `; not covered: ${missing.join(", ")}.`}`
  )
  return `${lines.join("\n")}\n`
}
