import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  HttpBatchTracker,
  InMemoryTracker,
  makeJobEvent,
  QueueTracker,
  upstreamJobEvents,
  upstreamJobEventsWithSchema,
  workflowEvents,
  workflowEventsWithSchema,
  type QueueProducer,
  vocabularyGate
} from "durable-effect-tracking"

const step = workflowEvents.build({
  type: "step.started",
  fields: { stepName: "charge", attempt: 1 },
  context: { workflowId: "w-1", workflowName: "checkout" },
  timestampMs: Date.UTC(2026, 0, 1)
})
const started = upstreamJobEvents.build({
  type: "job.started",
  fields: {},
  context: { instanceId: "i-1", jobType: "task", jobName: "mailer" },
  timestampMs: Date.UTC(2026, 0, 1)
})

describe("trackers told the workflow and the upstream job vocabularies", () => {
  it("are created with their default limits, which hold the vocabularies' largest events", () => {
    const vocabularies = vocabularyGate(upstreamJobEvents, workflowEvents)
    const config = { endpoint: "https://collector.example.com", env: "production", serviceKey: "orders" }
    expect(() => HttpBatchTracker.make({ ...config, vocabularies })).not.toThrow()
    const queue: QueueProducer = { send: () => Promise.resolve(), sendBatch: () => Promise.resolve() }
    expect(() => QueueTracker.make(queue, { env: "production", serviceKey: "orders", vocabularies })).not.toThrow()
  })

  it("record each vocabulary's events, checked by its Schema, and refuse the others", async () => {
    const memory = InMemoryTracker.make({
      vocabularies: vocabularyGate(upstreamJobEventsWithSchema, workflowEventsWithSchema)
    })
    const twenty = makeJobEvent({ type: "job.started", instanceId: "i-1", jobType: "task", jobName: "mailer" })
    // Emitted untyped, as a hand-placed call may: the tracker's type would refuse the last two.
    const emit = memory.service.emit as (event: unknown) => Effect.Effect<void>
    const [recorded, refused] = await Effect.runPromise(
      Effect.gen(function* () {
        for (const event of [step, started, twenty, { ...step, attempt: "first" }]) yield* emit(event)
        return [yield* memory.handle.getEvents(), yield* memory.handle.refused()] as const
      })
    )
    expect(recorded).toEqual([step, started])
    expect(refused.map((refusal) => refusal.event)).toEqual([twenty, { ...step, attempt: "first" }])
  })
})
