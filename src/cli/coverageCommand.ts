import { UsageError, type ParsedArgs } from "./args.js"
import type { CliIo } from "./command.js"
import { loadWithCodemodToolchain } from "./loadCodemod.js"
import { defaultMapCoverageCommand } from "../codemod/coverage/mapCommand.js"

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
  if (packageDir === undefined && typeof map !== "string") return defaultMapCoverageCommand({ json }, io)
  // A package's coverage reads it with ts-morph: without it, the same message as the codemod's.
  const { packageCoverageCommand } = await loadWithCodemodToolchain(
    () => import("../codemod/coverage/packageCommand.js")
  )
  return packageCoverageCommand({ packageDir, mapModule: typeof map === "string" ? map : undefined, json }, io)
}
