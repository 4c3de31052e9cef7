import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  HttpBatchTracker,
  makeJobEvent,
  upstreamJobEvents,
  type HttpFetch,
  vocabularyGate
} from "durable-effect-tracking"
import { captureLogs } from "../../support/logCapture.js"
import { jobEvents, runTest } from "../../support/tracking.js"
import { payment, paymentEvents, testJobEvents } from "../../support/vocabularies.js"

// Issue 25: a tracker carries the events of the vocabularies it was told about; the others are
// refused at emit, counted as unknownVocabulary and said once, never sent.

const recordingFetch = () => {
  const bodies: Array<{ events: Array<Record<string, unknown>> }> = []
  const fetch: HttpFetch = async (_url, init) => {
    bodies.push(JSON.parse(init.body) as { events: Array<Record<string, unknown>> })
    return { status: 200, headers: { get: () => null } }
  }
  return { bodies, fetch, sent: () => bodies.flatMap((body) => body.events) }
}

const config = { endpoint: "https://collector.example.com/events", env: "test", serviceKey: "svc" }

describe("HttpBatchTracker told vocabularies", () => {
  it("delivers the events of a vocabulary it was told about unchanged (plus env and serviceKey)", async () => {
    const { fetch, sent } = recordingFetch()
    const t = HttpBatchTracker.make({ ...config, fetch, vocabularies: vocabularyGate(paymentEvents) })
    const charged = payment("payment.charged", "acct-1", 1_250)
    const refunded = payment("payment.refunded", "acct-1", 250)
    await runTest(Effect.all([t.emit(charged), t.emit(refunded), t.flush()]))
    expect(sent()).toEqual([
      { ...charged, env: "test", serviceKey: "svc" },
      { ...refunded, env: "test", serviceKey: "svc" }
    ])
    expect(await Effect.runPromise(t.stats())).toMatchObject({ emitted: 2, sent: 2, dropped: { unknownVocabulary: 0 } })
  })

  it("refuses events none of them accepts at emit: never buffered or sent, counted, said once with the type and the vocabularies", async () => {
    const { fetch, sent } = recordingFetch()
    const t = HttpBatchTracker.make<unknown>({ ...config, fetch, vocabularies: vocabularyGate(paymentEvents) })
    const { lines, provide } = captureLogs()
    const [job] = jobEvents(1)
    const charged = payment("payment.charged", "acct-1", 1_250)
    await runTest(
      provide(
        Effect.gen(function* () {
          yield* t.emit(job)
          // Refused before the buffer: nothing pending.
          expect(yield* t.pending()).toBe(0)
          yield* t.emit({ ...job, type: "payment.settled" })
          yield* t.emit("not an event")
          yield* t.emit(charged)
          yield* t.flush()
        })
      )
    )
    expect(sent().map((event) => event.eventId)).toEqual([charged.eventId])
    const stats = await Effect.runPromise(t.stats())
    expect(stats).toMatchObject({ emitted: 1, sent: 1, pending: 0 })
    expect(stats.dropped).toEqual({ overflow: 0, rejected: 0, tooLarge: 0, unserializable: 0, unknownVocabulary: 3 })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      level: "WARN",
      annotations: {
        dropped: "unknownVocabulary",
        detail: 'type "execution.started" is of none of the vocabularies payments',
        events: 1,
        module: "sinks/http/HttpSink",
        endpoint: "https://collector.example.com"
      }
    })
    expect(lines[0]!.message).toContain("stats().dropped.unknownVocabulary")
    // Its type and the vocabularies, never its body.
    expect(JSON.stringify(lines)).not.toContain(job!.instanceId)
  })

  it("refuses an event of a known type that lacks its vocabulary's context, naming the missing keys only", async () => {
    const { fetch } = recordingFetch()
    const t = HttpBatchTracker.make<unknown>({
      ...config,
      fetch,
      vocabularies: vocabularyGate(paymentEvents, testJobEvents)
    })
    const { lines, provide } = captureLogs()
    const { accountId: _accountId, ...anonymous } = payment("payment.charged", "acct-secret", 1)
    await runTest(provide(t.emit(anonymous)))
    expect(lines.map((line) => line.annotations.detail)).toEqual([
      'type "payment.charged" is not accepted by payments (lacks context accountId)'
    ])
    expect(JSON.stringify(lines)).not.toContain("acct-secret")
    expect((await Effect.runPromise(t.stats())).dropped.unknownVocabulary).toBe(1)
  })

  it("carries events of every vocabulary told, each checked against its own", async () => {
    const { fetch, sent } = recordingFetch()
    const t = HttpBatchTracker.make({ ...config, fetch, vocabularies: vocabularyGate(paymentEvents, testJobEvents) })
    const created = makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "orders" })
    const charged = payment("payment.charged", "acct-1", 1_250)
    await runTest(Effect.all([t.emit(created), t.emit(charged), t.flush()]))
    expect(sent().map((event) => event.type)).toEqual(["job.created", "payment.charged"])
  })

  it("told the 20 job types only, refuses upstream core's job.started: the same type in the other format", async () => {
    const { fetch, sent } = recordingFetch()
    const t = HttpBatchTracker.make<unknown>({ ...config, fetch, vocabularies: vocabularyGate(testJobEvents) })
    const { lines, provide } = captureLogs()
    const context = { instanceId: "i-1", jobType: "continuous", jobName: "counter" } as const
    const upstream = upstreamJobEvents.build({ type: "job.started", fields: {}, context, timestampMs: 0 })
    const started = makeJobEvent({ type: "job.started", ...context })
    await runTest(provide(Effect.all([t.emit(upstream), t.emit(started), t.flush()])))
    expect(sent().map((event) => event.eventId)).toEqual([started.eventId])
    expect((await Effect.runPromise(t.stats())).dropped.unknownVocabulary).toBe(1)
    expect(lines.map((line) => line.annotations.dropped)).toEqual(["unknownVocabulary"])
  })

  it("told none, carries any object with a string type, and refuses the rest the same way", async () => {
    const { fetch, sent } = recordingFetch()
    const t = HttpBatchTracker.make<unknown>({ ...config, fetch })
    const { lines, provide } = captureLogs()
    const charged = payment("payment.charged", "acct-1", 1_250)
    await runTest(
      provide(Effect.all([t.emit(charged), t.emit({ amountCents: 5 }), t.emit(42), t.emit(null), t.flush()]))
    )
    expect(sent().map((event) => event.eventId)).toEqual([charged.eventId])
    expect((await Effect.runPromise(t.stats())).dropped.unknownVocabulary).toBe(3)
    expect(lines.map((line) => [line.annotations.dropped, line.annotations.detail])).toEqual([
      ["unknownVocabulary", "an object without a string type or a toJSON"]
    ])
  })

  it("never fails emit, even on an event whose type getter throws", async () => {
    const { fetch } = recordingFetch()
    const t = HttpBatchTracker.make<unknown>({ ...config, fetch, vocabularies: vocabularyGate(paymentEvents) })
    const hostile = Object.defineProperty({}, "type", {
      get: () => {
        throw new Error("no")
      }
    })
    await runTest(t.emit(hostile))
    expect((await Effect.runPromise(t.stats())).dropped.unknownVocabulary).toBe(1)
  })
})
