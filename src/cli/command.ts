import type { FlagSpecs, ParsedArgs } from "./args.js"

// What a command of the CLI is: its flags and help, its implementation, and the streams it writes to.

/** Where the CLI reads and writes: the process's streams, or a test's buffers. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean }
  readonly stderr: { write(text: string): unknown }
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr })

export const programName = "durable-effect-tracking"

/**
 * One command of the CLI: its help and flags, and its implementation, loaded only when the
 * command runs. `--help` and `--version` load nothing else, so they answer at once (the
 * codemod's ts-morph alone takes seconds to load).
 */
export interface Command {
  readonly name: string
  /** What follows the program name in the usage line, e.g. `codemod <package-dir>`. */
  readonly synopsis: string
  readonly summary: string
  /** The command's help text between the usage line and the options. */
  readonly description: string
  readonly flags: FlagSpecs
  /** Printed after the options (e.g. exit codes). */
  readonly epilogue?: string
  readonly run: (args: ParsedArgs, io: CliIo) => Promise<number>
}
