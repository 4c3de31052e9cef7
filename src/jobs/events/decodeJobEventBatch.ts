/**
 * Decoding a batch as a collector receives it. Effect's default report of a failed decode walks
 * every member of the 20-type union for every bad event (tens of KB for one wrong field); a
 * collector wants to log what is wrong, one line per problem, in a bounded size.
 */

import { Either, ParseResult, Schema } from "effect"
import { TaggedError } from "../../internal/taggedError.js"
import { JobEventBatch } from "./JobEvent.js"

/**
 * One thing wrong with a batch: where (`events[3].timestamp`) and what.
 *
 * @category The job event schema
 */
export interface JobEventBatchProblem {
  readonly path: string
  readonly message: string
}

/** How many problems a decode error's message lists before it says how many more there are. */
export const maxListedProblems = 10

// A literal union's message lists all 20 types; past this length a message keeps its start and
// its end (where "actual ..." stands) and drops the middle.
const maxProblemMessageLength = 160

/**
 * A received batch that is not a valid `JobEventBatch`: its problems, one line each by path.
 *
 * @category The job event schema
 */
export class JobEventBatchDecodeError extends TaggedError("JobEventBatchDecodeError")<{
  /** Every problem found, in the order of the body. */
  readonly problems: ReadonlyArray<JobEventBatchProblem>
}> {
  override get message(): string {
    const listed = this.problems.slice(0, maxListedProblems).map((problem) => `${problem.path}: ${problem.message}`)
    const more = this.problems.length - listed.length
    if (more > 0) listed.push(`... and ${more} more problem${more === 1 ? "" : "s"}`)
    return `Invalid job event batch (${this.problems.length} problem${this.problems.length === 1 ? "" : "s"}):\n${listed.join("\n")}`
  }
}

const decodeAll = Schema.decodeUnknownEither(JobEventBatch, { errors: "all" })

const pathOf = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text === "" ? String(key) : `${text}.${String(key)}`),
    ""
  ) || "(body)"

const shorten = (message: string): string => {
  if (message.length <= maxProblemMessageLength) return message
  const keep = Math.floor((maxProblemMessageLength - 5) / 2)
  return `${message.slice(0, keep)} ... ${message.slice(-keep)}`
}

/**
 * Decodes a parsed request body as a `JobEventBatch`. The error lists each problem once, with
 * its path, and its message keeps to {@link maxListedProblems} lines.
 *
 * @category The job event schema
 */
export const decodeJobEventBatch = (body: unknown): Either.Either<JobEventBatch, JobEventBatchDecodeError> =>
  Either.mapLeft(
    decodeAll(body),
    (error) =>
      new JobEventBatchDecodeError({
        problems: ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
          path: pathOf(issue.path),
          message: shorten(issue.message)
        }))
      })
  )
