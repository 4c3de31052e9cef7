import { Effect, Schema } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  eventBytesAsSent,
  makeEventSizer,
  SizedEvent,
  sizeEvent,
  sizeEventInFull
} from "../../src/delivery/EventSize.js"
import { largestJobEvent } from "../../src/jobs/events/largestJobEvent.js"
import { JobEvent } from "../../src/jobs/events/JobEvent.js"
import { summarizeError } from "../../src/instrument/failure.js"
import { HttpBatchTracker, makeJobEvent } from "durable-effect-tracking"
import type { HttpBatchTrackerConfig } from "durable-effect-tracking"
import { type Collector, startCollector } from "../support/collector.js"
import { deliveredBatches, jobEvents } from "../support/tracking.js"

// Events are sized when they are emitted: a job that fails with a 10 MiB message must not make
// a flush stall or overrun its bound. These tests use real 10 MiB strings.

const TEN_MIB = 10 * 1024 * 1024
const limits = { env: "test", serviceKey: "svc", maxEventBytes: 4_096, maxBatchBytes: 65_536 }

/** A job.failed event whose error message is `message`. */
const failed = (message: string, jobName = "billing") =>
  makeJobEvent({
    type: "job.failed",
    instanceId: "instance-1",
    jobType: "task",
    jobName,
    error: { message, tag: "UpstreamDown" }
  })

/** What a sizing result sends: its JSON and sizes (a SizedEvent's JSON may be made when first read). */
const asSent = (result: ReturnType<typeof sizeEvent>) =>
  result instanceof SizedEvent
    ? { eventId: result.eventId, json: result.json, bytes: result.bytes, truncated: result.truncated }
    : result

describe("sizeEvent", () => {
  it("leaves an event that fits as JSON.stringify would write it, enriched", () => {
    const [event] = jobEvents(1)
    const sized = sizeEvent(event, limits)
    expect(sized).toBeInstanceOf(SizedEvent)
    const { json, bytes, truncated, eventId } = sized as SizedEvent
    expect(json).toBe(JSON.stringify({ ...event, env: "test", serviceKey: "svc" }))
    expect(bytes).toBe(Buffer.byteLength(json))
    expect(truncated).toBe(false)
    expect(eventId).toBe(event!.eventId)
  })

  it("cuts the error message first, with a marker, and keeps the other strings whole", () => {
    const event = failed("e".repeat(20_000), "n".repeat(1_000))
    const sized = sizeEvent(event, limits) as SizedEvent
    expect(sized.bytes).toBeLessThanOrEqual(limits.maxEventBytes)
    expect(sized.truncated).toBe(true)
    const sent = JSON.parse(sized.json)
    expect(sent.jobName).toBe("n".repeat(1_000))
    expect(sent.error.message).toMatch(/^e+…\[truncated \d+ chars\]$/)
    expect(sent.error.tag).toBe("UpstreamDown")
    expect(sent.eventId).toBe(event.eventId)
  })

  it("cuts other strings too when the failure text is not enough, the longest the most", () => {
    const event = { ...failed("e".repeat(3_000), "n".repeat(8_000)), note: "short" }
    const sized = sizeEvent(event, limits) as SizedEvent
    expect(sized.bytes).toBeLessThanOrEqual(limits.maxEventBytes)
    const sent = JSON.parse(sized.json)
    expect(sent.jobName).toMatch(/…\[truncated \d+ chars\]$/)
    expect(sent.note).toBe("short")
  })

  it("counts bytes, not characters: multi-byte text is cut until the UTF-8 size fits", () => {
    const sized = sizeEvent(failed("€".repeat(5_000)), limits) as SizedEvent
    expect(sized.bytes).toBe(Buffer.byteLength(sized.json))
    expect(sized.bytes).toBeLessThanOrEqual(limits.maxEventBytes)
  })

  it("refuses what cannot be serialised and what cannot be cut to fit", () => {
    const circular: Record<string, unknown> = { type: "job.started" }
    circular.self = circular
    expect(sizeEvent(circular, limits)).toBe("unserializable")
    expect(sizeEvent({ big: 1n }, limits)).toBe("unserializable")
    expect(sizeEvent("not an object", limits)).toBe("unserializable")
    expect(sizeEvent({ samples: Array.from({ length: 5_000 }, (_, i) => i) }, limits)).toBe("tooLarge")
  })

  it("works through at most maxBatchBytes of an event, whatever it holds (an array of 10 million items is not walked)", () => {
    let reads = 0
    const items = new Proxy([] as Array<number>, {
      get: (target, key) => {
        if (key === "length") return 10_000_000
        if (typeof key === "string" && /^\d+$/.test(key)) {
          reads++
          return 1
        }
        return Reflect.get(target, key)
      }
    })
    expect(sizeEvent({ ...failed("x"), items }, limits)).toBe("tooLarge")
    // Each item counts at least a few characters: far fewer reads than items.
    expect(reads).toBeLessThanOrEqual(limits.maxBatchBytes)
  })

  it("reads no more of a 10 MiB string than the limit", () => {
    const huge = "x".repeat(TEN_MIB)
    let sliced = 0
    const spy = new Proxy(String.prototype.slice, {
      apply: (target, self, args) => {
        const out = Reflect.apply(target, self, args) as string
        sliced += out.length
        return out
      }
    })
    const original = String.prototype.slice
    String.prototype.slice = spy
    try {
      const sized = sizeEvent(failed(huge), limits) as SizedEvent
      expect(sized.bytes).toBeLessThanOrEqual(limits.maxEventBytes)
    } finally {
      String.prototype.slice = original
    }
    // Only prefixes within the limit were copied, a few passes' worth.
    expect(sliced).toBeLessThanOrEqual(5 * limits.maxEventBytes)
  })

  it("measures an event as sent (the largest job event's size, which a jobs tracker checks limits against)", () => {
    // A valid event, and no failure the instrumentation summarises (in ASCII) makes a larger one.
    expect(Schema.decodeUnknownSync(JobEvent)(largestJobEvent)).toEqual(largestJobEvent)
    const huge = new Error("m".repeat(100_000), { cause: new Error("c".repeat(100_000)) })
    huge.stack = "s".repeat(100_000)
    const failed = makeJobEvent({
      type: "execution.failed",
      instanceId: "f".repeat(64),
      jobType: "workerPool",
      jobName: "j".repeat(64),
      runCount: 2 ** 40,
      attempt: 3,
      durationMs: 1234.5678,
      willRetry: true,
      failure: "failure",
      error: summarizeError(huge, { stack: true })
    })
    const enrichment = { env: "test", serviceKey: "svc" }
    const bytes = eventBytesAsSent(largestJobEvent, enrichment)
    expect(bytes).toBe(Buffer.byteLength(JSON.stringify({ ...largestJobEvent, ...enrichment })))
    expect(Buffer.byteLength(JSON.stringify({ ...failed, ...enrichment }))).toBeLessThanOrEqual(bytes)
  })
})

// The quick route (plain data serialised without a replacer) must give what the full route
// gives, for the events it takes and for those it hands on.
describe("sizeEvent's quick route", () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const nested = (depth: number): Record<string, unknown> => (depth === 0 ? { leaf: "x" } : { next: nested(depth - 1) })
  const sparse: Array<number> = [1]
  sparse[3] = 4
  const withGetter = Object.defineProperty({ type: "job.started" }, "computed", {
    get: () => "value",
    enumerable: true
  })
  const throwing = Object.defineProperty({ type: "job.started" }, "bad", {
    get: () => {
      throw new Error("no")
    },
    enumerable: true
  })
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { type: "job.started", n: 1 })
  const cases: Record<string, unknown> = {
    "a job event": jobEvents(1)[0],
    "a failure with a short message": failed("boom"),
    "an empty object": {},
    "a field named env (the enrichment wins)": { ...failed("x"), env: "theirs" },
    "a field named serviceKey": { ...failed("x"), serviceKey: "theirs" },
    "an own __proto__ key (as JSON.parse makes one)": JSON.parse(
      '{"type":"x","__proto__":{"a":1},"n":{"__proto__":2}}'
    ),
    "escapes, quotes and control characters": { message: 'line\nbreak "quoted" \u0001 \\ end' },
    "multi-byte text and lone surrogates": { message: "€ 日本 😀 \ud800 end" },
    "numbers: NaN, -0, Infinity, large": { a: Number.NaN, b: -0, c: Number.POSITIVE_INFINITY, d: 2 ** 60 },
    "undefined, functions and symbols (left out by JSON)": { a: undefined, f: () => 1, s: Symbol("s"), k: "kept" },
    "a Date (toJSON)": { at: new Date(0) },
    "a class instance": { point: new Point(1) },
    "a toJSON at the top": { toJSON: () => ({ type: "job.started", via: "toJSON" }) },
    "a null-prototype object": bare,
    "integer-like keys": { "2": "two", b: "b", "1": "one" },
    "a sparse array": { items: sparse },
    "arrays of objects": { items: [{ a: 1 }, { b: [true, null] }] },
    "deep nesting (past the quick route's depth)": nested(8),
    "an enumerable getter": withGetter,
    "a throwing getter": throwing,
    "a bigint": { big: 1n },
    "a string just under the limit": { message: "m".repeat(3_900) },
    "a string just over the limit (cut)": { message: "m".repeat(4_100) },
    "many numbers (too large)": { samples: Array.from({ length: 5_000 }, (_, i) => i) },
    "an array at the top": [1, 2],
    "a string at the top": "not an object"
  }

  for (const [name, event] of Object.entries(cases)) {
    it(`agrees with the full route: ${name}`, () => {
      const quick = sizeEvent(event, limits)
      expect(asSent(quick)).toEqual(asSent(sizeEventInFull(event, limits)))
      if (quick instanceof SizedEvent) expect(quick.bytes).toBe(Buffer.byteLength(quick.json))
    })
  }

  it("a sizer made once gives what sizeEvent gives, for each tracker's enrichment", () => {
    const other = { ...limits, env: 'pr\u00e9-"prod"', serviceKey: "日本" }
    const sizer = makeEventSizer(other)
    for (const event of [...jobEvents(3), failed("x"), {}]) {
      expect(asSent(sizer(event))).toEqual(asSent(sizeEventInFull(event, other)))
    }
  })
})

describe("sizeEvent, the quick route", () => {
  it("sends an event as it was when sized, though it changed after (flat and nested)", () => {
    const flat: Record<string, unknown> = { ...jobEvents(1)[0]! }
    const nested = failed("first message") as unknown as { error: { message: string } }
    const expected = [flat, nested].map((event) => JSON.stringify({ ...event, env: "test", serviceKey: "svc" }))
    const sized = [flat, nested].map((event) => sizeEvent(event, limits) as SizedEvent)
    flat["jobName"] = "renamed"
    flat["extra"] = "x".repeat(10_000)
    nested.error.message = "changed"
    expect(sized.map((event) => event.json)).toEqual(expected)
    expect(sized.map((event) => event.bytes)).toEqual(expected.map((json) => Buffer.byteLength(json)))
  })

  it("reads each field once, when sizing: the JSON made later reads the event no more", () => {
    let reads = 0
    const event = {
      type: "job.started",
      get jobName() {
        reads++
        return `read ${reads}`
      }
    }
    const sized = sizeEvent(event, limits) as SizedEvent
    expect(reads).toBe(1)
    expect(JSON.parse(sized.json).jobName).toBe("read 1")
    expect(reads).toBe(1)
  })

  it("keeps each sizing's count its own: a getter that sizes another event does not let a large one through", () => {
    const sizer = makeEventSizer(limits)
    const event = {
      type: "job.failed",
      first: "\u0001".repeat(600),
      get inner() {
        sizer({ type: "job.started", jobName: "nested" })
        return "x"
      },
      last: "\u0001".repeat(300)
    }
    // 900 characters of escapes: 5,400 bytes as JSON, over the 4,096 limit.
    const sized = sizer(event) as SizedEvent
    expect(sized.bytes).toBe(Buffer.byteLength(sized.json))
    expect(sized.bytes).toBeLessThanOrEqual(limits.maxEventBytes)
    expect(sized.truncated).toBe(true)
  })

  it("bounds the bytes, not the characters: a short string of escapes that is long as JSON is cut to fit", () => {
    // 1,000 characters, 6,000 bytes as JSON (each one "\u0001"): over the 4,096 limit.
    const event = { type: "job.failed", message: "\u0001".repeat(1_000) }
    const sized = sizeEvent(event, limits) as SizedEvent
    expect(sized.truncated).toBe(true)
    expect(sized.bytes).toBe(Buffer.byteLength(sized.json))
    expect(sized.bytes).toBeLessThanOrEqual(limits.maxEventBytes)
    expect(JSON.parse(sized.json).message).toMatch(/…\[truncated \d+ chars\]$/)
  })
})

describe("HTTP tracker with 10 MiB events", () => {
  let collector: Collector
  beforeEach(async () => {
    collector = await startCollector()
  })
  afterEach(async () => {
    await collector.close()
  })

  const tracker = (overrides: Partial<HttpBatchTrackerConfig> = {}) =>
    HttpBatchTracker.make({ endpoint: collector.url, env: "test", serviceKey: "svc", ...overrides })

  it("no stall: with maxBatchBytes huge, 60 events of 10 MiB are sent (cut to maxEventBytes), none left pending", async () => {
    const huge = "m".repeat(TEN_MIB)
    const events = Array.from({ length: 60 }, () => failed(huge))
    const t = tracker({ maxBatchBytes: 2 ** 40 })
    await Effect.runPromise(Effect.forEach(events, (event) => t.emit(event), { discard: true }))
    await Effect.runPromise(t.flush())

    const stats = await Effect.runPromise(t.stats())
    expect(stats).toMatchObject({ emitted: 60, truncated: 60, sent: 60, pending: 0, lastFailure: undefined })
    expect(stats.dropped).toEqual({ overflow: 0, rejected: 0, tooLarge: 0, unserializable: 0, unknownVocabulary: 0 })
    const sent = deliveredBatches(collector).flatMap((batch) => batch.events)
    expect(sent.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId))
    for (const event of sent) {
      expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(65_536)
      expect((event as { error: { message: string } }).error.message).toMatch(/…\[truncated \d+ chars\]$/)
    }
  })

  it("flush bound by default: 80 events of 10 MiB go in bodies of at most maxBatchBytes, each event at most maxEventBytes", async () => {
    const huge = "b".repeat(TEN_MIB)
    const events = Array.from({ length: 80 }, () => failed(huge))
    const t = tracker()
    await Effect.runPromise(Effect.forEach(events, (event) => t.emit(event), { discard: true }))
    await Effect.runPromise(t.flush())

    expect(await Effect.runPromise(t.stats())).toMatchObject({ sent: 80, pending: 0, truncated: 80 })
    // What one flush step encodes is one request body: bounded by the configuration, not by the events.
    for (const request of collector.requests) expect(request.bytes).toBeLessThanOrEqual(1_048_576)
    expect(collector.requests.length).toBeLessThanOrEqual(Math.ceil((80 * 65_536) / (1_048_576 - 65_536)))
  })

  it("an event that cannot be cut to fit is dropped at emit and counted as tooLarge at once", async () => {
    const t = HttpBatchTracker.make<unknown>({
      endpoint: collector.url,
      env: "test",
      serviceKey: "svc",
      maxEventBytes: 8_192
    })
    const [ok] = jobEvents(1)
    await Effect.runPromise(t.emit({ ...failed("x"), samples: Array.from({ length: 4_000 }, (_, i) => i) }))
    expect(await Effect.runPromise(t.stats())).toMatchObject({ emitted: 0, pending: 0, dropped: { tooLarge: 1 } })
    await Effect.runPromise(Effect.zipRight(t.emit(ok), t.flush()))
    expect(await Effect.runPromise(t.stats())).toMatchObject({ emitted: 1, sent: 1, dropped: { tooLarge: 1 } })
  })
})
