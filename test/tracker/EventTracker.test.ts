import { Effect, Layer, Logger } from "effect"
import { describe, expect, it } from "vitest"
import {
  EventTracker,
  NoopTracker,
  emitEvent,
  flushEvents,
  getPendingEvents,
  isNoopTracker,
  type EventTrackerService
} from "durable-effect-tracking"

const trackerLayer = (service: EventTrackerService) => Layer.succeed(EventTracker, service)

describe("emitEvent / flushEvents / getPendingEvents", () => {
  it("do nothing and succeed without a tracker", async () => {
    const logs: Array<unknown> = []
    const result = await Effect.runPromise(
      Effect.all([emitEvent({ type: "x" }), flushEvents, getPendingEvents]).pipe(
        Effect.provide(
          Logger.replace(
            Logger.defaultLogger,
            Logger.make(({ message }) => void logs.push(message))
          )
        )
      )
    )
    expect(result).toEqual([undefined, undefined, 0])
    expect(logs).toEqual([])
  })

  it("reach the tracker in context", async () => {
    const seen: Array<unknown> = []
    let flushed = 0
    const layer = trackerLayer({
      emit: (event) => Effect.sync(() => void seen.push(event)),
      flush: () => Effect.sync(() => void flushed++),
      pending: () => Effect.succeed(seen.length)
    })
    const pending = await Effect.runPromise(
      Effect.gen(function* () {
        yield* emitEvent({ type: "a" })
        yield* emitEvent({ type: "b" })
        yield* flushEvents
        return yield* getPendingEvents
      }).pipe(Effect.provide(layer))
    )
    expect(seen).toEqual([{ type: "a" }, { type: "b" }])
    expect(flushed).toBe(1)
    expect(pending).toBe(2)
  })

  it("never fail, whether the tracker fails, dies or throws", async () => {
    const failing = trackerLayer({
      emit: () => Effect.fail("boom" as never),
      flush: () => Effect.die(new Error("dead")),
      pending: () => {
        throw new Error("thrown before returning an effect")
      }
    })
    const exit = await Effect.runPromiseExit(
      Effect.all([emitEvent({ type: "a" }), flushEvents, getPendingEvents]).pipe(Effect.provide(failing))
    )
    expect(exit._tag).toBe("Success")
    if (exit._tag === "Success") expect(exit.value).toEqual([undefined, undefined, 0])
  })
})

describe("NoopTracker", () => {
  it("is recognisable, and other trackers are not", async () => {
    const provided = await Effect.runPromise(EventTracker.pipe(Effect.provide(NoopTracker.layer)))
    expect(isNoopTracker(provided)).toBe(true)
    expect(isNoopTracker(NoopTracker)).toBe(true)
    expect(isNoopTracker({ emit: () => Effect.void, flush: () => Effect.void, pending: () => Effect.succeed(0) })).toBe(
      false
    )
    expect(isNoopTracker(null)).toBe(false)
  })

  it("uses the shared tag key", () => {
    expect(EventTracker.key).toBe("@durable-effect/EventTracker")
  })
})
