// A child process for the interruption tests: runs the codemod's write on a package (without
// the type-check, which the tests of the write phase do not need and which takes long on a busy
// machine) and ends with the CLI's exit codes, the outcome as JSON on stdout.
import { CodemodInterruptedError, interruptExitCode, runCodemod } from "../../src/codemod/index.js"

const packageDir = process.argv[2]!
try {
  const outcome = await runCodemod({ packageDir, typeCheck: false })
  process.stdout.write(
    JSON.stringify({ exitCode: outcome.exitCode, interrupted: outcome.interrupted ?? null, written: outcome.written })
  )
  process.exitCode = outcome.exitCode
} catch (error) {
  if (!(error instanceof CodemodInterruptedError)) throw error
  process.stdout.write(
    JSON.stringify({ exitCode: interruptExitCode(error.signal), interrupted: error.signal, written: [] })
  )
  process.exitCode = interruptExitCode(error.signal)
}
