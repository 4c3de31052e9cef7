/**
 * A vocabulary of one's own types its maps end to end, checked by the compiler: this file is not
 * run by vitest (its assertions are types), it is type-checked by `npm run typecheck`.
 */
import { Context, Effect, type Schema } from "effect"
import { expectTypeOf } from "vitest"
import {
  defineVocabulary,
  describeCoverage,
  filterEventMap,
  serviceEvents,
  serviceEventsByKey,
  type EventMap,
  type EventTypeOf,
  type RecipeFieldsOf
} from "durable-effect-tracking"

type PaymentEvent =
  | { eventId: string; timestamp: string; type: "payment.charged"; accountId: string; amountCents: number }
  | { eventId: string; timestamp: string; type: "payment.refunded"; accountId: string; reason?: string }

const paymentEvents = defineVocabulary<PaymentEvent, "accountId">({
  name: "payments",
  types: ["payment.charged", "payment.refunded"],
  context: ["accountId"]
})

class Payments extends Context.Tag("types/Payments")<
  Payments,
  { charge(accountId: string, amountCents: number): Effect.Effect<string> }
>() {}

// A recipe gives the event's own fields; the context key is optional, the built ones absent.
expectTypeOf<RecipeFieldsOf<typeof paymentEvents, "payment.charged">>().toEqualTypeOf<
  Omit<Extract<PaymentEvent, { type: "payment.charged" }>, "type" | "accountId" | "eventId" | "timestamp"> &
    Partial<Pick<Extract<PaymentEvent, { type: "payment.charged" }>, "accountId">>
>()

const map = serviceEvents(paymentEvents, Payments, "Payments", {
  charge: {
    context: ([accountId]) => ({ accountId }),
    success: {
      "payment.charged": ({ args: [, amountCents], context }) => ({ amountCents, accountId: context.accountId })
    }
  }
})
expectTypeOf(map).toEqualTypeOf<EventMap<typeof paymentEvents>>()
expectTypeOf<EventTypeOf<typeof paymentEvents>>().toEqualTypeOf<"payment.charged" | "payment.refunded">()
expectTypeOf(describeCoverage(map).missing).toEqualTypeOf<ReadonlyArray<"payment.charged" | "payment.refunded">>()

serviceEvents(paymentEvents, Payments, "Payments", {
  // @ts-expect-error: "payment.lost" is not a type of the payments vocabulary
  charge: { success: { "payment.lost": () => ({}) } }
})

serviceEvents(paymentEvents, Payments, "Payments", {
  // @ts-expect-error: a job event type is not a payments type either
  charge: { success: { "job.created": () => ({}) } }
})

serviceEvents(paymentEvents, Payments, "Payments", {
  // @ts-expect-error: amountCents is a number
  charge: { success: { "payment.charged": () => ({ amountCents: "12" }) } }
})

serviceEventsByKey<{ charge(accountId: string): Effect.Effect<void> }>()(paymentEvents, "types/Payments", "Payments", {
  // @ts-expect-error: the event needs its amountCents
  charge: { success: { "payment.charged": () => ({}) } }
})

// @ts-expect-error: a filter's predicate is given the vocabulary's types
filterEventMap(map, (type: "job.created") => type !== "job.created")

defineVocabulary<PaymentEvent, "acountId">({
  name: "payments",
  types: ["payment.charged"],
  // @ts-expect-error: a context key is a field of the events ("acountId" is misspelt)
  context: ["acountId"]
})

defineVocabulary({
  name: "payments",
  types: ["payment.charged"] as ReadonlyArray<PaymentEvent["type"]>,
  // @ts-expect-error: inferred, a context key is still checked against the events' fields
  context: ["acountId"],
  schema: undefined as unknown as Schema.Schema<PaymentEvent>
})
