import { Either } from "effect"
import { describe, expect, it } from "vitest"
import {
  decodeUpstreamJobEventBatch,
  largestUpstreamJobEvent,
  makeJobEvent,
  maxErrorMessageLength,
  maxErrorStackLength,
  UpstreamJobEvent,
  UpstreamJobEventBatch,
  UpstreamJobEventTypes,
  upstreamJobEvents,
  upstreamJobEventsWithSchema,
  upstreamStateAllowance,
  type UpstreamJobEventType
} from "durable-effect-tracking"
import type { VocabularyGateParts } from "../../../src/delivery/EmitGate.js"
import { vocabularyGate } from "../../../src/delivery/VocabularyGate.js"
// Upstream core's release schemas, by path: `@durable-effect/core` is the pre-tracking core here.
import { createJobBaseEvent, InternalJobEventSchema } from "../../fixtures/core-tracked/events.js"
import { cutAt, describeUpstreamFormat, latestTime, typesOf, type FieldsByType } from "../../support/upstreamFormat.js"
import { testJobEvents } from "../../support/vocabularies.js"

const at = Date.UTC(2026, 0, 1, 12)
const job = { instanceId: "0123abcd".repeat(8), jobType: "task", jobName: "mailer" } as const

/** Each type's own fields, as the hand-placed code fills them. */
const fieldsOf: FieldsByType<UpstreamJobEventType> = {
  "job.started": { input: { to: "a@example.com" } },
  "job.executed": { runCount: 3, durationMs: 12.5, attempt: 1, preExecutionState: { count: 2 } },
  "job.failed": {
    error: { message: "boom", stack: "Error: boom\n    at run" },
    runCount: 3,
    attempt: 2,
    willRetry: true,
    preExecutionState: { count: 2 }
  },
  "job.retryExhausted": { attempts: 5, reason: "max_attempts" },
  "job.terminated": { reason: "done", runCount: 4 },
  "debounce.started": { flushAt: new Date(at + 5_000).toISOString() },
  "debounce.flushed": { eventCount: 10, reason: "maxEvents", durationMs: 4_000 },
  "task.scheduled": { scheduledAt: new Date(at + 60_000).toISOString(), trigger: "event" }
}

/** The same with optional fields left out. */
const leastFieldsOf: FieldsByType<UpstreamJobEventType> = {
  ...fieldsOf,
  "job.started": {},
  "job.executed": { runCount: 1, durationMs: 0, attempt: 1 },
  "job.failed": { error: { message: "boom" }, runCount: 1, attempt: 1, willRetry: false },
  "job.terminated": { runCount: 1 }
}

const name = "n".repeat(64)
const big = Number.MAX_SAFE_INTEGER
const state = { cursor: "c".repeat(upstreamStateAllowance - '{"cursor":""}'.length) }

/** Each type's fields at their caps: the longest numbers, errors and times, a state at the allowance. */
const atCaps: FieldsByType<UpstreamJobEventType> = {
  "job.started": { input: state },
  "job.executed": { runCount: big, durationMs: Number.MAX_VALUE, attempt: big, preExecutionState: state },
  "job.failed": {
    error: { message: cutAt(maxErrorMessageLength), stack: cutAt(maxErrorStackLength) },
    runCount: big,
    attempt: big,
    willRetry: true,
    preExecutionState: state
  },
  "job.retryExhausted": { attempts: big, reason: "max_duration" },
  "job.terminated": { reason: cutAt(maxErrorMessageLength), runCount: big },
  "debounce.started": { flushAt: latestTime },
  "debounce.flushed": { eventCount: big, reason: "maxEvents", durationMs: Number.MAX_VALUE },
  "task.scheduled": { scheduledAt: latestTime, trigger: "execute" }
}

const build = (type: UpstreamJobEventType, fields: Readonly<Record<string, unknown>>) =>
  upstreamJobEvents.build({ type, fields, context: job, timestampMs: at })

describe("upstreamJobEvents: upstream core's job event format", () => {
  it("has upstream's 8 types, the job's fields as context and source as a constant", () => {
    expect(upstreamJobEvents.types).toEqual(typesOf(InternalJobEventSchema))
    expect(upstreamJobEvents.context).toEqual(["instanceId", "jobType", "jobName"])
    expect(upstreamJobEvents.optionalContext).toEqual(["id"])
    expect(upstreamJobEvents.constants).toEqual({ source: "job" })
    expect(upstreamJobEvents.schema).toBeUndefined()
    expect(upstreamJobEventsWithSchema.schema).toBe(UpstreamJobEvent)
    expect(["instanceId", "jobType", "jobName", "id"].map(upstreamJobEvents.attributeName)).toEqual([
      "job.instanceId",
      "job.type",
      "job.name",
      "job.id"
    ])
  })

  describeUpstreamFormat({
    vocabulary: upstreamJobEvents,
    schema: UpstreamJobEvent,
    types: UpstreamJobEventTypes,
    fieldsOf,
    leastFieldsOf,
    context: job,
    optional: { key: "id", values: [undefined, "user-42"] },
    upstreamMade: (type, fields, id) => ({
      ...createJobBaseEvent(job.instanceId, job.jobType, job.jobName, id),
      type,
      ...fields
    }),
    at,
    wrong: (build) => [
      { ...build("job.retryExhausted", fieldsOf["job.retryExhausted"]), reason: "max_retries" },
      { ...build("task.scheduled", fieldsOf["task.scheduled"]), trigger: "alarm" },
      { ...build("job.started", {}), jobType: "cron" },
      { ...build("job.started", {}), source: "workflow" }
    ],
    timed: { type: "debounce.started", field: "flushAt" },
    largest: {
      event: largestUpstreamJobEvent,
      atCaps,
      context: { instanceId: name, jobType: "workerPool", jobName: name, id: name }
    },
    batch: { decode: decodeUpstreamJobEventBatch, schema: UpstreamJobEventBatch }
  })

  it("tells its events from the 20-type job events where the types are the same, each vocabulary refusing the other's", () => {
    const twenty = makeJobEvent({ type: "job.started", ...job })
    const upstream = build("job.started", {})
    expect(upstreamJobEvents.accepts(twenty)).toBe(false)
    expect(upstreamJobEvents.accepts(upstream)).toBe(true)
    const twentyFailed = makeJobEvent({ type: "job.failed", ...job, error: { message: "boom" } })
    const upstreamFailed = build("job.failed", leastFieldsOf["job.failed"])
    expect(upstreamJobEvents.accepts(twentyFailed)).toBe(false)
    expect(upstreamJobEvents.accepts(upstreamFailed)).toBe(true)
    // The 20-type job.terminated may say the job itself ended it: `source: "job"` too. Upstream's
    // always has a runCount.
    const terminatedByJob = makeJobEvent({ type: "job.terminated", ...job, source: "job" })
    const upstreamTerminated = build("job.terminated", { runCount: 1 })
    expect(upstreamJobEvents.accepts(terminatedByJob)).toBe(false)
    expect(upstreamJobEvents.accepts(upstreamTerminated)).toBe(true)
    // The 20-type vocabulary refuses upstream's: told both, in either order, a tracker assigns
    // each event its own.
    for (const event of [upstream, upstreamFailed, upstreamTerminated]) expect(testJobEvents.accepts(event)).toBe(false)
    for (const event of [twenty, twentyFailed, terminatedByJob]) expect(testJobEvents.accepts(event)).toBe(true)
    for (const gate of [
      vocabularyGate(upstreamJobEvents, testJobEvents) as VocabularyGateParts,
      vocabularyGate(testJobEvents, upstreamJobEvents) as VocabularyGateParts
    ]) {
      for (const event of [upstream, upstreamFailed, upstreamTerminated]) {
        expect(gate.vocabularyOf(event)?.name).toBe("jobs-upstream")
      }
      for (const event of [twenty, twentyFailed, terminatedByJob]) expect(gate.vocabularyOf(event)?.name).toBe("jobs")
    }
  })

  it("sizes its largest event by the state it allows", () => {
    expect(JSON.stringify(largestUpstreamJobEvent.preExecutionState)).toHaveLength(upstreamStateAllowance)
  })
})

describe("decodeUpstreamJobEventBatch", () => {
  const sent = (type: UpstreamJobEventType) => ({ ...build(type, fieldsOf[type]), env: "test", serviceKey: "jobs" })

  it("names each problem by its path", () => {
    const { env: _env, ...unsent } = sent("job.started")
    const body = { events: [sent("job.executed"), { ...sent("job.failed"), willRetry: "no" }, unsent] }
    const decoded = decodeUpstreamJobEventBatch(body)
    if (Either.isRight(decoded)) throw new Error("expected the batch to be refused")
    expect(decoded.left.vocabulary).toBe("jobs-upstream")
    expect(decoded.left.problems.map((problem) => problem.path)).toEqual(["events[1].willRetry", "events[2].env"])
  })
})
