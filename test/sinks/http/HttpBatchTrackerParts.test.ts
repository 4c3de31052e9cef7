import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { batchBody, bodyBytesWith, singleEventBodyBytes, utf8Length } from "../../../src/delivery/BatchBody.js"
import { SizedEvent, sizeEvent } from "../../../src/delivery/EventSize.js"
import { makeEventRing } from "../../../src/delivery/EventRing.js"
import { backoffDelayMs } from "../../../src/delivery/Backoff.js"
import { MaxRetryAfterMs } from "../../../src/delivery/DeliveryDeferral.js"
import { classifyStatus, retryAfterMs } from "../../../src/sinks/http/HttpRetryPolicy.js"

describe("EventRing", () => {
  it("behaves like a bounded array deque (model-based)", () => {
    type Op = { op: "push"; value: number } | { op: "shift" } | { op: "unshift"; values: Array<number> }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant("push" as const), value: fc.integer() }),
      fc.record({ op: fc.constant("shift" as const) }),
      fc.record({ op: fc.constant("unshift" as const), values: fc.array(fc.integer(), { maxLength: 6 }) })
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(op, { maxLength: 200 }), (capacity, ops) => {
        const ring = makeEventRing<number>(capacity, 2)
        const model: Array<number> = []
        for (const o of ops) {
          if (o.op === "push") {
            const kept = ring.pushBack(o.value)
            expect(kept).toBe(model.length < capacity)
            if (kept) model.push(o.value)
          } else if (o.op === "shift") {
            expect(ring.peek()).toBe(model[0])
            expect(ring.shift()).toBe(model.shift())
          } else {
            const room = capacity - model.length
            const kept = o.values.slice(0, Math.max(0, room))
            expect(ring.unshiftAll(o.values)).toBe(kept.length)
            model.unshift(...kept)
          }
          expect(ring.size).toBe(model.length)
          expect(ring.size).toBeLessThanOrEqual(capacity)
        }
        expect(ring.toArray()).toEqual(model)
      })
    )
  })

  it("does not allocate its whole capacity up front", () => {
    const ring = makeEventRing<number>(1_000_000)
    expect(ring.slotCount).toBeLessThanOrEqual(16)
    for (let i = 0; i < 100; i++) ring.pushBack(i)
    expect(ring.slotCount).toBeLessThan(256)
  })
})

describe("classifyStatus", () => {
  it.each([
    [200, "Delivered"],
    [202, "Delivered"],
    [204, "Delivered"],
    [408, "Retry"],
    [429, "Retry"],
    [500, "Retry"],
    [502, "Retry"],
    [503, "Retry"],
    [504, "Retry"],
    [599, "Retry"],
    [501, "Reject"],
    [505, "Reject"],
    [413, "TooLarge"],
    [400, "Reject"],
    [401, "Reject"],
    [404, "Reject"],
    [302, "Reject"],
    // Outside the standard ranges: retried up to the limit, not dropped for good (issue 30).
    [999, "Retry"],
    [600, "Retry"],
    [99, "Retry"],
    [0, "Retry"],
    [Number.NaN, "Retry"]
  ])("%i -> %s", (status, verdict) => {
    expect(classifyStatus(status)).toBe(verdict)
  })
})

describe("backoffDelayMs", () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1_000 }
  it("doubles per retry, keeps half of it and jitters the other half, up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy, 0))).toEqual([50, 100, 200, 400, 500])
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy, 0.999999))).toEqual([100, 200, 400, 800, 1_000])
  })
  it("stays within [d/2, d]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const d = Math.min(1_000, 100 * 2 ** (n - 1))
          const delay = backoffDelayMs(n, policy, r)
          expect(delay).toBeGreaterThanOrEqual(Math.floor(d / 2))
          expect(delay).toBeLessThanOrEqual(d)
        }
      )
    )
  })
})

describe("retryAfterMs", () => {
  const now = Date.parse("2026-03-01T12:00:00Z")
  it("reads delay-seconds and HTTP-dates, never negative", () => {
    expect(retryAfterMs("2", now)).toBe(2_000)
    expect(retryAfterMs(" 0 ", now)).toBe(0)
    expect(retryAfterMs("120", now)).toBe(120_000)
    expect(retryAfterMs(new Date(now + 3_000).toUTCString(), now)).toBe(3_000)
    expect(retryAfterMs(new Date(now - 3_000).toUTCString(), now)).toBe(0)
  })
  it("caps a longer wait at MaxRetryAfterMs (10 minutes)", () => {
    expect(MaxRetryAfterMs).toBe(600_000)
    expect(retryAfterMs("600", now)).toBe(600_000)
    expect(retryAfterMs("601", now)).toBe(600_000)
    expect(retryAfterMs("99999999999999999999999", now)).toBe(600_000)
    expect(retryAfterMs(new Date(now + 86_400_000).toUTCString(), now)).toBe(600_000)
  })
  it("ignores what it cannot read", () => {
    for (const value of [null, undefined, "", "soon", "-1", "1.5", "Xyz, garbage"])
      expect(retryAfterMs(value, now)).toBeUndefined()
  })
})

describe("batch body", () => {
  it("measures UTF-8 like the encoder does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), (a, b) => {
        expect(utf8Length(a)).toBe(new TextEncoder().encode(a).length)
        expect(utf8Length(b)).toBe(new TextEncoder().encode(b).length)
      })
    )
  })

  it("predicts the exact size of the body it builds", () => {
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string(), fc.string({ unit: "grapheme" })), { minLength: 1, maxLength: 8 }),
        (events) => {
          const encoded = events.map(
            (e) =>
              sizeEvent(e, { env: "e", serviceKey: "k", maxEventBytes: 1 << 20, maxBatchBytes: 1 << 22 }) as SizedEvent
          )
          let count = 0
          let bytes = 0
          for (const e of encoded) bytes = bodyBytesWith(count++, bytes, e.bytes)
          expect(bytes).toBe(new TextEncoder().encode(batchBody(encoded)).length)
          expect(singleEventBodyBytes(encoded[0]!.bytes)).toBe(
            new TextEncoder().encode(batchBody([encoded[0]!])).length
          )
          expect(JSON.parse(batchBody(encoded))).toEqual({
            events: events.map((e) => ({ ...e, env: "e", serviceKey: "k" }))
          })
        }
      )
    )
  })

  it("sizes any event within maxEventBytes (UTF-8), as valid JSON with the same keys, or refuses it", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string(),
          fc.oneof(fc.string({ unit: "grapheme" }), fc.integer(), fc.array(fc.string(), { maxLength: 4 }))
        ),
        fc.integer({ min: 200, max: 2_000 }),
        (event, maxEventBytes) => {
          const sized = sizeEvent(event, { env: "e", serviceKey: "k", maxEventBytes, maxBatchBytes: 8 * maxEventBytes })
          if (!(sized instanceof SizedEvent)) {
            expect(sized).toBe("tooLarge")
            return
          }
          expect(sized.bytes).toBe(new TextEncoder().encode(sized.json).length)
          expect(sized.bytes).toBeLessThanOrEqual(maxEventBytes)
          expect(Object.keys(JSON.parse(sized.json)).sort()).toEqual(
            Object.keys({ ...event, env: "e", serviceKey: "k" }).sort()
          )
        }
      )
    )
  })
})
