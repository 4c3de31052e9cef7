import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { JobEvent, JobEventBatch, JobEventTypes, JobEventWire, makeJobEvent } from "durable-effect-tracking"

const base = { instanceId: "do-1", jobType: "debounce", jobName: "digest" } as const

describe("job event schema", () => {
  it("has the 20 seed event types, each once", () => {
    expect(JobEventTypes).toHaveLength(20)
    expect(new Set(JobEventTypes).size).toBe(20)
    expect(JobEventTypes[0]).toBe("job.created")
    expect(JobEventTypes[19]).toBe("debounce.cleared")
  })

  it("makeJobEvent fills a time-ordered UUIDv7 id and an ISO timestamp", () => {
    const a = makeJobEvent({ ...base, type: "debounce.event.added", eventCount: 1 }, Date.UTC(2026, 0, 1))
    const b = makeJobEvent({ ...base, type: "debounce.event.added", eventCount: 2 }, Date.UTC(2026, 0, 1))
    expect(a.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(a.eventId < b.eventId).toBe(true)
    expect(a.timestamp).toBe("2026-01-01T00:00:00.000Z")
    expect(Schema.decodeUnknownEither(JobEvent)(a)._tag).toBe("Right")
  })

  it("event ids stay unique and in the order they were made, many within one millisecond", () => {
    const ids = Array.from({ length: 5_000 }, () => makeJobEvent({ ...base, type: "job.created" }).eventId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true)
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(
      true
    )
  })

  it("rejects events that break the schema", () => {
    const good = makeJobEvent({ ...base, type: "debounce.flush.triggered", reason: "maxEvents", eventCount: 3 })
    expect(Either.isRight(Schema.decodeUnknownEither(JobEvent)(good))).toBe(true)
    for (const bad of [
      { ...good, reason: "sometimes" },
      { ...good, type: "debounce.flushed" },
      { ...good, jobType: "cron" },
      { ...good, timestamp: "yesterday" },
      { ...good, eventId: "1" }
    ]) {
      expect(Either.isLeft(Schema.decodeUnknownEither(JobEvent)(bad))).toBe(true)
    }
  })

  it("decodes the wire batch only with env and serviceKey", () => {
    const e = makeJobEvent({ ...base, type: "retry.scheduled", attempt: 2, resumeAt: new Date(0).toISOString() })
    const wire = { ...e, env: "production", serviceKey: "billing" }
    expect(Either.isRight(Schema.decodeUnknownEither(JobEventBatch)({ events: [wire] }))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(JobEventWire)(e))).toBe(true)
  })
})
