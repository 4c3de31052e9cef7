import { Data } from "effect"

/**
 * Input the codemod cannot work on: a missing directory or file, a syntax error, a composition
 * it does not recognise, a file it may not write. It names the file and what was expected, and
 * it is raised before anything is written.
 */
export class CodemodInputError extends Data.TaggedError("CodemodInputError")<{
  readonly file: string
  readonly expected: string
  readonly detail?: string
}> {
  override get message(): string {
    return `${this.file}: expected ${this.expected}${this.detail === undefined ? "" : ` (${this.detail})`}`
  }
}
