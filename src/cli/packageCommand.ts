import { UsageError, type ParsedArgs } from "./args.js"
import type { CliIo } from "./command.js"
import { CodemodInputError, CodemodInterruptedError } from "../codemod/report/errors.js"
import { ExitCode, interruptExitCode } from "../codemod/report/exitCodes.js"

// What the commands that rewrite a package (`codemod`, `migrate`) share: their common flags,
// their progress and warning lines, and how a run that failed on bad input or was interrupted
// is reported.

export interface PackageCommandArgs {
  readonly packageDir: string
  readonly mode: "write" | "dry-run" | "check"
  readonly json: boolean
  readonly force: boolean
  readonly allowDirty: boolean
  readonly importFrom: { readonly importFrom?: string }
}

/** One `<package-dir>`, `--dry-run` or `--check` (not both), a non-empty `--import-from`. */
export const packageCommandArgs = ({ flags, positionals }: ParsedArgs): PackageCommandArgs => {
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? "missing <package-dir>" : `expected one <package-dir>, got ${positionals.length}`
    )
  }
  if (flags["dry-run"] === true && flags.check === true)
    throw new UsageError("--dry-run and --check exclude each other")
  const importFrom = flags["import-from"]
  if (typeof importFrom === "string" && importFrom.trim() === "")
    throw new UsageError("--import-from needs a module specifier")
  return {
    packageDir: positionals[0]!,
    mode: flags.check === true ? "check" : flags["dry-run"] === true ? "dry-run" : "write",
    json: flags.json === true,
    force: flags.force === true,
    allowDirty: flags["allow-dirty"] === true,
    importFrom: typeof importFrom === "string" ? { importFrom } : {}
  }
}

/** Progress and warnings on stderr, none with --json (the JSON carries the same facts). */
export const progressLines = (io: CliIo, json: boolean) => ({
  onProgress: (line: string) => {
    if (!json) io.stderr.write(`${line}\n`)
  },
  onWarning: (line: string) => {
    if (!json) io.stderr.write(`warning: ${line}\n`)
  }
})

/** Reports bad input or an interrupted write (as JSON with --json) and returns the exit code; rethrows anything else. */
export const reportRunFailure = (error: unknown, json: boolean, io: CliIo): number => {
  if (error instanceof CodemodInterruptedError) {
    if (json)
      io.stdout.write(
        `${JSON.stringify({ interrupted: { signal: error.signal, written: [], message: error.message } }, null, 2)}\n`
      )
    else io.stderr.write(`${error.message}.\n`)
    return interruptExitCode(error.signal)
  }
  if (!(error instanceof CodemodInputError)) throw error
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ error: { file: error.file, expected: error.expected, detail: error.detail ?? null, message: error.message } }, null, 2)}\n`
    )
  } else {
    io.stderr.write(`error: ${error.message}\nNothing was written.\n`)
  }
  return ExitCode.error
}
