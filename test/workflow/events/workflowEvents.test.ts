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
  InternalWorkflowEventSchema
} from "../../fixtures/core-tracked/events.js"
import { cutAt, describeUpstreamFormat, latestTime, typesOf, type FieldsByType } from "../../support/upstreamFormat.js"

const at = Date.UTC(2026, 0, 1, 12)
const later = new Date(at + 30_000).toISOString()
const workflow = { workflowId: "0123abcd".repeat(8), workflowName: "checkout" } as const

type Fields = FieldsByType<WorkflowEventType>

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

const name = "n".repeat(64)
const steps = Array.from({ length: workflowStepsAllowance }, () => name)
const big = Number.MAX_SAFE_INTEGER

/** Each type's fields at their caps: the longest numbers, errors and times, steps at the allowance. */
const atCaps: Fields = {
  "workflow.started": { input: { steps } },
  "workflow.queued": { input: { steps } },
  "workflow.completed": { completedSteps: steps, durationMs: Number.MAX_VALUE },
  "workflow.failed": {
    error: {
      message: cutAt(maxErrorMessageLength),
      stack: cutAt(maxErrorStackLength),
      stepName: name,
      attempt: big
    },
    completedSteps: steps
  },
  "workflow.paused": { reason: "retry", resumeAt: latestTime, stepName: name },
  "workflow.resumed": {},
  "workflow.cancelled": { reason: cutAt(maxErrorMessageLength), completedSteps: steps },
  "step.started": { stepName: name, attempt: big },
  "step.completed": { stepName: name, attempt: big, durationMs: Number.MAX_VALUE, cached: false },
  "step.failed": {
    stepName: name,
    attempt: big,
    error: { message: cutAt(maxErrorMessageLength), stack: cutAt(maxErrorStackLength) },
    willRetry: false
  },
  "retry.scheduled": { stepName: name, attempt: big, nextAttemptAt: latestTime, delayMs: Number.MAX_VALUE },
  "retry.exhausted": { stepName: name, attempts: big },
  "sleep.started": { durationMs: Number.MAX_VALUE, resumeAt: latestTime },
  "sleep.completed": { durationMs: Number.MAX_VALUE },
  "timeout.set": { stepName: name, deadline: latestTime, timeoutMs: Number.MAX_VALUE },
  "timeout.exceeded": { stepName: name, timeoutMs: Number.MAX_VALUE }
}

const build = (type: WorkflowEventType, fields: Readonly<Record<string, unknown>>) =>
  workflowEvents.build({ type, fields, context: workflow, timestampMs: at })

const decodeOurs = Schema.decodeUnknownEither(WorkflowEvent)
const decodeUpstream = Schema.decodeUnknownEither(InternalTrackingEventSchema)

describe("workflowEvents: upstream core's workflow events", () => {
  it("has upstream's 16 types, the workflow's fields as context and source as a constant", () => {
    expect(workflowEvents.types).toEqual(typesOf(InternalWorkflowEventSchema))
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

  describeUpstreamFormat({
    vocabulary: workflowEvents,
    schema: WorkflowEvent,
    types: WorkflowEventTypes,
    fieldsOf,
    leastFieldsOf,
    context: workflow,
    optional: { key: "executionId", values: [undefined, "exec-1"] },
    upstreamMade: (type, fields, executionId) => ({
      ...createWorkflowBaseEvent(workflow.workflowId, workflow.workflowName, executionId),
      type,
      ...fields
    }),
    at,
    wrong: (build) => [
      { ...build("workflow.paused", {}), reason: "timeout" },
      { ...build("step.completed", fieldsOf["step.completed"]), cached: "no" },
      { ...build("workflow.completed", fieldsOf["workflow.completed"]), completedSteps: "charge" },
      { ...build("step.started", fieldsOf["step.started"]), source: "job" }
    ],
    timed: { type: "sleep.started", field: "resumeAt" },
    largest: {
      event: largestWorkflowEvent,
      atCaps,
      context: { workflowId: name, workflowName: name, executionId: name }
    },
    batch: { decode: decodeWorkflowEventBatch, schema: WorkflowEventBatch }
  })

  it("is not taken for an upstream job event", () => {
    for (const type of WorkflowEventTypes) expect(upstreamJobEvents.accepts(build(type, fieldsOf[type]))).toBe(false)
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

  it("sizes its largest event by the steps it allows", () => {
    expect(largestWorkflowEvent.completedSteps).toHaveLength(workflowStepsAllowance)
  })
})

describe("decodeWorkflowEventBatch", () => {
  const sent = (type: WorkflowEventType) => ({ ...build(type, fieldsOf[type]), env: "test", serviceKey: "orders" })

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
