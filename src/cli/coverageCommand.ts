import { UsageError, type ParsedArgs } from "./args.js"
import type { CliIo } from "./io.js"
import { ExitCode } from "../codemod/exitCodes.js"
import { describeCoverage } from "../instrument/coverage.js"
import { defaultJobsEventMap } from "../jobs/defaultJobsEventMap.js"

/** `coverage`: which service method of the default event map emits which job event. */
export const coverageCommand = async (args: ParsedArgs, io: CliIo): Promise<number> => {
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`)
  const report = describeCoverage(defaultJobsEventMap)
  if (args.flags.json === true) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    return ExitCode.ok
  }
  const width = Math.max("event type".length, ...report.events.map((event) => event.type.length))
  const rows = report.events.map(
    (event) => `${event.type.padEnd(width)}  ${event.sources.length === 0 ? "(not produced)" : event.sources.join(", ")}`
  )
  io.stdout.write(
    [
      `${"event type".padEnd(width)}  emitted by`,
      `${"-".repeat(width)}  ${"-".repeat(10)}`,
      ...rows,
      "",
      `${report.produced} of ${report.total} event types produced by the default event map` +
        (report.missing.length === 0 ? "." : `; not produced: ${report.missing.join(", ")}.`),
      ""
    ].join("\n")
  )
  return ExitCode.ok
}
