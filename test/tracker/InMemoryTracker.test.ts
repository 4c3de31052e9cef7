import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  InMemoryTracker,
  InvalidTrackerConfigError,
  emitEvent,
  EventTracker,
  makeJobEvent,
  vocabularyGate
} from "durable-effect-tracking"
import { captureLogs } from "../support/logCapture.js"
import { auditEvents, payment, paymentEvents, testJobEvents } from "../support/vocabularies.js"

const base = { instanceId: "do-1", jobType: "continuous", jobName: "heartbeat" } as const

describe("InMemoryTracker.make and InMemoryTracker.layer", () => {
  it("records events across separate builds of its layer, and reads them by type", async () => {
    const memory = InMemoryTracker.make()
    const { handle } = memory
    const layer = InMemoryTracker.layer(memory)
    // Two runs, two layer builds: as a jobs runtime does per call.
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.created" })).pipe(Effect.provide(layer)))
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.started" })).pipe(Effect.provide(layer)))

    const all = await Effect.runPromise(handle.getEvents())
    expect(all.map((e) => e.type)).toEqual(["job.created", "job.started"])
    expect(await Effect.runPromise(handle.getEventsByType("job.started"))).toHaveLength(1)
    expect(await Effect.runPromise(handle.hasEvent("job.created"))).toBe(true)
    expect(await Effect.runPromise(handle.hasEvent("job.failed"))).toBe(false)

    await Effect.runPromise(handle.clear())
    expect(await Effect.runPromise(handle.getEvents())).toEqual([])
  })

  it("hands out a copy, not its own buffer", async () => {
    const memory = InMemoryTracker.make()
    const { handle } = memory
    const layer = InMemoryTracker.layer(memory)
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.created" })).pipe(Effect.provide(layer)))
    const first = await Effect.runPromise(handle.getEvents())
    await Effect.runPromise(emitEvent(makeJobEvent({ ...base, type: "job.started" })).pipe(Effect.provide(layer)))
    expect(first).toHaveLength(1)
  })
})

// Written as a test against @durable-effect/core's in-memory tracker is: only the import differs.
describe("the in-memory tracker, used as core's", () => {
  it("yields { service, handle } in Effect.gen, and its handle's functions return Effects", async () => {
    const program = Effect.gen(function* () {
      const { service, handle } = yield* InMemoryTracker.make()
      yield* service.emit(makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "mailer" }))
      const events = yield* handle.getEvents()
      const created = yield* handle.getEventsByType("job.created")
      const started = yield* handle.hasEvent("job.started")
      yield* handle.clear()
      return { events: events.length, created: created.length, started, after: (yield* handle.getEvents()).length }
    })
    expect(await Effect.runPromise(program)).toEqual({ events: 1, created: 1, started: false, after: 0 })
  })

  it("its layer provides the very tracker the handle reads", async () => {
    const program = Effect.gen(function* () {
      const memory = yield* InMemoryTracker.make()
      const { handle } = memory
      const layer = InMemoryTracker.layer(memory)
      yield* Effect.flatMap(EventTracker, (tracker) =>
        tracker.emit(makeJobEvent({ type: "job.started", instanceId: "i-2", jobType: "task", jobName: "mailer" }))
      ).pipe(Effect.provide(layer))
      return yield* handle.hasEvent("job.started")
    })
    expect(await Effect.runPromise(program)).toBe(true)
  })
})

describe("InMemoryTracker.make({ vocabularies })", () => {
  it("refuses vocabularies not made by vocabularyGate, and a gate of things that are not vocabularies", () => {
    const issuesOf = (vocabularies: unknown): ReadonlyArray<string> => {
      try {
        InMemoryTracker.make({ vocabularies: vocabularies as never })
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidTrackerConfigError)
        return (error as InvalidTrackerConfigError).issues
      }
      return []
    }
    expect(issuesOf([paymentEvents])).toEqual(["vocabularies must be made by vocabularyGate(...)"])
    expect(issuesOf((vocabularyGate as (...vocabularies: Array<unknown>) => unknown)({ name: "x" }))).toEqual([
      "vocabularyGate(...) takes one or more vocabularies (defineVocabulary)"
    ])
    expect(issuesOf(vocabularyGate(paymentEvents))).toEqual([])
    expect(issuesOf(undefined)).toEqual([])
  })

  it("records the events of the vocabularies told, as emitted, and refuses the others with a reason", async () => {
    const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(paymentEvents) })
    const charged = payment("payment.charged", "acct-1", 900)
    const job = makeJobEvent({ ...base, type: "job.created" })
    const { lines, provide } = captureLogs()
    await Effect.runPromise(
      provide(
        Effect.all([
          emitEvent(charged),
          emitEvent(job),
          emitEvent(makeJobEvent({ ...base, type: "job.started" })),
          emitEvent({ amountCents: 1 })
        ]).pipe(Effect.provide(InMemoryTracker.layer(memory)))
      )
    )
    expect(await Effect.runPromise(memory.handle.getEvents())).toEqual([charged])
    const refused = await Effect.runPromise(memory.handle.refused())
    expect(refused.map(({ cause, type, reason }) => [cause, type, reason])).toEqual([
      ["unknownVocabulary", "job.created", 'type "job.created" is of none of the vocabularies payments'],
      ["unknownVocabulary", "job.started", 'type "job.started" is of none of the vocabularies payments'],
      [
        "unknownVocabulary",
        undefined,
        "an object without a string type; this tracker carries the vocabularies payments"
      ]
    ])
    expect(refused[0]!.event).toBe(job)
    // Said once per cause, as the buffering trackers do.
    expect(lines.map((line) => [line.annotations.dropped, line.annotations.module])).toEqual([
      ["unknownVocabulary", "tracker/InMemoryTracker"]
    ])
    expect(lines[0]!.message).toContain("handle.refused()")
    await Effect.runPromise(memory.handle.clear())
    expect(await Effect.runPromise(memory.handle.refused())).toEqual([])
  })

  it("checks each event against its vocabulary's Schema, refusing invalid ones with the parse error", async () => {
    const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(paymentEvents, testJobEvents) })
    const good = payment("payment.refunded", "acct-1", 300)
    // Accepted by the cheap check (type, context), not by the Schema: a string amount.
    const bad = { ...payment("payment.charged", "acct-1", 1), amountCents: "12" }
    const badJob = { ...makeJobEvent({ ...base, type: "job.created" }), jobType: "cron" }
    await Effect.runPromise(
      Effect.all([memory.tracker.emit(good), memory.tracker.emit(bad as never), memory.tracker.emit(badJob as never)])
    )
    expect(await Effect.runPromise(memory.handle.getEvents())).toEqual([good])
    const refused = await Effect.runPromise(memory.handle.refused())
    expect(refused.map((r) => [r.cause, r.type])).toEqual([
      ["invalid", "payment.charged"],
      ["invalid", "job.created"]
    ])
    expect(refused[0]!.reason).toMatch(/^not a valid payments event: /)
    expect(refused[0]!.reason).toMatch(/amountCents[\s\S]*Expected number, actual "12"/)
    expect(refused[1]!.reason).toMatch(/^not a valid jobs event: [\s\S]*jobType/)
  })

  it("records without a Schema check the events of a vocabulary that gives none", async () => {
    const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(auditEvents) })
    const read = { eventId: "e-1", timestamp: "t", type: "audit.read" as const, userId: "u-1", path: 42 }
    await Effect.runPromise(memory.tracker.emit(read as never))
    expect(await Effect.runPromise(memory.handle.getEvents())).toEqual([read])
  })

  it("without vocabularies records everything, as before, and refuses nothing", async () => {
    const memory = InMemoryTracker.make<{ readonly type: string }>()
    await Effect.runPromise(Effect.all([memory.tracker.emit({ type: "anything" }), memory.tracker.emit(42 as never)]))
    expect(await Effect.runPromise(memory.handle.getEvents())).toEqual([{ type: "anything" }, 42])
    expect(await Effect.runPromise(memory.handle.refused())).toEqual([])
  })
})
