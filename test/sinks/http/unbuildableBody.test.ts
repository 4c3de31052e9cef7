import { Effect } from "effect"
import { describe, expect, it, vi } from "vitest"
import { jobEvents } from "../../support/tracking.js"

// A request body longer than the engine's longest string cannot be built (RangeError: Invalid
// string length). Real bodies that long take gigabytes, so the body builder is made to fail as
// the engine would, above a number of events, to show the tracker splits and counts, never
// swallows the error and puts the batch back for ever.
let failAbove = Infinity
vi.mock("../../../src/delivery/BatchBody.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../../src/delivery/BatchBody.js")>()
  return {
    ...original,
    batchBody: (events: Parameters<typeof original.batchBody>[0]) => {
      if (events.length > failAbove) throw new RangeError("Invalid string length")
      return original.batchBody(events)
    }
  }
})

const { HttpBatchTracker } = await import("../../../src/sinks/http/HttpBatchTracker.js")

const trackerSending = (sent: Array<number>) =>
  HttpBatchTracker.make({
    endpoint: "http://collector.invalid/ingest",
    env: "test",
    serviceKey: "svc",
    fetch: async (_url, init) => {
      sent.push((JSON.parse(init.body) as { events: Array<unknown> }).events.length)
      return { status: 200, headers: { get: () => null } }
    }
  })

describe("a request body that cannot be built", () => {
  it("is split until it can, and every event is delivered", async () => {
    failAbove = 3
    const sent: Array<number> = []
    const t = trackerSending(sent)
    await Effect.runPromise(
      Effect.zipRight(
        Effect.forEach(jobEvents(10), (e) => t.emit(e)),
        t.flush()
      )
    )
    expect(sent.every((count) => count <= 3)).toBe(true)
    expect(await Effect.runPromise(t.stats())).toMatchObject({
      sent: 10,
      pending: 0,
      lastFailure: { kind: "encoding" }
    })
  })

  it("drops a single event whose body cannot be built, counted as tooLarge with lastFailure set: no stall", async () => {
    failAbove = 0
    const sent: Array<number> = []
    const t = trackerSending(sent)
    await Effect.runPromise(
      Effect.zipRight(
        Effect.forEach(jobEvents(4), (e) => t.emit(e)),
        t.flush()
      )
    )
    expect(sent).toEqual([])
    expect(await Effect.runPromise(t.stats())).toMatchObject({
      sent: 0,
      pending: 0,
      requests: 0,
      dropped: { tooLarge: 4 },
      lastFailure: { kind: "encoding" }
    })
  })
})
