#!/usr/bin/env node
// The CLI entry (bin/durable-effect-tracking.js loads its build): runs the program on the
// process's arguments and streams. Tests call `main` from ./program.js instead.
import { main } from "./program.js"
import { processIo } from "./command.js"

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(
      `durable-effect-tracking: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
    )
    process.exitCode = 2
  }
)
