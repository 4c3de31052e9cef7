/**
 * How a failure travels in an event of any vocabulary: a summary (message, tag, the first cause,
 * a stack on request), never the error object itself, which may hold user data. The caps on its
 * text are in `eventBounds.ts`.
 */

import { Schema } from "effect"

/**
 * The message and tag of the first error in a failure's `cause`.
 *
 * @category Vocabularies
 */
export const ErrorCauseSummary = Schema.Struct({
  message: Schema.String,
  tag: Schema.optional(Schema.String)
})

/**
 * A failure, summarised: never the error object itself, which may hold user data. `message` is
 * at most 1024 characters (a longer one is cut and ends in "…"); `tag` is the error's `_tag`, or
 * its `name`; `cause` is the same of the first error in its `cause`; `stack` only when a user
 * asked for stacks (`withTracking(layer, { eventMap, errorStack: true })`).
 *
 * @category Vocabularies
 */
export const ErrorSummary = Schema.Struct({
  message: Schema.String,
  tag: Schema.optional(Schema.String),
  cause: Schema.optional(ErrorCauseSummary),
  stack: Schema.optional(Schema.String)
})
export type ErrorSummary = typeof ErrorSummary.Type

/**
 * How a call ended when it did not succeed.
 *
 * @category Vocabularies
 */
export const FailureKind = Schema.Literal("failure", "defect", "interrupted")
export type FailureKind = typeof FailureKind.Type
