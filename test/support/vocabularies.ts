/**
 * Vocabularies the tracker tests tell their trackers about: the jobs vocabulary (with its Schema,
 * so that the in-memory tracker checks job events against it) and two of a user's own, with no
 * job field anywhere.
 */

import { Schema } from "effect"
import { defineVocabulary, jobEventsWithSchema } from "durable-effect-tracking"

/** The jobs vocabulary, with its Schema. */
export const testJobEvents = jobEventsWithSchema

const Charged = Schema.Struct({
  eventId: Schema.String,
  timestamp: Schema.String,
  type: Schema.Literal("payment.charged"),
  accountId: Schema.String,
  amountCents: Schema.Number
})
const Refunded = Schema.Struct({
  eventId: Schema.String,
  timestamp: Schema.String,
  type: Schema.Literal("payment.refunded"),
  accountId: Schema.String,
  amountCents: Schema.Number,
  reason: Schema.optional(Schema.String)
})
export const PaymentEvent = Schema.Union(Charged, Refunded)
export type PaymentEvent = typeof PaymentEvent.Type

/** A payment event of `accountId`, built by the vocabulary (id, timestamp). */
export const payment = (type: PaymentEvent["type"], accountId: string, amountCents: number): PaymentEvent =>
  paymentEvents.build({ type, fields: { amountCents }, context: { accountId }, timestampMs: 1_767_225_600_000 })

/** The largest payment event: long ids, the largest amount, a reason. */
const largestPayment = {
  eventId: "00000000-0000-7000-8000-000000000000",
  timestamp: "2026-01-01T00:00:00.000Z",
  type: "payment.refunded",
  accountId: "a".repeat(64),
  amountCents: Number.MAX_SAFE_INTEGER,
  reason: "r".repeat(200)
}

export const paymentEvents = defineVocabulary<PaymentEvent, "accountId">({
  name: "payments",
  types: ["payment.charged", "payment.refunded"],
  context: ["accountId"],
  schema: PaymentEvent,
  largestEvent: largestPayment,
  attributePrefix: "payment"
})

/** A vocabulary that gives no largest event nor Schema: trackers size it by the generic floor. */
export const auditEvents = defineVocabulary<
  { eventId: string; timestamp: string; type: "audit.read"; userId: string; path: string },
  "userId"
>({ name: "audit", types: ["audit.read"], context: ["userId"] })
