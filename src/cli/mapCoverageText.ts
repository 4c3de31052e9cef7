import type { CoverageReport } from "../instrument/coverage.js"

/** The map-only table: every event type with the methods that emit it. */
export const mapCoverageText = (report: CoverageReport, mapName: string): string => {
  const width = Math.max("event type".length, ...report.events.map((event) => event.type.length))
  const rows = report.events.map(
    (event) => `${event.type.padEnd(width)}  ${event.sources.length === 0 ? "(not produced)" : event.sources.join(", ")}`
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
