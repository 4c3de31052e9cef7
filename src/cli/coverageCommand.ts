import { UsageError, type ParsedArgs } from "./args.js"
import type { CliIo } from "./io.js"
import { ExitCode } from "../codemod/report/exitCodes.js"
import { describeCoverage } from "../instrument/coverage.js"
import { defaultJobsEventMap } from "../jobs/defaultJobsEventMap.js"
import { loadWithCodemodToolchain } from "./loadCodemod.js"
import { mapCoverageText } from "../codemod/coverage/text.js"

/**
 * `coverage`: which service method of the default event map emits which job event. With a
 * package directory or `--map`, the package's coverage (or the given map's), loaded only then:
 * plain `coverage` stays free of ts-morph and the map loader.
 */
export const coverageCommand = async (args: ParsedArgs, io: CliIo): Promise<number> => {
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`)
  const map = args.flags.map
  if (typeof map === "string" && map.trim() === "") throw new UsageError("--map needs a module path")
  const json = args.flags.json === true
  const packageDir = args.positionals[0]
  if (packageDir !== undefined || typeof map === "string") {
    // A package's coverage reads it with ts-morph: without it, the same message as the codemod's.
    const { runCoverageCommand } = await loadWithCodemodToolchain(() => import("../codemod/coverage/command.js"))
    return runCoverageCommand({ packageDir, mapModule: typeof map === "string" ? map : undefined, json }, io)
  }
  const report = describeCoverage(defaultJobsEventMap)
  io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : mapCoverageText(report, "the default event map"))
  return ExitCode.ok
}
