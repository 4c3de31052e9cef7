/**
 * Decoding a batch as a collector receives it. Effect's default report of a failed decode walks
 * every member of the 20-type union for every bad event (tens of KB for one wrong field); a
 * collector wants to log what is wrong, one line per problem, in a bounded size.
 */

import { Either, Schema } from "effect"
import { batchProblems, maxListedProblems, problemReport } from "../../event/decodeEventBatch.js"
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
    return problemReport("Invalid job event batch", this.problems)
  }
}

const decodeAll = Schema.decodeUnknownEither(JobEventBatch, { errors: "all" })

/**
 * Decodes a parsed request body as a `JobEventBatch`. The error lists each problem once, with
 * its path, and its message keeps to {@link maxListedProblems} lines.
 *
 * @category The job event schema
 */
export const decodeJobEventBatch = (body: unknown): Either.Either<JobEventBatch, JobEventBatchDecodeError> =>
  Either.mapLeft(decodeAll(body), (error) => new JobEventBatchDecodeError({ problems: batchProblems(error) }))
