/**
 * Decoding a batch of any vocabulary's events as a collector receives it, `{ "events": [...] }`,
 * each event as a tracker sends it (the event plus `env` and `serviceKey`). Effect's own report
 * of a failed decode walks every member of the vocabulary's union for every bad event; a
 * collector wants one line per problem, by path, in a bounded size.
 *
 * Needs the vocabulary's Schema: give the variant that carries it (a vocabulary used at run time
 * by maps and trackers leaves it out, to keep `effect/Schema` out of a Worker bundle).
 */

import { Either, ParseResult, Schema } from "effect"
import { TaggedError } from "../internal/taggedError.js"
import type { EventShape, Vocabulary } from "./Vocabulary.js"

/**
 * A vocabulary that carries its Schema: what decoders and tests are given.
 *
 * @category Vocabularies
 */
export type VocabularyWithSchema<E extends EventShape = EventShape> = Vocabulary<E, any, any> & {
  readonly schema: Schema.Schema<E, any, never>
}

/**
 * An event as trackers send it: the event and the deployment it came from.
 *
 * @category Vocabularies
 */
export type EventAsSent<E extends EventShape> = E & { readonly env: string; readonly serviceKey: string }

/**
 * The body of one batch of a vocabulary's events.
 *
 * @category Vocabularies
 */
export interface EventBatchOf<E extends EventShape> {
  readonly events: ReadonlyArray<EventAsSent<E>>
}

/**
 * One thing wrong with a batch: where (`events[3].timestamp`) and what.
 *
 * @category Vocabularies
 */
export interface EventBatchProblem {
  readonly path: string
  readonly message: string
}

/** How many problems an error's message lists before it says how many more there are. */
export const maxListedProblems = 10

// A literal union's message lists every type of the vocabulary; past this length a message keeps
// its start and its end (where "actual ..." stands) and drops the middle.
const longestMessage = 160

/**
 * The lines of a decode error's message: a title with the count, then at most
 * {@link maxListedProblems} problems by path and a count of the rest. Shared by every batch
 * decoder's error.
 */
export const problemReport = (title: string, problems: ReadonlyArray<EventBatchProblem>): string => {
  const count = problems.length
  const lines = problems.slice(0, maxListedProblems).map(({ path, message }) => `${path}: ${message}`)
  if (count > lines.length)
    lines.push(`... and ${count - lines.length} more problem${count - lines.length > 1 ? "s" : ""}`)
  return [`${title} (${count} problem${count === 1 ? "" : "s"}):`, ...lines].join("\n")
}

/**
 * A received batch that is not a valid batch of the vocabulary's events: its problems, one each.
 *
 * @category Vocabularies
 */
export class EventBatchDecodeError extends TaggedError("EventBatchDecodeError")<{
  /** The vocabulary the batch was decoded as. */
  readonly vocabulary: string
  /** Every problem found, in the order of the body. */
  readonly problems: ReadonlyArray<EventBatchProblem>
}> {
  override get message(): string {
    return problemReport(`Invalid ${this.vocabulary} event batch`, this.problems)
  }
}

const where = (path: ReadonlyArray<PropertyKey>): string => {
  let text = ""
  for (const key of path) text += typeof key === "number" ? `[${key}]` : `${text === "" ? "" : "."}${String(key)}`
  return text === "" ? "(body)" : text
}

const bounded = (message: string): string => {
  if (message.length <= longestMessage) return message
  const half = Math.floor((longestMessage - 5) / 2)
  return `${message.slice(0, half)} ... ${message.slice(message.length - half)}`
}

/** Each problem of a failed decode once, by path, its message bounded. */
export const batchProblems = (error: ParseResult.ParseError): Array<EventBatchProblem> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    path: where(issue.path),
    message: bounded(issue.message)
  }))

const sentFields = Schema.Struct({ env: Schema.String, serviceKey: Schema.String })

/**
 * A vocabulary's event Schema, for the events as trackers send them: each with `env` and
 * `serviceKey`.
 *
 * @category Vocabularies
 */
export const eventAsSentSchema = <A extends EventShape, I>(
  schema: Schema.Schema<A, I, never>
): Schema.Schema<EventAsSent<A>, I & { readonly env: string; readonly serviceKey: string }> =>
  Schema.extend(schema, sentFields)

/**
 * A vocabulary's event Schema, for a batch as trackers send it: `{ "events": [...] }`.
 *
 * @category Vocabularies
 */
export const eventBatchSchema = <A extends EventShape, I>(
  schema: Schema.Schema<A, I, never>
): Schema.Schema<
  EventBatchOf<A>,
  { readonly events: ReadonlyArray<I & { readonly env: string; readonly serviceKey: string }> }
> => Schema.Struct({ events: Schema.Array(eventAsSentSchema(schema)) })

/**
 * A decoder of batches of the vocabulary's events (a parsed request body, or a Queue batch's
 * bodies gathered as `{ events }`). Built once per vocabulary; the error lists each problem once,
 * with its path, and its message keeps to ten lines and a count of the rest.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { decodeEventBatch, workflowEventsWithSchema } from "durable-effect-tracking"
 *
 * const decodeWorkflowBatch = decodeEventBatch(workflowEventsWithSchema)
 * const result = decodeWorkflowBatch({ events: [] })
 * Either.isRight(result) // true
 * ```
 *
 * @category Vocabularies
 */
export const decodeEventBatch = <E extends EventShape>(
  vocabulary: VocabularyWithSchema<E>
): ((body: unknown) => Either.Either<EventBatchOf<E>, EventBatchDecodeError>) => {
  const decode = Schema.decodeUnknownEither(eventBatchSchema(vocabulary.schema), { errors: "all" })
  return (body) =>
    Either.mapLeft(
      decode(body),
      (error) => new EventBatchDecodeError({ vocabulary: vocabulary.name, problems: batchProblems(error) })
    )
}
