import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  decodeWorkflowEventBatch,
  largestWorkflowEvent,
  maxErrorMessageLength,
  maxErrorStackLength,
  upstreamJobEvents,
  WorkflowEvent,
  WorkflowEventBatch,
  WorkflowEventTypes,
  workflowEvents,
  workflowEventsWithSchema,
  workflowStepsAllowance,
  type WorkflowEventType
} from "durable-effect-tracking"
// Upstream core's release schemas, by path: `@durable-effect/core` is the pre-tracking core here.
import {
  createWorkflowBaseEvent,
  InternalTrackingEventSchema,
  TrackingEventSchema
} from "../../fixtures/core-tracked/events.js"

const at = Date.UTC(2026, 0, 1, 12)
const later = new Date(at + 30_000).toISOString()
const workflow = { workflowId: "0123abcd".repeat(8), workflowName: "checkout" } as const

type Fields = { readonly [T in WorkflowEventType]: Readonly<Record<string, unknown>> }

/** Each type's own fields, as the hand-placed code fills them. */
const fieldsOf: Fields = {
  "workflow.started": { input: { orderId: "o-1" } },
  "workflow.queued": { input: { orderId: "o-1" } },
  "workflow.completed": { completedSteps: ["charge", "ship"], durationMs: 1_250 },
  "workflow.failed": {
    error: { message: "card declined", stack: "Error: card declined", stepName: "charge", attempt: 3 },
    completedSteps: ["reserve"]
  },
  "workflow.paused": { reason: "retry", resumeAt: later, stepName: "charge" },
  "workflow.resumed": {},
  "workflow.cancelled": { reason: "user asked", completedSteps: ["reserve"] },
  "step.started": { stepName: "charge", attempt: 1 },
  "step.completed": { stepName: "charge", attempt: 1, durationMs: 40, cached: false },
  "step.failed": { stepName: "charge", attempt: 1, error: { message: "timeout", stack: "Error" }, willRetry: true },
  "retry.scheduled": { stepName: "charge", attempt: 2, nextAttemptAt: later, delayMs: 30_000 },
  "retry.exhausted": { stepName: "charge", attempts: 3 },
  "sleep.started": { durationMs: 30_000, resumeAt: later },
  "sleep.completed": { durationMs: 30_000 },
  "timeout.set": { stepName: "charge", deadline: later, timeoutMs: 30_000 },
  "timeout.exceeded": { stepName: "charge", timeoutMs: 30_000 }
}

/** The same with optional fields left out (and a non-Error's `stack: undefined`, as upstream sends it). */
const leastFieldsOf: Fields = {
  ...fieldsOf,
  "workflow.failed": { error: { message: "boom" }, completedSteps: [] },
  "workflow.paused": { reason: "sleep" },
  "workflow.cancelled": { completedSteps: [] },
  "step.failed": { stepName: "charge", attempt: 1, error: { message: "boom", stack: undefined }, willRetry: false }
}

const build = (type: WorkflowEventType, fields: Readonly<Record<string, unknown>>, executionId?: string) =>
  workflowEvents.build({ type, fields, context: { ...workflow, executionId }, timestampMs: at })

/** As the hand-placed code emits it: upstream's base builder, the type, the fields. */
const upstreamMade = (type: WorkflowEventType, fields: Readonly<Record<string, unknown>>, executionId?: string) => ({
  ...createWorkflowBaseEvent(workflow.workflowId, workflow.workflowName, executionId),
  type,
  ...fields
})

const decodeOurs = Schema.decodeUnknownEither(WorkflowEvent)
const decodeUpstream = Schema.decodeUnknownEither(InternalTrackingEventSchema)

describe("workflowEvents: upstream core's workflow events", () => {
  it("lists upstream's 16 types, the workflow's fields as context and source as a constant", () => {
    expect(workflowEvents.types).toEqual([
      "workflow.started",
      "workflow.queued",
      "workflow.completed",
      "workflow.failed",
      "workflow.paused",
      "workflow.resumed",
      "workflow.cancelled",
      "step.started",
      "step.completed",
      "step.failed",
      "retry.scheduled",
      "retry.exhausted",
      "sleep.started",
      "sleep.completed",
      "timeout.set",
      "timeout.exceeded"
    ])
    expect(workflowEvents.context).toEqual(["workflowId", "workflowName"])
    expect(workflowEvents.optionalContext).toEqual(["executionId"])
    expect(workflowEvents.constants).toEqual({ source: "workflow" })
    expect(workflowEvents.schema).toBeUndefined()
    expect(workflowEventsWithSchema.schema).toBe(WorkflowEvent)
    expect(["workflowId", "workflowName", "executionId"].map(workflowEvents.attributeName)).toEqual([
      "workflow.id",
      "workflow.name",
      "workflow.executionId"
    ])
  })

  describe.each(WorkflowEventTypes)("%s", (type) => {
    it("built by the vocabulary, decodes with our Schema and with upstream core's", () => {
      for (const fields of [fieldsOf[type], leastFieldsOf[type]]) {
        for (const executionId of [undefined, "exec-1"]) {
          const event = build(type, fields, executionId)
          expect(event).toMatchObject({ source: "workflow", type, ...workflow, timestamp: new Date(at).toISOString() })
          // An unknown execution id is left out, as upstream's builder leaves it out.
          expect("executionId" in event).toBe(executionId !== undefined)
          expect(Either.getOrThrow(decodeOurs(event))).toEqual(event)
          expect(Either.getOrThrow(decodeUpstream(event))).toEqual(event)
          expect(workflowEvents.accepts(event)).toBe(true)
        }
      }
    })

    it("made by upstream core's builder, decodes with our Schema and is accepted", () => {
      for (const fields of [fieldsOf[type], leastFieldsOf[type]]) {
        for (const executionId of [undefined, "", "exec-1"]) {
          const event = upstreamMade(type, fields, executionId)
          expect(Either.getOrThrow(decodeOurs(event))).toEqual(event)
          expect(workflowEvents.accepts(event)).toBe(true)
        }
      }
    })

    it("is refused by both Schemas without a field of its own", () => {
      for (const key of Object.keys(leastFieldsOf[type]).filter((key) => key !== "input")) {
        const { [key]: _left, ...event } = build(type, leastFieldsOf[type]) as unknown as Record<string, unknown>
        expect(Either.isLeft(decodeOurs(event))).toBe(true)
        expect(Either.isLeft(decodeUpstream(event))).toBe(true)
      }
    })

    it("is not taken for an upstream job event", () => {
      const event = build(type, fieldsOf[type])
      expect(upstreamJobEvents.accepts(event)).toBe(false)
    })
  })

  it("takes `input` as upstream does: any value, the key itself optional", () => {
    const { input: _input, ...without } = build("workflow.started", fieldsOf["workflow.started"]) as unknown as Record<
      string,
      unknown
    >
    // A required key of `Schema.Unknown` is satisfied by its absence (undefined is a value).
    expect(Either.isRight(decodeOurs(without))).toBe(true)
    expect(Either.isRight(decodeUpstream(without))).toBe(true)
  })

  it("is refused by both Schemas with a value upstream does not have", () => {
    const wrong = [
      { ...build("workflow.paused", {}), reason: "timeout" },
      { ...build("step.completed", fieldsOf["step.completed"]), cached: "no" },
      { ...build("workflow.completed", fieldsOf["workflow.completed"]), completedSteps: "charge" },
      { ...build("step.started", fieldsOf["step.started"]), source: "job" }
    ]
    for (const event of wrong) {
      expect(Either.isLeft(decodeOurs(event))).toBe(true)
      expect(Either.isLeft(decodeUpstream(event))).toBe(true)
    }
  })

  it("is stricter than upstream's Schema on ids and times only", () => {
    const event = build("sleep.started", fieldsOf["sleep.started"])
    for (const broken of [
      { ...event, eventId: "e-1" },
      { ...event, resumeAt: "tomorrow" }
    ]) {
      expect(Either.isLeft(decodeOurs(broken))).toBe(true)
      expect(Either.isRight(decodeUpstream(broken))).toBe(true)
    }
  })

  it("has a largest event that is one of its events and no smaller than any at the caps", () => {
    expect(Either.getOrThrow(decodeOurs(largestWorkflowEvent))).toEqual(largestWorkflowEvent)
    expect(Either.isRight(decodeUpstream(largestWorkflowEvent))).toBe(true)
    expect(largestWorkflowEvent.completedSteps).toHaveLength(workflowStepsAllowance)
    const name = "n".repeat(64)
    const cut = (length: number) => `${"y".repeat(length - 1)}…`
    // The longest ISO time of a four-digit year, as every time until 9999 is written.
    const latest = "9999-12-31T23:59:59.999Z"
    const steps = Array.from({ length: workflowStepsAllowance }, () => name)
    const big = Number.MAX_SAFE_INTEGER
    const atCaps: Fields = {
      "workflow.started": { input: { steps } },
      "workflow.queued": { input: { steps } },
      "workflow.completed": { completedSteps: steps, durationMs: Number.MAX_VALUE },
      "workflow.failed": {
        error: { message: cut(maxErrorMessageLength), stack: cut(maxErrorStackLength), stepName: name, attempt: big },
        completedSteps: steps
      },
      "workflow.paused": { reason: "retry", resumeAt: latest, stepName: name },
      "workflow.resumed": {},
      "workflow.cancelled": { reason: cut(maxErrorMessageLength), completedSteps: steps },
      "step.started": { stepName: name, attempt: big },
      "step.completed": { stepName: name, attempt: big, durationMs: Number.MAX_VALUE, cached: false },
      "step.failed": {
        stepName: name,
        attempt: big,
        error: { message: cut(maxErrorMessageLength), stack: cut(maxErrorStackLength) },
        willRetry: false
      },
      "retry.scheduled": { stepName: name, attempt: big, nextAttemptAt: latest, delayMs: Number.MAX_VALUE },
      "retry.exhausted": { stepName: name, attempts: big },
      "sleep.started": { durationMs: Number.MAX_VALUE, resumeAt: latest },
      "sleep.completed": { durationMs: Number.MAX_VALUE },
      "timeout.set": { stepName: name, deadline: latest, timeoutMs: Number.MAX_VALUE },
      "timeout.exceeded": { stepName: name, timeoutMs: Number.MAX_VALUE }
    }
    const bytes = (event: object) => Buffer.byteLength(JSON.stringify(event))
    const largest = bytes(largestWorkflowEvent)
    for (const type of WorkflowEventTypes) {
      const event = workflowEvents.build({
        type,
        fields: atCaps[type],
        context: { workflowId: name, workflowName: name, executionId: name },
        timestampMs: Date.parse(latest)
      })
      expect(Either.isRight(decodeOurs(event))).toBe(true)
      expect(bytes(event)).toBeLessThanOrEqual(largest)
    }
  })
})

describe("decodeWorkflowEventBatch", () => {
  const sent = (type: WorkflowEventType) => ({ ...build(type, fieldsOf[type]), env: "test", serviceKey: "orders" })

  it("decodes a batch as trackers send it, as the batch Schema and upstream's wire Schema do", () => {
    const body = { events: WorkflowEventTypes.map(sent) }
    const decoded = Either.getOrThrow(decodeWorkflowEventBatch(body))
    expect(decoded).toEqual(Schema.decodeUnknownSync(WorkflowEventBatch)(body))
    expect(decoded.events).toEqual(body.events)
    for (const event of body.events)
      expect(Either.isRight(Schema.decodeUnknownEither(TrackingEventSchema)(event))).toBe(true)
  })

  it("names each problem by its path", () => {
    const body = {
      events: [
        sent("step.started"),
        { ...sent("step.completed"), durationMs: "40" },
        { ...sent("timeout.set"), deadline: 1 }
      ]
    }
    const decoded = decodeWorkflowEventBatch(body)
    if (Either.isRight(decoded)) throw new Error("expected the batch to be refused")
    expect(decoded.left.vocabulary).toBe("workflow")
    expect(decoded.left.problems.map((problem) => problem.path)).toEqual(["events[1].durationMs", "events[2].deadline"])
  })
})
