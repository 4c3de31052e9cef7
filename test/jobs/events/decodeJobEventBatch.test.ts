import { Either, ParseResult, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { decodeJobEventBatch, JobEventBatch, makeJobEvent } from "durable-effect-tracking"
import { maxListedProblems } from "../../../src/event/decodeEventBatch.js"

const wire = (type: "job.created" | "alarm.scheduled" = "job.created") => ({
  ...makeJobEvent({ type: "job.created", instanceId: "instance-1", jobType: "task", jobName: "mailer" }),
  type,
  env: "test",
  serviceKey: "jobs"
})

describe("decodeJobEventBatch", () => {
  it("decodes a valid batch to the same value as the schema", () => {
    const body = { events: [wire(), { ...wire("alarm.scheduled"), scheduledAt: new Date(0).toISOString() }] }
    const decoded = decodeJobEventBatch(body)
    expect(Either.isRight(decoded)).toBe(true)
    expect(Either.getOrThrow(decoded)).toEqual(Schema.decodeUnknownSync(JobEventBatch)(body))
  })

  it("names each problem once, by its path, in a message a log line can hold", () => {
    const body = {
      events: [
        wire(),
        { ...wire(), timestamp: "yesterday" },
        { ...wire(), type: "job.unknown" },
        wire("alarm.scheduled")
      ]
    }
    const decoded = decodeJobEventBatch(body)
    if (Either.isRight(decoded)) throw new Error("expected the batch to be refused")
    const error = decoded.left
    expect(error._tag).toBe("JobEventBatchDecodeError")
    expect(error.problems.map((problem) => problem.path)).toEqual([
      "events[1].timestamp",
      "events[2].type",
      "events[3].scheduledAt"
    ])
    // The unknown type keeps what it was, though the list of the 20 expected ones is cut.
    expect(error.problems[1]?.message).toContain('"job.unknown"')
    const lines = error.message.split("\n")
    expect(lines).toHaveLength(1 + 3)
    expect(error.message.length).toBeLessThan(600)
    // Effect's own tree report of the same body, for scale: what a collector logged before.
    const tree = Schema.decodeUnknownEither(JobEventBatch, { errors: "all" })(body)
    if (Either.isLeft(tree))
      expect(ParseResult.TreeFormatter.formatErrorSync(tree.left).length).toBeGreaterThan(10 * error.message.length)
  })

  it("caps the listed problems and says how many more there are", () => {
    const body = { events: Array.from({ length: 25 }, () => ({ ...wire(), timestamp: 42 })) }
    const decoded = decodeJobEventBatch(body)
    if (Either.isRight(decoded)) throw new Error("expected the batch to be refused")
    expect(decoded.left.problems).toHaveLength(25)
    const lines = decoded.left.message.split("\n")
    expect(lines).toHaveLength(1 + maxListedProblems + 1)
    expect(lines.at(-1)).toBe(`... and ${25 - maxListedProblems} more problems`)
  })

  it("reports a body that is not a batch at all", () => {
    for (const body of [undefined, "events", { events: "none" }]) {
      const decoded = decodeJobEventBatch(body)
      expect(Either.isLeft(decoded)).toBe(true)
      if (Either.isLeft(decoded)) expect(decoded.left.problems.length).toBeGreaterThan(0)
    }
  })
})
