import { Effect, Fiber, Layer, Logger, LogLevel } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { EventTracker, emitEvent, flushEvents, getPendingEvents, HttpBatchTracker } from "durable-effect-tracking"
import type { HttpBatchTrackerConfig, HttpFetch, HttpResponseLike, JobEvent } from "durable-effect-tracking"
import { type Collector, refusedEndpoint, startCollector } from "../../support/collector.js"
import { deliveredBatches, deliveredIds, jobEvents, realTurn, untilRequests } from "../../support/tracking.js"

let collector: Collector
beforeEach(async () => {
  collector = await startCollector()
})
afterEach(async () => {
  await collector.close()
})

// No waits between retries: these tests are about what is sent, not when.
const tracker = (overrides: Partial<HttpBatchTrackerConfig> = {}): HttpBatchTracker =>
  HttpBatchTracker.make({
    endpoint: collector.url,
    env: "test",
    serviceKey: "jobs-service",
    retry: { initialDelayMs: 0, maxDelayMs: 0 },
    ...overrides
  })

const emitAll = (t: HttpBatchTracker, events: ReadonlyArray<JobEvent>) =>
  Effect.forEach(events, (e) => t.emit(e), { discard: true })

const ids = (events: ReadonlyArray<{ readonly eventId: string }>) => events.map((e) => e.eventId)

describe("HttpBatchTracker: wire format", () => {
  it("POSTs JSON batches of events enriched with env and serviceKey, leaving the buffered events as they were", async () => {
    const t = tracker({ headers: { "x-api-key": "k-123" } })
    const events = jobEvents(3).map((e) => Object.freeze(e))
    await Effect.runPromise(Effect.zipRight(emitAll(t, events), t.flush()))

    expect(collector.requests).toHaveLength(1)
    const [request] = collector.requests
    expect(request?.method).toBe("POST")
    expect(request?.url).toBe("/ingest")
    expect(request?.headers["content-type"]).toBe("application/json")
    expect(request?.headers["x-api-key"]).toBe("k-123")
    const [batch] = deliveredBatches(collector)
    expect(batch?.events).toEqual(events.map((e) => ({ ...e, env: "test", serviceKey: "jobs-service" })))
    for (const e of events) expect(e).not.toHaveProperty("env")
    const stats = await Effect.runPromise(t.stats())
    expect(stats).toMatchObject({ emitted: 3, sent: 3, batches: 1, requests: 1, retried: 0, pending: 0 })
  })

  it("keeps content-type application/json even if headers try to override it", async () => {
    const t = tracker({ headers: { "Content-Type": "text/plain" } })
    await Effect.runPromise(Effect.zipRight(emitAll(t, jobEvents(1)), t.flush()))
    expect(collector.requests[0]?.headers["content-type"]).toBe("application/json")
  })

  it("sends nothing when nothing is pending", async () => {
    const t = tracker()
    await Effect.runPromise(t.flush())
    expect(collector.requests).toHaveLength(0)
  })
})

describe("HttpBatchTracker: batching", () => {
  it("sends at most batchSize events per request, in emit order", async () => {
    const t = tracker({ batchSize: 2 })
    const events = jobEvents(5)
    await Effect.runPromise(Effect.zipRight(emitAll(t, events), t.flush()))
    expect(deliveredBatches(collector).map((b) => b.events.length)).toEqual([2, 2, 1])
    expect(deliveredIds(collector)).toEqual(ids(events))
  })

  it("sends at most maxBatchBytes per request body, and drops (and counts) an event too large on its own (no string to cut)", async () => {
    // Long names: a batch must hold the largest job event (about 7 KB), and two of these.
    const events = jobEvents(6, "j".repeat(4_000))
    const oneEventBytes = Buffer.byteLength(
      JSON.stringify({ events: [{ ...events[0], env: "test", serviceKey: "jobs-service" }] })
    )
    // Room for two events per body but not three.
    const maxBatchBytes = oneEventBytes * 2
    // Only numbers: nothing can be cut to make it fit.
    const huge = { ...jobEvents(1)[0]!, samples: Array.from({ length: maxBatchBytes }, (_, i) => i) }
    const t = tracker({ maxBatchBytes })
    await Effect.runPromise(Effect.zipRight(emitAll(t, [...events.slice(0, 3), huge, ...events.slice(3)]), t.flush()))

    for (const request of collector.requests) expect(request.bytes).toBeLessThanOrEqual(maxBatchBytes)
    expect(deliveredBatches(collector).map((b) => b.events.length)).toEqual([2, 2, 2])
    expect(deliveredIds(collector)).toEqual(ids(events))
    const stats = await Effect.runPromise(t.stats())
    expect(stats.dropped.tooLarge).toBe(1)
    expect(stats.sent).toBe(6)
    expect(stats.pending).toBe(0)
  })

  it("counts multi-byte characters as bytes, not characters", async () => {
    const [base] = jobEvents(1)
    const wide = { ...base!, jobName: "é".repeat(12_000) }
    const bytes = Buffer.byteLength(JSON.stringify({ events: [{ ...wide, env: "test", serviceKey: "jobs-service" }] }))
    // Fits by character count, not by UTF-8 bytes: the name is cut until the bytes fit.
    const t = tracker({ maxBatchBytes: bytes - 100 })
    await Effect.runPromise(Effect.zipRight(t.emit(wide), t.flush()))
    expect(collector.requests).toHaveLength(1)
    expect(collector.requests[0]!.bytes).toBeLessThanOrEqual(bytes - 100)
    const [sent] = deliveredBatches(collector)[0]!.events
    expect(sent!.jobName).toMatch(/^é+…\[truncated \d+ chars\]$/)
    expect(await Effect.runPromise(t.stats())).toMatchObject({ sent: 1, truncated: 1, dropped: { tooLarge: 0 } })
  })

  it("fills a batch by the bytes its events take, multi-byte characters counted as bytes", async () => {
    // About 2,250 characters and 4,250 bytes each: by characters five would fit, by the bound
    // the tracker reads without counting (3 bytes per character) one; by bytes three do.
    const events = jobEvents(6).map((e, i) => ({ ...e, jobName: `${i}${"é".repeat(2_000)}` }))
    const bodyBytes = (batch: ReadonlyArray<JobEvent>) =>
      Buffer.byteLength(
        JSON.stringify({ events: batch.map((e) => ({ ...e, env: "test", serviceKey: "jobs-service" })) })
      )
    const t = tracker({ maxBatchBytes: bodyBytes(events.slice(0, 3)) })
    await Effect.runPromise(Effect.zipRight(emitAll(t, events), t.flush()))
    expect(deliveredBatches(collector).map((b) => b.events.length)).toEqual([3, 3])
    expect(deliveredIds(collector)).toEqual(ids(events))
    expect(await Effect.runPromise(t.stats())).toMatchObject({ sent: 6, truncated: 0, dropped: { tooLarge: 0 } })
  })

  it("drops (and counts) events that cannot be serialised, and what is no event at all, and sends the rest", async () => {
    const t = HttpBatchTracker.make<unknown>({ endpoint: collector.url, env: "test", serviceKey: "s" })
    const circular: Record<string, unknown> = { type: "job.started" }
    circular.self = circular
    const [good] = jobEvents(1)
    await Effect.runPromise(
      Effect.all([
        t.emit(circular),
        t.emit({ type: "job.started", big: 1n }),
        t.emit("not an object"),
        t.emit({ big: 1n }),
        t.emit(good),
        t.flush()
      ])
    )
    expect(deliveredIds(collector)).toEqual([good!.eventId])
    // Told no vocabularies, a tracker carries objects with a string type: the others are refused
    // at emit, before any serialisation.
    expect((await Effect.runPromise(t.stats())).dropped).toMatchObject({ unserializable: 2, unknownVocabulary: 2 })
  })
})

describe("HttpBatchTracker: bounded buffer", () => {
  it("holds at most maxBufferSize events, keeps the oldest and counts the dropped newest as overflow", async () => {
    const t = tracker({ maxBufferSize: 3 })
    const events = jobEvents(5)
    await Effect.runPromise(emitAll(t, events))
    expect(await Effect.runPromise(t.pending())).toBe(3)
    await Effect.runPromise(t.flush())
    expect(deliveredIds(collector)).toEqual(ids(events.slice(0, 3)))
    expect(await Effect.runPromise(t.stats())).toMatchObject({ emitted: 3, sent: 3, dropped: { overflow: 2 } })
  })

  it("counts a batch in flight against the bound, so putting it back never exceeds it", async () => {
    collector.enqueue({ hold: { status: 503 } })
    const t = tracker({ maxBufferSize: 4, batchSize: 2, retry: { maxAttempts: 1 } })
    const events = jobEvents(6)
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* emitAll(t, events.slice(0, 2))
        const flushing = yield* Effect.fork(t.flush())
        yield* untilRequests(collector, 1)
        // Two in flight, so only two of these four fit.
        yield* emitAll(t, events.slice(2))
        expect(yield* t.pending()).toBe(4)
        collector.release()
        yield* Fiber.join(flushing)
      })
    )
    const stats = await Effect.runPromise(t.stats())
    expect(stats).toMatchObject({ pending: 4, requeued: 2, dropped: { overflow: 2 } })
    await Effect.runPromise(t.flush())
    expect(deliveredIds(collector)).toEqual(ids(events.slice(0, 4)))
  })
})

describe("HttpBatchTracker: delivery failures", () => {
  it("loses nothing across a failed then a successful flush: the same eventIds arrive", async () => {
    const t = tracker({ batchSize: 2, retry: { maxAttempts: 2, initialDelayMs: 0 } })
    const events = jobEvents(5)
    collector.setFallback({ status: 503 })
    await Effect.runPromise(Effect.zipRight(emitAll(t, events), t.flush()))

    // The first batch was tried twice, then the flush gave up and kept everything.
    expect(collector.requests).toHaveLength(2)
    expect(deliveredIds(collector)).toEqual([])
    const failed = await Effect.runPromise(t.stats())
    expect(failed).toMatchObject({ pending: 5, requeued: 2, retried: 1, lastFailure: { kind: "status", status: 503 } })

    collector.setFallback({ status: 200 })
    await Effect.runPromise(t.flush())
    expect(deliveredIds(collector)).toEqual(ids(events))
    expect(await Effect.runPromise(t.stats())).toMatchObject({ pending: 0, sent: 5 })
  })

  it("retries 408, 429 and 5xx (not 501/505) until it is delivered", async () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      const c = await startCollector()
      try {
        c.enqueue({ status }, { status })
        const t = HttpBatchTracker.make({
          endpoint: c.url,
          env: "test",
          serviceKey: "s",
          retry: { maxAttempts: 3, initialDelayMs: 0 }
        })
        const events = jobEvents(2)
        await Effect.runPromise(Effect.zipRight(emitAll(t, events), t.flush()))
        expect(
          c.requests.map((r) => r.status),
          `status ${status}`
        ).toEqual([status, status, 200])
        expect(deliveredIds(c)).toEqual(ids(events))
        expect((await Effect.runPromise(t.stats())).retried).toBe(2)
      } finally {
        await c.close()
      }
    }
  })

  it("drops and counts a batch answered with a non-retryable 4xx (or 501/505), without retrying", async () => {
    for (const status of [400, 401, 403, 404, 422, 501, 505]) {
      const c = await startCollector()
      try {
        c.setFallback({ status })
        const t = HttpBatchTracker.make({ endpoint: c.url, env: "test", serviceKey: "s", batchSize: 2 })
        await Effect.runPromise(Effect.zipRight(emitAll(t, jobEvents(3)), t.flush()))
        expect(c.requests, `status ${status}`).toHaveLength(2)
        const stats = await Effect.runPromise(t.stats())
        expect(stats).toMatchObject({ pending: 0, sent: 0, retried: 0, dropped: { rejected: 3 } })
        expect(stats.lastFailure).toEqual({ kind: "status", status })
      } finally {
        await c.close()
      }
    }
  })

  it("splits a batch answered 413 down to single events, and drops a single event answered 413", async () => {
    const events = jobEvents(5)
    const poison = events[3]!.eventId
    collector.setFallback((request) => {
      const sent = (request.json as { events: Array<{ eventId: string }> }).events
      return sent.length > 2 || sent.some((e) => e.eventId === poison) ? { status: 413 } : { status: 200 }
    })
    const t = tracker({ batchSize: 10 })
    await Effect.runPromise(Effect.zipRight(emitAll(t, events), t.flush()))

    expect(collector.requests.map((r) => (r.json as { events: Array<unknown> }).events.length)).toEqual([
      5, 2, 3, 1, 2, 1, 1
    ])
    expect(deliveredIds(collector)).toEqual(ids(events).filter((id) => id !== poison))
    expect(await Effect.runPromise(t.stats())).toMatchObject({ sent: 4, pending: 0, dropped: { tooLarge: 1 } })
  })

  it("keeps the undelivered rest of a split batch, in order, when a part cannot be delivered", async () => {
    const events = jobEvents(4)
    collector.enqueue({ status: 413 }, { status: 200 }, { status: 503 })
    const t = tracker({ retry: { maxAttempts: 1 } })
    await Effect.runPromise(Effect.zipRight(emitAll(t, events), t.flush()))
    expect(deliveredIds(collector)).toEqual(ids(events.slice(0, 2)))
    expect(await Effect.runPromise(t.stats())).toMatchObject({ pending: 2, requeued: 2 })

    await Effect.runPromise(t.flush())
    expect(deliveredIds(collector)).toEqual(ids(events))
  })

  it("treats refused connections as retryable and keeps the events", async () => {
    const t = HttpBatchTracker.make({
      endpoint: await refusedEndpoint(),
      env: "test",
      serviceKey: "s",
      retry: { maxAttempts: 2, initialDelayMs: 0 }
    })
    await Effect.runPromise(Effect.zipRight(emitAll(t, jobEvents(3)), t.flush()))
    expect(await Effect.runPromise(t.stats())).toMatchObject({
      requests: 2,
      retried: 1,
      pending: 3,
      requeued: 3,
      lastFailure: { kind: "network" }
    })
  })

  it("treats a dropped connection as retryable", async () => {
    collector.enqueue({ destroy: true })
    const t = tracker()
    const events = jobEvents(2)
    await Effect.runPromise(Effect.zipRight(emitAll(t, events), t.flush()))
    expect(collector.requests).toHaveLength(2)
    expect(deliveredIds(collector)).toEqual(ids(events))
  })
})

describe("HttpBatchTracker: a misbehaving fetch", () => {
  const network = { kind: "network" } as const
  const misbehaving: Record<string, readonly [HttpFetch, unknown]> = {
    "throws synchronously": [
      () => {
        throw new Error("boom")
      },
      network
    ],
    rejects: [() => Promise.reject(new Error("boom")), network],
    "resolves to garbage": [() => Promise.resolve(undefined as unknown as HttpResponseLike), network],
    "resolves to a response whose headers and body throw": [
      () =>
        Promise.resolve({
          status: 503,
          headers: {
            get: () => {
              throw new Error("boom")
            }
          },
          get body(): never {
            throw new Error("boom")
          }
        }),
      { kind: "status", status: 503 }
    ]
  }
  for (const [name, [fetch, lastFailure]] of Object.entries(misbehaving)) {
    it(`emit and flush never fail or throw when fetch ${name}`, async () => {
      let calls = 0
      const t = tracker({
        fetch: (url, init) => {
          calls++
          return fetch(url, init)
        },
        retry: { maxAttempts: 2, initialDelayMs: 0 }
      })
      const events = jobEvents(3)
      const exit = await Effect.runPromiseExit(
        Effect.gen(function* () {
          yield* emitAll(t, events)
          yield* t.flush()
          yield* t.emit(jobEvents(1)[0]!)
          return yield* t.pending()
        })
      )
      expect(exit._tag).toBe("Success")
      expect(calls).toBe(2)
      expect(await Effect.runPromise(t.stats())).toMatchObject({ pending: 4, lastFailure })
    })
  }

  it("an event is serialised once, at emit (to know its size); a flush does not serialise it again", async () => {
    let serialised = 0
    const t = HttpBatchTracker.make<unknown>({ endpoint: collector.url, env: "test", serviceKey: "s" })
    const [event] = jobEvents(1)
    const counting = {
      toJSON: () => {
        serialised++
        return event
      }
    }
    await Effect.runPromise(Effect.forEach(Array.from({ length: 50 }), () => t.emit(counting)))
    expect(serialised).toBe(50)
    await Effect.runPromise(t.flush())
    expect(serialised).toBe(50)
    // Still enriched (decoding as the wire schema requires env and serviceKey).
    expect(deliveredIds(collector)).toEqual(Array.from({ length: 50 }, () => event!.eventId))
  })

  it("emit never calls fetch", async () => {
    let calls = 0
    const t = tracker({
      fetch: () => {
        calls++
        throw new Error("boom")
      }
    })
    await Effect.runPromise(emitAll(t, jobEvents(100)))
    expect(calls).toBe(0)
  })
})

describe("HttpBatchTracker: response bodies", () => {
  it("consumes or cancels every response body, whatever the status", async () => {
    const responses: Array<Response> = []
    const recordingFetch: HttpFetch = async (url, init) => {
      const response = await globalThis.fetch(url, init)
      responses.push(response)
      return response
    }
    collector.enqueue(
      { status: 503, body: "busy" },
      { status: 413, body: "too big" },
      { status: 200, body: "ok" },
      { status: 200, body: "ok" },
      { status: 400, body: "bad" }
    )
    const t = tracker({ fetch: recordingFetch })
    await Effect.runPromise(Effect.zipRight(emitAll(t, jobEvents(2)), t.flush()))
    await Effect.runPromise(Effect.zipRight(emitAll(t, jobEvents(1)), t.flush()))
    expect(responses.map((r) => r.status)).toEqual([503, 413, 200, 200, 400])
    for (const response of responses) expect(response.bodyUsed).toBe(true)
  })
})

describe("HttpBatchTracker: concurrent flushes", () => {
  it("share one in-flight flush, with one request in flight at a time", async () => {
    collector.enqueue({ hold: { status: 200 } })
    const t = tracker()
    const events = jobEvents(3)
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* emitAll(t, events)
        const first = yield* Effect.fork(t.flush())
        yield* untilRequests(collector, 1)
        const others = yield* Effect.fork(Effect.all([t.flush(), t.flush(), t.flush()], { concurrency: "unbounded" }))
        for (let i = 0; i < 20; i++) yield* realTurn
        expect(collector.requests).toHaveLength(1)
        expect(others.unsafePoll()).toBeNull()
        collector.release()
        yield* Fiber.join(first)
        yield* Fiber.join(others)
      })
    )
    expect(collector.requests).toHaveLength(1)
    expect(deliveredIds(collector)).toEqual(ids(events))
    expect((await Effect.runPromise(t.stats())).flushes).toBe(1)
  })

  it("sends events emitted during a flush with the next one, which a later caller waits for", async () => {
    collector.enqueue({ hold: { status: 200 } })
    const t = tracker({ batchSize: 10 })
    const [early, late] = jobEvents(2)
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* t.emit(early!)
        const first = yield* Effect.fork(t.flush())
        yield* untilRequests(collector, 1)
        yield* t.emit(late!)
        const second = yield* Effect.fork(t.flush())
        collector.release()
        yield* Fiber.join(first)
        yield* Fiber.join(second)
      })
    )
    expect(deliveredBatches(collector).map((b) => ids(b.events))).toEqual([[early!.eventId], [late!.eventId]])
    expect(collector.maxConcurrent()).toBe(1)
    expect(await Effect.runPromise(t.pending())).toBe(0)
  })
})

describe("HttpBatchTracker: secrets", () => {
  it("never puts header values (or an endpoint's query) in logs, errors or stats", async () => {
    const secret = "s3cr3t-token-value"
    const lines: Array<string> = []
    const capture = Logger.make(({ message, annotations, cause }) => {
      lines.push(JSON.stringify({ message, annotations: [...annotations], cause: String(cause) }))
    })
    const url = new URL(collector.url)
    url.searchParams.set("token", secret)
    collector.setFallback((request) =>
      request.headers.authorization === `Bearer ${secret}` ? { status: 503 } : { status: 500 }
    )
    const t = tracker({
      endpoint: url.toString(),
      headers: { authorization: `Bearer ${secret}`, "x-api-key": secret },
      retry: { maxAttempts: 2, initialDelayMs: 0 }
    })
    await Effect.runPromise(
      Effect.zipRight(emitAll(t, jobEvents(2)), t.flush()).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
    )
    // The secret did reach the server, failures were logged, and the logs name the endpoint's
    // origin (its path only with logEndpointPath).
    expect(collector.requests.map((r) => r.status)).toEqual([503, 503])
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.join("\n")).toContain(`["endpoint","http://127.0.0.1:${url.port}"]`)
    expect(lines.join("\n")).not.toContain(secret)
    expect(JSON.stringify(await Effect.runPromise(t.stats()))).not.toContain(secret)
  })
})

describe("HttpBatchTracker layers", () => {
  it("HttpBatchTracker.layerPerBuild builds a fresh tracker per build", async () => {
    const layer = HttpBatchTracker.layerPerBuild({ endpoint: collector.url, env: "test", serviceKey: "s" })
    const pendingAfterEmit = await Effect.runPromise(
      Effect.zipRight(emitEvent(jobEvents(1)[0]), getPendingEvents).pipe(Effect.provide(layer))
    )
    const pendingInNextBuild = await Effect.runPromise(getPendingEvents.pipe(Effect.provide(layer)))
    expect([pendingAfterEmit, pendingInNextBuild]).toEqual([1, 0])
  })

  it("a tracker shared with Layer.succeed keeps events across builds, and flushes them from any", async () => {
    const t = tracker()
    const layer = Layer.succeed(EventTracker, t)
    const events = jobEvents(2)
    collector.enqueue({ status: 503 }, { status: 503 }, { status: 503 })
    await Effect.runPromise(Effect.zipRight(emitEvent(events[0]), flushEvents).pipe(Effect.provide(layer)))
    await Effect.runPromise(Effect.zipRight(emitEvent(events[1]), flushEvents).pipe(Effect.provide(layer)))
    expect(deliveredIds(collector)).toEqual(ids(events))
  })
})
