// A child process for the interruption tests of the write phase alone: writes the planned files
// (read from the JSON file given) as the codemod does, and ends with the CLI's exit codes and
// the outcome as JSON on stdout. It loads no ts-morph, so it starts at once.
import { readFileSync } from "node:fs"
import { CodemodInterruptedError } from "../../src/codemod/report/errors.js"
import { interruptExitCode } from "../../src/codemod/report/exitCodes.js"
import { writeFilesAtomically, type PlannedFile } from "../../src/codemod/write/writeFiles.js"

const files = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as Array<
  PlannedFile & { readonly before: string | null }
>
try {
  const { interrupted } = await writeFilesAtomically(
    files.map((file) => ({ path: file.path, before: file.before ?? undefined, after: file.after })),
    (path) => path
  )
  const exitCode = interrupted === undefined ? 0 : interruptExitCode(interrupted)
  process.stdout.write(JSON.stringify({ exitCode, interrupted: interrupted ?? null, written: files.length }))
  process.exitCode = exitCode
} catch (error) {
  if (!(error instanceof CodemodInterruptedError)) throw error
  process.stdout.write(
    JSON.stringify({ exitCode: interruptExitCode(error.signal), interrupted: error.signal, written: 0 })
  )
  process.exitCode = interruptExitCode(error.signal)
}
