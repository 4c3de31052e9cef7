import type { PackageCoverageReport } from "./report.js"
import type { CoverageReport } from "../../instrument/coverage.js"
import { JobEventTypes } from "../../event/JobEventTypes.js"

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
export const coverageSummaryJson = (report: PackageCoverageReport) => ({
  map: report.map,
  layout: report.layout,
  covered: report.covered,
  total: report.total,
  types: report.types
})

/** How the codemod's summary ends: what the map can emit in this package, and each type it cannot, with why. */
export const coverageSummaryText = (report: PackageCoverageReport): string => {
  const lines = [
    `Coverage of ${report.map} in this package (${report.layout} layout, measured on its sources): ${report.covered} of ${report.total} event types.`
  ]
  const partly = JobEventTypes.filter((type) => report.types[type].partly !== undefined)
  if (partly.length > 0) {
    lines.push(
      `Seen only in part (\`durable-effect-tracking coverage <package-dir>\` says where the rest happens): ${partly.join(", ")}.`
    )
  }
  const missing = JobEventTypes.filter((type) => !report.types[type].covered)
  if (missing.length > 0) {
    lines.push("Not covered:")
    for (const type of missing) {
      const entry = report.types[type]
      lines.push(`  - ${type}: ${entry.reason ?? ""}${entry.hint === undefined ? "" : ` Hint: ${entry.hint}.`}`)
    }
  }
  return `${lines.join("\n")}\n`
}
