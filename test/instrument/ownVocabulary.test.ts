import { Context, Effect, Layer, TestClock, TestContext } from "effect"
import { describe, expect, it } from "vitest"
import {
  defineVocabulary,
  describeCoverage,
  droppedForLackOfContext,
  eventMapProblems,
  extendEventMap,
  InMemoryTracker,
  InvalidEventMapError,
  jobEvents,
  serviceEvents,
  validateEventMap,
  withTracking,
  type EventMap
} from "durable-effect-tracking"

// A service of one's own, with events of one's own: no job anywhere.

type PaymentEvent =
  | {
      readonly eventId: string
      readonly timestamp: string
      readonly type: "payment.charged"
      readonly accountId: string
      readonly amountCents: number
    }
  | {
      readonly eventId: string
      readonly timestamp: string
      readonly type: "payment.refunded"
      readonly accountId: string
      readonly amountCents: number
      readonly reason?: string
    }
  | {
      readonly eventId: string
      readonly timestamp: string
      readonly type: "payment.disputed"
      readonly accountId: string
    }

const paymentEvents = defineVocabulary<PaymentEvent, "accountId">({
  name: "payments",
  types: ["payment.charged", "payment.refunded", "payment.disputed"],
  context: ["accountId"]
})

interface PaymentsShape {
  charge(accountId: string, amountCents: number): Effect.Effect<string>
  refund(paymentId: string, amountCents: number): Effect.Effect<void, "unknown payment">
}
class Payments extends Context.Tag("test/Payments")<Payments, PaymentsShape>() {}

const PaymentsLive = Layer.succeed(Payments, {
  charge: (accountId, amountCents) => Effect.succeed(`${accountId}/${amountCents}`),
  refund: (paymentId) => (paymentId.includes("/") ? Effect.void : Effect.fail("unknown payment" as const))
})

// Charges know their account; a refund only knows its payment, unless a caller's context says more.
const paymentsMap = serviceEvents(paymentEvents, Payments, "Payments", {
  charge: {
    context: ([accountId]) => ({ accountId }),
    success: { "payment.charged": ({ args: [, amountCents] }) => ({ amountCents }) }
  },
  refund: {
    success: { "payment.refunded": ({ args: [, amountCents] }) => ({ amountCents, reason: "asked" }) }
  }
})

const tracked = (map: EventMap<typeof paymentEvents> = paymentsMap) => {
  const memory = InMemoryTracker.make<PaymentEvent>()
  const layer = withTracking(PaymentsLive, { eventMap: map }).pipe(Layer.provideMerge(InMemoryTracker.layer(memory)))
  // Events are timed by Effect's Clock (the map names no clock of its own): the test's, set.
  const run = <A, E>(effect: Effect.Effect<A, E, Payments>) =>
    Effect.runPromise(
      Effect.zipRight(TestClock.setTime(Date.UTC(2026, 0, 2)), effect).pipe(
        Effect.provide(layer),
        Effect.provide(TestContext.TestContext)
      )
    )
  return { memory, run }
}

describe("a vocabulary of one's own", () => {
  it("emits its events with their fields and context, built by the vocabulary", async () => {
    const { memory, run } = tracked()
    const payment = await run(Effect.flatMap(Payments, (payments) => payments.charge("acct-1", 1250)))
    expect(payment).toBe("acct-1/1250")
    const events = await Effect.runPromise(memory.handle.getEvents())
    expect(events).toEqual([
      {
        eventId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        timestamp: "2026-01-02T00:00:00.000Z",
        type: "payment.charged",
        amountCents: 1250,
        accountId: "acct-1"
      }
    ])
  })

  it("takes a context key from the context a call establishes: a refund told its account", async () => {
    const withinCharge = extendEventMap(
      paymentsMap,
      serviceEvents(paymentEvents, Payments, "Payments", {
        refund: {
          context: ([paymentId]) => ({ accountId: paymentId.split("/")[0] }),
          success: { "payment.refunded": ({ args: [, amountCents] }) => ({ amountCents }) }
        }
      })
    )
    const { memory, run } = tracked(withinCharge)
    await run(Effect.flatMap(Payments, (payments) => payments.refund("acct-2/500", 500)))
    const refunds = await Effect.runPromise(memory.handle.getEventsByType("payment.refunded"))
    expect(refunds.map(({ accountId, amountCents }) => ({ accountId, amountCents }))).toEqual([
      { accountId: "acct-2", amountCents: 500 }
    ])
  })

  it("drops and counts an event whose context never becomes known", async () => {
    const before = droppedForLackOfContext().get("Payments.refund") ?? 0
    const { memory, run } = tracked()
    await run(Effect.flatMap(Payments, (payments) => payments.refund("acct-3/100", 100)))
    expect(await Effect.runPromise(memory.handle.getEvents())).toEqual([])
    expect(droppedForLackOfContext().get("Payments.refund")).toBe(before + 1)
  })

  it("lists its own types in the map's coverage", () => {
    const coverage = describeCoverage(paymentsMap)
    expect(coverage.events).toEqual([
      { type: "payment.charged", sources: ["Payments.charge"] },
      { type: "payment.refunded", sources: ["Payments.refund"] },
      { type: "payment.disputed", sources: [] }
    ])
    expect(coverage).toMatchObject({ produced: 2, total: 3, missing: ["payment.disputed"] })
  })

  it("refuses, when the map is used, a type the vocabulary does not have", () => {
    const bad = {
      vocabulary: paymentEvents,
      services: {
        "test/Payments": { service: "Payments", methods: { charge: { success: { "payment.lost": () => ({}) } } } }
      }
    } as unknown as EventMap<typeof paymentEvents>
    expect(() => withTracking(PaymentsLive, { eventMap: bad })).toThrow(InvalidEventMapError)
    expect(() => validateEventMap(bad)).toThrow(
      'Payments.charge: `success` names "payment.lost", which is not a payments event type'
    )
  })

  it("refuses a map without a vocabulary, or with something else in its place", () => {
    expect(eventMapProblems({ services: paymentsMap.services } as never)).toEqual([
      expect.stringMatching(/^no vocabulary/)
    ])
    expect(eventMapProblems({ ...paymentsMap, vocabulary: { name: "payments" } } as never)).toEqual([
      expect.stringMatching(/is not one `defineVocabulary` made/)
    ])
  })

  it("refuses to combine its maps with another vocabulary's", () => {
    const jobs = serviceEvents(jobEvents, Payments, "Payments", { charge: { success: { "job.created": () => ({}) } } })
    expect(() => extendEventMap(paymentsMap, jobs as never)).toThrow(InvalidEventMapError)
    expect(() => extendEventMap(paymentsMap, jobs as never)).toThrow(
      /the "jobs" vocabulary cannot extend one of the "payments" vocabulary/
    )
  })

  it("names span attributes from the vocabulary", async () => {
    const spans: Array<Record<string, unknown>> = []
    const recording = Layer.succeed(Payments, {
      charge: (accountId: string, amountCents: number) =>
        Effect.currentSpan.pipe(
          Effect.tap((span) => Effect.sync(() => spans.push(Object.fromEntries(span.attributes)))),
          Effect.orDie,
          Effect.as(`${accountId}/${amountCents}`)
        ),
      refund: () => Effect.void
    })
    const memory = InMemoryTracker.make<PaymentEvent>()
    const layer = withTracking(recording, { eventMap: paymentsMap, spans: true }).pipe(
      Layer.provideMerge(InMemoryTracker.layer(memory))
    )
    await Effect.runPromise(
      Effect.flatMap(Payments, (payments) => payments.charge("acct-4", 1)).pipe(Effect.provide(layer))
    )
    expect(spans).toEqual([{ "payments.accountId": "acct-4" }])
  })
})
