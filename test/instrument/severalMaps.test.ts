import { Context, Effect, Layer, TestClock, TestContext } from "effect"
import { describe, expect, it } from "vitest"
import {
  defineVocabulary,
  describeCoverage,
  InMemoryTracker,
  InvalidEventMapError,
  serviceEvents,
  withTracking,
  type EventMap,
  type EventMaps,
  vocabularyGate,
  type VocabularyGate
} from "durable-effect-tracking"

// Two vocabularies of one's own, for one service pair: a ledger's events about an account, and
// an audit trail's about who acted, which only the ledger's answer tells.

interface Base {
  readonly eventId: string
  readonly timestamp: string
}
type LedgerEvent = Base & {
  readonly accountId: string
} & (
    | { readonly type: "ledger.opened" }
    | { readonly type: "ledger.posted"; readonly cents: number }
    | { readonly type: "ledger.rejected" }
    | { readonly type: "ledger.closed" }
  )
type AuditEvent = Base & { readonly actor: string } & (
    { readonly type: "audit.began" } | { readonly type: "audit.ended"; readonly outcome: string }
  )

const ledgerEvents = defineVocabulary<LedgerEvent, "accountId">({
  name: "ledger",
  types: ["ledger.opened", "ledger.posted", "ledger.rejected", "ledger.closed"],
  context: ["accountId"]
})
const auditEvents = defineVocabulary<AuditEvent, "actor">({
  name: "audit",
  types: ["audit.began", "audit.ended"],
  context: ["actor"]
})

class Ledger extends Context.Tag("test/severalMaps/Ledger")<
  Ledger,
  { post(accountId: string, cents: number): Effect.Effect<string, "overdrawn"> }
>() {}
class Gateway extends Context.Tag("test/severalMaps/Gateway")<
  Gateway,
  { submit(accountId: string, cents: number): Effect.Effect<string, "overdrawn"> }
>() {}

const LedgerLive = Layer.succeed(Ledger, {
  post: (accountId, cents) => (cents < 0 ? Effect.fail("overdrawn" as const) : Effect.succeed(`clerk-of-${accountId}`))
})
const GatewayLive = Layer.effect(
  Gateway,
  Effect.map(Ledger, (ledger) => ({ submit: (accountId: string, cents: number) => ledger.post(accountId, cents) }))
)

const ledgerMap = serviceEvents(ledgerEvents, Gateway, "Gateway", {
  submit: {
    context: ([accountId]) => ({ accountId }),
    before: { "ledger.opened": () => ({}) },
    success: { "ledger.closed": () => ({}) }
  }
})
const ledgerPosts = serviceEvents(ledgerEvents, Ledger, "Ledger", {
  post: {
    success: { "ledger.posted": ({ args: [, cents] }) => ({ cents }) },
    failure: { "ledger.rejected": () => ({}) }
  }
})
const ledgerMaps: EventMap<typeof ledgerEvents> = {
  vocabulary: ledgerEvents,
  services: { ...ledgerMap.services, ...ledgerPosts.services }
}
// The actor is known only once the ledger answers: the audit's first event waits for it.
const auditMap: EventMap<typeof auditEvents> = {
  vocabulary: auditEvents,
  services: {
    ...serviceEvents(auditEvents, Gateway, "Gateway", {
      submit: {
        before: { "audit.began": () => ({}) },
        success: { "audit.ended": () => ({ outcome: "posted" }) },
        failure: { "audit.ended": () => ({ outcome: "refused" }) }
      }
    }).services,
    ...serviceEvents(auditEvents, Ledger, "Ledger", {
      post: { learn: (clerk) => ({ actor: clerk }), learnOnFailure: () => ({ actor: "ledger" }) }
    }).services
  }
}

type AnyEvent = LedgerEvent | AuditEvent

/** Runs `submit` calls through both layers wrapped with `eventMap`, and what the tracker recorded. */
const submit = async (
  eventMap: EventMap | EventMaps,
  calls: ReadonlyArray<readonly [string, number]>,
  vocabularies?: VocabularyGate<typeof ledgerEvents | typeof auditEvents>
) => {
  const memory = InMemoryTracker.make<AnyEvent>(vocabularies === undefined ? undefined : { vocabularies })
  const ledger = withTracking(LedgerLive, { eventMap }).pipe(Layer.provideMerge(InMemoryTracker.layer(memory)))
  // A composition of wrapped layers: the ledger comes through the gateway's layer already tracked.
  const layer = withTracking(GatewayLive, { eventMap }).pipe(Layer.provideMerge(ledger))
  for (const [accountId, cents] of calls) {
    await Effect.runPromise(
      Effect.zipRight(
        TestClock.setTime(Date.UTC(2026, 0, 2)),
        Effect.either(Effect.flatMap(Gateway, (gateway) => gateway.submit(accountId, cents)))
      ).pipe(Effect.provide(layer), Effect.provide(TestContext.TestContext))
    )
  }
  const events = await Effect.runPromise(memory.handle.getEvents())
  const refused = await Effect.runPromise(memory.handle.refused())
  return {
    events: events.map(({ eventId: _id, ...event }) => event),
    refused: refused.map((refusal) => ({ cause: refusal.cause, type: refusal.type }))
  }
}

const calls = [
  ["acct-1", 250],
  ["acct-2", -5]
] as const

describe("several event maps for one withTracking", () => {
  it("emits each map's events, once, each exactly as the map alone emits them", async () => {
    const both = await submit([auditMap, ledgerMaps], calls)
    const ledgerAlone = await submit(ledgerMaps, calls)
    const auditAlone = await submit(auditMap, calls)
    const ofVocabulary = (prefix: string) => both.events.filter((event) => event.type.startsWith(prefix))
    expect(ledgerAlone.events.length).toBeGreaterThan(0)
    expect(auditAlone.events.length).toBeGreaterThan(0)
    expect(ofVocabulary("ledger.")).toEqual(ledgerAlone.events)
    expect(ofVocabulary("audit.")).toEqual(auditAlone.events)
    expect(both.events).toHaveLength(ledgerAlone.events.length + auditAlone.events.length)
  })

  it("keeps each map's context and waiting events apart: one map's held event does not hold the other's", async () => {
    const { events } = await submit([auditMap, ledgerMaps], [["acct-1", 250]])
    // audit.began waits for the actor the ledger's answer teaches; the ledger's own events go on.
    expect(events.map((event) => event.type)).toEqual([
      "ledger.opened",
      "ledger.posted",
      "audit.began",
      "ledger.closed",
      "audit.ended"
    ])
    expect(events.find((event) => event.type === "audit.began")).toMatchObject({ actor: "clerk-of-acct-1" })
    // Neither vocabulary's events carry the other's context.
    for (const event of events)
      expect(Object.keys(event)).not.toContain(event.type.startsWith("audit.") ? "accountId" : "actor")
  })

  it("puts the first map outermost: its events first at a call's start, last at its end", async () => {
    const ledgerOnly = (map: EventMap) => ({ ...map, services: { ...ledgerMap.services } })
    const gatewayAudit: EventMap = {
      vocabulary: auditEvents,
      services: serviceEvents(auditEvents, Gateway, "Gateway", {
        submit: {
          context: () => ({ actor: "teller" }),
          before: { "audit.began": () => ({}) },
          success: { "audit.ended": () => ({ outcome: "posted" }) }
        }
      }).services
    }
    const order = async (maps: EventMaps) => (await submit(maps, [["acct-1", 1]])).events.map((event) => event.type)
    expect(await order([gatewayAudit, ledgerOnly(ledgerMaps)])).toEqual([
      "audit.began",
      "ledger.opened",
      "ledger.closed",
      "audit.ended"
    ])
    expect(await order([ledgerOnly(ledgerMaps), gatewayAudit])).toEqual([
      "ledger.opened",
      "audit.began",
      "audit.ended",
      "ledger.closed"
    ])
  })

  it("reaches a tracker told both vocabularies whole; one told only one refuses the other's", async () => {
    const untold = await submit([auditMap, ledgerMaps], calls)
    const told = await submit([auditMap, ledgerMaps], calls, vocabularyGate(ledgerEvents, auditEvents))
    expect(told.refused).toEqual([])
    expect(told.events).toEqual(untold.events)
    const ledgerOnly = await submit([auditMap, ledgerMaps], calls, vocabularyGate(ledgerEvents))
    const audit = untold.events.filter((event) => event.type.startsWith("audit."))
    expect(audit.length).toBeGreaterThan(0)
    expect(ledgerOnly.events).toEqual(untold.events.filter((event) => event.type.startsWith("ledger.")))
    expect(ledgerOnly.refused).toEqual(audit.map(({ type }) => ({ cause: "unknownVocabulary", type })))
  })

  it("is one map's tracking for a list of one", async () => {
    expect(await submit([ledgerMaps], calls)).toEqual(await submit(ledgerMaps, calls))
  })

  it("refuses an empty list, and a map given twice, at the call", () => {
    expect(() => withTracking(LedgerLive, { eventMap: [] as unknown as EventMaps })).toThrow(InvalidEventMapError)
    expect(() => withTracking(LedgerLive, { eventMap: [ledgerMaps, auditMap, ledgerMaps] })).toThrow(
      InvalidEventMapError
    )
    const malformed = { vocabulary: auditEvents, services: { x: { service: "", methods: {} } } } as EventMap
    expect(() => withTracking(LedgerLive, { eventMap: [ledgerMaps, malformed] })).toThrow(InvalidEventMapError)
  })

  it("runs a call in one span, the first map's, not one per map", async () => {
    const seen: Array<{ name: string; attributes: Record<string, unknown>; parent: boolean }> = []
    const recording = Layer.succeed(Ledger, {
      post: () =>
        Effect.currentSpan.pipe(
          Effect.tap((span) =>
            Effect.sync(() =>
              seen.push({
                name: span.name,
                attributes: Object.fromEntries(span.attributes),
                parent: span.parent._tag === "Some"
              })
            )
          ),
          Effect.orDie,
          Effect.as("clerk")
        )
    })
    const posting: EventMap = {
      vocabulary: auditEvents,
      services: serviceEvents(auditEvents, Ledger, "Ledger", {
        post: { context: () => ({ actor: "teller" }), success: { "audit.ended": () => ({ outcome: "posted" }) } }
      }).services
    }
    const memory = InMemoryTracker.make<AnyEvent>()
    const layer = withTracking(recording, { eventMap: [posting, ledgerPosts], spans: true }).pipe(
      Layer.provideMerge(InMemoryTracker.layer(memory))
    )
    await Effect.runPromise(Effect.flatMap(Ledger, (ledger) => ledger.post("acct-9", 1)).pipe(Effect.provide(layer)))
    expect(seen).toEqual([{ name: "Ledger.post", attributes: { "audit.actor": "teller" }, parent: false }])
  })

  it("returns the layer itself when disabled", () => {
    expect(withTracking(LedgerLive, { eventMap: [ledgerMaps, auditMap], enabled: false })).toBe(LedgerLive)
  })

  it("leaves each map's coverage its own", () => {
    expect(describeCoverage(ledgerMaps)).toMatchObject({ produced: 4, total: 4 })
    expect(describeCoverage(auditMap)).toMatchObject({ produced: 2, total: 2 })
  })
})
