import { TaggedError } from "../../internal/taggedError.js"
import type { InterruptSignal } from "./exitCodes.js"

export type { InterruptSignal }

/**
 * Input the codemod cannot work on: a missing directory or file, a syntax error, a composition
 * it does not recognise, a file it may not write. It names the file and what was expected, and
 * it is raised before anything is written.
 */
export class CodemodInputError extends TaggedError("CodemodInputError")<{
  readonly file: string
  readonly expected: string
  readonly detail?: string
}> {
  override get message(): string {
    return `${this.file}: expected ${this.expected}${this.detail === undefined ? "" : ` (${this.detail})`}`
  }
}

/**
 * A signal (SIGINT, SIGTERM) arrived while the codemod was writing. Before the first rename the
 * write is rolled back (temp files removed, nothing changed); after it, the remaining renames
 * are finished first. This error means the former: nothing was written.
 */
export class CodemodInterruptedError extends TaggedError("CodemodInterruptedError")<{
  readonly signal: InterruptSignal
}> {
  override get message(): string {
    return `interrupted by ${this.signal} while writing: rolled back, nothing was written`
  }
}
