import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { HttpBatchTracker } from "durable-effect-tracking"
import type { HttpFetch } from "durable-effect-tracking"
import { captureLogs } from "../../support/logCapture.js"
import { jobEvents, runTest } from "../../support/tracking.js"

// Issue 27: a collector that refuses every batch (a wrong token) used to leave only a counter.
// The first drop of each status and cause is logged once, at warning level; later ones are counted.

const secret = "s3cr3t-token"
const answering =
  (status: number): HttpFetch =>
  async () => ({ status, headers: { get: () => null } })

const tracker = (fetch: HttpFetch, overrides: object = {}) =>
  HttpBatchTracker.make({
    endpoint: "https://collector.example.com/hooks/T0SECRETPATH/ingest?token=q",
    env: "test",
    serviceKey: "svc",
    headers: { authorization: `Bearer ${secret}` },
    fetch,
    ...overrides
  })

describe("HttpBatchTracker: drops are logged once per status and cause", () => {
  it("logs a 401 once, naming the status and the count; a second 401 batch is only counted", async () => {
    const t = tracker(answering(401))
    const { lines, provide } = captureLogs()
    const events = jobEvents(30)
    await runTest(
      provide(
        Effect.gen(function* () {
          for (const event of events.slice(0, 25)) yield* t.emit(event)
          yield* t.flush()
          expect(lines).toHaveLength(1)
          expect((yield* t.stats()).dropped.rejected).toBe(25)
          for (const event of events.slice(25)) yield* t.emit(event)
          yield* t.flush()
        })
      )
    )
    expect(lines).toHaveLength(1)
    const [line] = lines
    expect(line).toMatchObject({
      level: "WARN",
      annotations: { dropped: "rejected", failure: "status 401", events: 25, module: "sinks/http/HttpSink" }
    })
    expect(line!.message).toMatch(/^events rejected: status 401, 25 events dropped \(.*stats\(\)\.dropped\.rejected/)
    const stats = await Effect.runPromise(t.stats())
    expect(stats).toMatchObject({ requests: 2, dropped: { rejected: 30 }, pending: 0 })
    const logged = JSON.stringify(lines)
    for (const hidden of [secret, "T0SECRETPATH", "token=q", events[0]!.eventId]) expect(logged).not.toContain(hidden)
  })

  it("logs each rejecting status once, and each drop cause once", async () => {
    const statuses = [401, 400, 401, 400]
    const t = tracker(async () => ({ status: statuses.shift() ?? 200, headers: { get: () => null } }), {
      maxBufferSize: 3
    })
    const { lines, provide } = captureLogs()
    await runTest(
      provide(
        Effect.gen(function* () {
          for (let round = 0; round < 4; round++) {
            // Refused before the buffer is full (a full buffer refuses without looking).
            yield* t.emit({ type: "job.started", big: 10n } as never)
            for (const event of jobEvents(4)) yield* t.emit(event)
            yield* t.flush()
          }
        })
      )
    )
    expect(lines.map((line) => [line.annotations.dropped, line.annotations.failure, line.annotations.events])).toEqual([
      ["unserializable", undefined, 1],
      ["overflow", undefined, 1],
      ["rejected", "status 401", 3],
      ["rejected", "status 400", 3]
    ])
    expect(await Effect.runPromise(t.stats())).toMatchObject({
      dropped: { overflow: 4, unserializable: 4, rejected: 12, tooLarge: 0 }
    })
  })

  it("names the endpoint's origin in logs, its path only with logEndpointPath (webhook URLs hold secrets there)", async () => {
    const endpointOf = async (overrides: object) => {
      const { lines, provide } = captureLogs()
      const t = tracker(answering(403), overrides)
      await runTest(provide(Effect.zipRight(t.emit(jobEvents(1)[0]!), t.flush())))
      return lines.map((line) => line.annotations.endpoint)
    }
    expect(await endpointOf({})).toEqual(["https://collector.example.com"])
    expect(await endpointOf({ logEndpointPath: true })).toEqual([
      "https://collector.example.com/hooks/T0SECRETPATH/ingest"
    ])
  })

  it("retries a status outside the standard ranges up to the retry limit, then keeps the events (issue 30)", async () => {
    const answers = [999, 42, 999]
    const t = tracker(async () => ({ status: answers.shift() ?? 200, headers: { get: () => null } }), {
      retry: { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 }
    })
    const { lines, provide } = captureLogs()
    const events = jobEvents(2)
    await runTest(
      provide(
        Effect.zipRight(
          Effect.forEach(events, (e) => t.emit(e)),
          t.flush()
        )
      )
    )
    expect(await Effect.runPromise(t.stats())).toMatchObject({
      requests: 3,
      retried: 2,
      requeued: 2,
      pending: 2,
      lastFailure: { kind: "status", status: 999 },
      dropped: { rejected: 0 }
    })
    expect(lines).toEqual([])
    // The next flush delivers them.
    await runTest(t.flush())
    expect(await Effect.runPromise(t.stats())).toMatchObject({ sent: 2, pending: 0 })
  })
})
