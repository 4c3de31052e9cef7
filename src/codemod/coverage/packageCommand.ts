import { loadEventMapModule } from "../package/loadEventMap.js"
import { CodemodInputError } from "../report/errors.js"
import { ExitCode } from "../report/exitCodes.js"
import { mapCoverageCommand, type CoverageOutput } from "./mapCommand.js"
import { reportPackageCoverage } from "./measurePackage.js"
import { coverageExitCode } from "./packageCoverage.js"
import { coverageJson, coverageText } from "./render.js"

/**
 * `coverage <package-dir> [--map <module>]` and `coverage --map <module>`: loaded only when
 * asked, with ts-morph and the map loader behind it. Bad input is reported (as JSON with
 * `json`) and exits 2.
 */
export const packageCoverageCommand = async (
  options: { readonly packageDir: string | undefined; readonly mapModule: string | undefined; readonly json: boolean },
  out: CoverageOutput
): Promise<number> => {
  try {
    if (options.packageDir === undefined) {
      const loaded = await loadEventMapModule(options.mapModule!)
      return mapCoverageCommand(loaded.map, `${options.mapModule} (${loaded.exportName})`, options, out)
    }
    const report = await reportPackageCoverage({
      packageDir: options.packageDir,
      ...(options.mapModule === undefined ? {} : { mapModule: options.mapModule })
    })
    out.stdout.write(options.json ? `${JSON.stringify(coverageJson(report), null, 2)}\n` : coverageText(report))
    return coverageExitCode(report)
  } catch (error) {
    if (!(error instanceof CodemodInputError)) throw error
    if (options.json)
      out.stdout.write(
        `${JSON.stringify({ error: { file: error.file, expected: error.expected, detail: error.detail, message: error.message } }, null, 2)}\n`
      )
    else out.stderr.write(`error: ${error.message}\n`)
    return ExitCode.error
  }
}
