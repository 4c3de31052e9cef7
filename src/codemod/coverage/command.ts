import { describeCoverage } from "../../instrument/coverage.js"
import { mapCoverageText } from "./text.js"
import type { CliIo } from "../../cli/io.js"
import { coverageExitCode, coverageJson, coverageText, reportPackageCoverage } from "./report.js"
import { CodemodInputError } from "../report/errors.js"
import { ExitCode } from "../report/exitCodes.js"
import { loadEventMapModule } from "../package/loadEventMap.js"

/**
 * `coverage <package-dir> [--map <module>]` and `coverage --map <module>`: loaded by the CLI
 * only when asked, with ts-morph and the map loader behind it.
 */
export const runCoverageCommand = async (
  options: { readonly packageDir: string | undefined; readonly mapModule: string | undefined; readonly json: boolean },
  io: CliIo
): Promise<number> => {
  try {
    if (options.packageDir === undefined) {
      const loaded = await loadEventMapModule(options.mapModule!)
      const report = describeCoverage(loaded.map)
      io.stdout.write(
        options.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : mapCoverageText(report, `${options.mapModule} (${loaded.exportName})`)
      )
      return 0
    }
    const report = await reportPackageCoverage({
      packageDir: options.packageDir,
      ...(options.mapModule === undefined ? {} : { mapModule: options.mapModule })
    })
    io.stdout.write(options.json ? `${JSON.stringify(coverageJson(report), null, 2)}\n` : coverageText(report))
    return coverageExitCode(report)
  } catch (error) {
    if (!(error instanceof CodemodInputError)) throw error
    if (options.json)
      io.stdout.write(
        `${JSON.stringify({ error: { file: error.file, expected: error.expected, detail: error.detail, message: error.message } }, null, 2)}\n`
      )
    else io.stderr.write(`error: ${error.message}\n`)
    return ExitCode.error
  }
}
