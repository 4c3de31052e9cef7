import { Either, Schema } from "effect"
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
import { makeVocabularyGate } from "../../../src/delivery/VocabularyGate.js"
// Upstream core's release schemas, by path: `@durable-effect/core` is the pre-tracking core here.
import {
  createJobBaseEvent,
  InternalTrackingEventSchema,
  TrackingEventSchema
} from "../../fixtures/core-tracked/events.js"
import { testJobEvents } from "../../support/vocabularies.js"

const at = Date.UTC(2026, 0, 1, 12)
const job = { instanceId: "0123abcd".repeat(8), jobType: "task", jobName: "mailer" } as const

/** Each type's own fields, as the hand-placed code fills them. */
const fieldsOf: { readonly [T in UpstreamJobEventType]: Readonly<Record<string, unknown>> } = {
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

/** The same fields with whatever is least required: optional fields left out. */
const leastFieldsOf: { readonly [T in UpstreamJobEventType]: Readonly<Record<string, unknown>> } = {
  ...fieldsOf,
  "job.started": {},
  "job.executed": { runCount: 1, durationMs: 0, attempt: 1 },
  "job.failed": { error: { message: "boom" }, runCount: 1, attempt: 1, willRetry: false },
  "job.terminated": { runCount: 1 }
}

const build = (type: UpstreamJobEventType, fields: Readonly<Record<string, unknown>>, id?: string) =>
  upstreamJobEvents.build({ type, fields, context: { ...job, id }, timestampMs: at })

/** As the hand-placed code emits it: upstream's base builder, the type, the fields. */
const upstreamMade = (type: UpstreamJobEventType, fields: Readonly<Record<string, unknown>>, id?: string) => ({
  ...createJobBaseEvent(job.instanceId, job.jobType, job.jobName, id),
  type,
  ...fields
})

const decodeOurs = Schema.decodeUnknownEither(UpstreamJobEvent)
const decodeUpstream = Schema.decodeUnknownEither(InternalTrackingEventSchema)

describe("upstreamJobEvents: upstream core's job event format", () => {
  it("lists upstream's 8 types, the job's fields as context and source as a constant", () => {
    expect(upstreamJobEvents.types).toEqual([
      "job.started",
      "job.executed",
      "job.failed",
      "job.retryExhausted",
      "job.terminated",
      "debounce.started",
      "debounce.flushed",
      "task.scheduled"
    ])
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

  describe.each(UpstreamJobEventTypes)("%s", (type) => {
    it("built by the vocabulary, decodes with our Schema and with upstream core's", () => {
      for (const fields of [fieldsOf[type], leastFieldsOf[type]]) {
        for (const id of [undefined, "user-42"]) {
          const event = build(type, fields, id)
          expect(event).toMatchObject({ source: "job", type, ...job, timestamp: new Date(at).toISOString() })
          // An unknown id is left out, as upstream's builder leaves it out.
          expect("id" in event).toBe(id !== undefined)
          expect(Either.getOrThrow(decodeOurs(event))).toEqual(event)
          expect(Either.getOrThrow(decodeUpstream(event))).toEqual(event)
          expect(upstreamJobEvents.accepts(event)).toBe(true)
        }
      }
    })

    it("made by upstream core's builder, decodes with our Schema and is accepted", () => {
      for (const fields of [fieldsOf[type], leastFieldsOf[type]]) {
        for (const id of [undefined, "user-42"]) {
          const event = upstreamMade(type, fields, id)
          expect(Either.getOrThrow(decodeOurs(event))).toEqual(event)
          expect(upstreamJobEvents.accepts(event)).toBe(true)
        }
      }
    })

    it("is refused by both Schemas without a field of its own", () => {
      const required = Object.keys(leastFieldsOf[type])
      for (const key of required) {
        const { [key]: _left, ...event } = build(type, leastFieldsOf[type]) as unknown as Record<string, unknown>
        expect(Either.isLeft(decodeOurs(event))).toBe(true)
        expect(Either.isLeft(decodeUpstream(event))).toBe(true)
      }
    })
  })

  it("is refused by both Schemas with a value upstream does not have", () => {
    const wrong = [
      { ...build("job.retryExhausted", fieldsOf["job.retryExhausted"]), reason: "max_retries" },
      { ...build("task.scheduled", fieldsOf["task.scheduled"]), trigger: "alarm" },
      { ...build("job.started", {}), jobType: "cron" },
      { ...build("job.started", {}), source: "workflow" }
    ]
    for (const event of wrong) {
      expect(Either.isLeft(decodeOurs(event))).toBe(true)
      expect(Either.isLeft(decodeUpstream(event))).toBe(true)
    }
  })

  it("is stricter than upstream's Schema on ids and times only", () => {
    const event = build("debounce.started", fieldsOf["debounce.started"])
    for (const broken of [
      { ...event, eventId: "e-1" },
      { ...event, flushAt: "soon" }
    ]) {
      expect(Either.isLeft(decodeOurs(broken))).toBe(true)
      expect(Either.isRight(decodeUpstream(broken))).toBe(true)
    }
  })

  it("tells its events from the 20-type job events where the types are the same", () => {
    const twenty = makeJobEvent({ type: "job.started", ...job })
    const upstream = build("job.started", {})
    expect(upstreamJobEvents.accepts(twenty)).toBe(false)
    expect(upstreamJobEvents.accepts(upstream)).toBe(true)
    // The 20-type job.terminated may say the job itself ended it: `source: "job"` too. Upstream's
    // always has a runCount.
    const terminatedByJob = makeJobEvent({ type: "job.terminated", ...job, source: "job" })
    expect(upstreamJobEvents.accepts(terminatedByJob)).toBe(false)
    expect(upstreamJobEvents.accepts(build("job.terminated", { runCount: 1 }))).toBe(true)
    // The 20-type vocabulary's own check does not look at `source`: told both, a tracker must
    // be told the upstream one first, and then assigns each event its own.
    expect(testJobEvents.accepts(upstream)).toBe(true)
    const gate = makeVocabularyGate([upstreamJobEvents, testJobEvents])
    expect(gate.vocabularyOf(upstream)?.name).toBe("jobs-upstream")
    expect(gate.vocabularyOf(twenty)?.name).toBe("jobs")
    expect(gate.vocabularyOf(terminatedByJob)?.name).toBe("jobs")
  })

  it("has a largest event that is one of its events and no smaller than any at the caps", () => {
    expect(Either.getOrThrow(decodeOurs(largestUpstreamJobEvent))).toEqual(largestUpstreamJobEvent)
    expect(Either.isRight(decodeUpstream(largestUpstreamJobEvent))).toBe(true)
    expect(JSON.stringify(largestUpstreamJobEvent.preExecutionState)).toHaveLength(upstreamStateAllowance)
    const name = "n".repeat(64)
    const cut = (length: number) => `${"y".repeat(length - 1)}…`
    // The longest ISO time of a four-digit year, as every time until 9999 is written.
    const latest = "9999-12-31T23:59:59.999Z"
    const state = { cursor: "c".repeat(upstreamStateAllowance - '{"cursor":""}'.length) }
    const atCaps: { readonly [T in UpstreamJobEventType]: Readonly<Record<string, unknown>> } = {
      "job.started": { input: state },
      "job.executed": {
        runCount: Number.MAX_SAFE_INTEGER,
        durationMs: Number.MAX_VALUE,
        attempt: Number.MAX_SAFE_INTEGER,
        preExecutionState: state
      },
      "job.failed": {
        error: { message: cut(maxErrorMessageLength), stack: cut(maxErrorStackLength) },
        runCount: Number.MAX_SAFE_INTEGER,
        attempt: Number.MAX_SAFE_INTEGER,
        willRetry: true,
        preExecutionState: state
      },
      "job.retryExhausted": { attempts: Number.MAX_SAFE_INTEGER, reason: "max_duration" },
      "job.terminated": { reason: cut(maxErrorMessageLength), runCount: Number.MAX_SAFE_INTEGER },
      "debounce.started": { flushAt: latest },
      "debounce.flushed": { eventCount: Number.MAX_SAFE_INTEGER, reason: "maxEvents", durationMs: Number.MAX_VALUE },
      "task.scheduled": { scheduledAt: latest, trigger: "execute" }
    }
    const bytes = (event: object) => Buffer.byteLength(JSON.stringify(event))
    const largest = bytes(largestUpstreamJobEvent)
    for (const type of UpstreamJobEventTypes) {
      const event = upstreamJobEvents.build({
        type,
        fields: atCaps[type],
        context: { instanceId: name, jobType: "workerPool", jobName: name, id: name },
        timestampMs: Date.parse(latest)
      })
      expect(Either.isRight(decodeOurs(event))).toBe(true)
      expect(bytes(event)).toBeLessThanOrEqual(largest)
    }
  })
})

describe("decodeUpstreamJobEventBatch", () => {
  const sent = (type: UpstreamJobEventType) => ({ ...build(type, fieldsOf[type]), env: "test", serviceKey: "jobs" })

  it("decodes a batch as trackers send it, as the batch Schema and upstream's wire Schema do", () => {
    const body = { events: UpstreamJobEventTypes.map(sent) }
    const decoded = Either.getOrThrow(decodeUpstreamJobEventBatch(body))
    expect(decoded).toEqual(Schema.decodeUnknownSync(UpstreamJobEventBatch)(body))
    expect(decoded.events).toEqual(body.events)
    for (const event of body.events)
      expect(Either.isRight(Schema.decodeUnknownEither(TrackingEventSchema)(event))).toBe(true)
  })

  it("names each problem by its path", () => {
    const { env: _env, ...unsent } = sent("job.started")
    const body = { events: [sent("job.executed"), { ...sent("job.failed"), willRetry: "no" }, unsent] }
    const decoded = decodeUpstreamJobEventBatch(body)
    if (Either.isRight(decoded)) throw new Error("expected the batch to be refused")
    expect(decoded.left.vocabulary).toBe("jobs-upstream")
    expect(decoded.left.problems.map((problem) => problem.path)).toEqual(["events[1].willRetry", "events[2].env"])
  })
})
