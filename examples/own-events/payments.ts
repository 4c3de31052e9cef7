import { Context, Data, Effect, Layer, Schema } from "effect"
import { defineVocabulary, serviceEvents, type EventMap } from "durable-effect-tracking"

// The service: a payments API of our own, nothing to do with jobs.
export class CardDeclined extends Data.TaggedError("CardDeclined")<{ readonly reason: string }> {}

export interface PaymentsShape {
  readonly charge: (accountId: string, amountCents: number) => Effect.Effect<string, CardDeclined>
  readonly refund: (accountId: string, paymentId: string, amountCents: number) => Effect.Effect<void>
}
export class Payments extends Context.Tag("example/Payments")<Payments, PaymentsShape>() {}

// Which merchant this deployment charges for: a service the payments layer is given, not traced.
export class Merchant extends Context.Tag("example/Merchant")<Merchant, { readonly merchantId: string }>() {}

export const PaymentsLive = Layer.sync(Payments, () => {
  let issued = 0
  return {
    charge: (accountId, amountCents) =>
      amountCents > 100_000
        ? Effect.fail(new CardDeclined({ reason: "over the card's limit" }))
        : Effect.sync(() => `pay-${accountId}-${++issued}`),
    refund: () => Effect.void
  }
})

// The events, as a Schema: what a consumer decodes, and what the in-memory tracker checks.
const about = {
  eventId: Schema.String,
  timestamp: Schema.String,
  accountId: Schema.String,
  merchantId: Schema.String,
  amountCents: Schema.Int
}
export const PaymentEvent = Schema.Union(
  Schema.Struct({ ...about, type: Schema.Literal("payment.requested") }),
  Schema.Struct({ ...about, type: Schema.Literal("payment.charged"), paymentId: Schema.String }),
  Schema.Struct({ ...about, type: Schema.Literal("payment.declined"), reason: Schema.String }),
  Schema.Struct({ ...about, type: Schema.Literal("payment.refunded"), paymentId: Schema.String })
)
export type PaymentEvent = typeof PaymentEvent.Type

// The vocabulary: its types, the context every event needs, how grave a decline is.
export const paymentEvents = defineVocabulary<PaymentEvent, "accountId" | "merchantId">({
  name: "payments",
  types: ["payment.requested", "payment.charged", "payment.declined", "payment.refunded"],
  context: ["accountId", "merchantId"],
  severities: { "payment.declined": "warn" },
  schema: PaymentEvent
})

// The map: which call emits which event. The account comes from each call's arguments, the
// merchant from the Merchant service the layer is built with.
export const paymentsEventMap: EventMap<typeof paymentEvents> = {
  ...serviceEvents(paymentEvents, Payments, "Payments", {
    charge: {
      context: ([accountId]) => ({ accountId }),
      before: { "payment.requested": ({ args: [, amountCents] }) => ({ amountCents }) },
      success: { "payment.charged": ({ args: [, amountCents], result }) => ({ amountCents, paymentId: result }) },
      failure: {
        "payment.declined": ({ args: [, amountCents], error, kind }) => ({
          amountCents,
          reason: error?.reason ?? kind
        })
      }
    },
    refund: {
      context: ([accountId]) => ({ accountId }),
      success: {
        "payment.refunded": ({ args: [, paymentId, amountCents] }) => ({ amountCents, paymentId })
      }
    }
  }),
  ambient: { [Merchant.key]: (merchant: Context.Tag.Service<Merchant>) => ({ merchantId: merchant.merchantId }) }
}
