import { summarizeError } from "../instrument/failure.js"

/**
 * A failure as upstream's workflow events carry it: the error's message (`String(error)` for
 * what is not an `Error`) and its stack when it has one, each cut at the caps every event of this
 * library keeps. The stack is sent as the package sent it (a migration keeps what the package
 * already sent).
 */
export const workflowErrorOf = (error: unknown): { readonly message: string; readonly stack?: string } => {
  const message = summarizeError(error instanceof Error ? error.message : String(error)).message
  const stack = error instanceof Error ? summarizeError(error, { stack: true }).stack : undefined
  return stack === undefined ? { message } : { message, stack }
}
