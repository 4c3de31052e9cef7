// `npx tsx examples/own-events.ts`: a service of our own (examples/own-events/payments.ts),
// tracked with a vocabulary of its own. It makes a few payments calls and prints every event
// emitted as one JSON line on stdout; what it says besides goes to stderr.
import { Effect, Layer, Logger } from "effect"
import {
  describeCoverage,
  droppedForLackOfContext,
  emitEvent,
  flushEvents,
  InMemoryTracker,
  vocabularyGate,
  withTracking
} from "durable-effect-tracking"
import { Merchant, Payments, PaymentsLive, paymentEvents, paymentsEventMap } from "./own-events/payments.js"

// A tracker told the vocabulary: it records payments events, each checked against the Schema,
// and refuses any other.
const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(paymentEvents) })

// The same layer type comes out of withTracking; the tracker and the merchant go under it.
const PaymentsTracked = withTracking(PaymentsLive, { eventMap: paymentsEventMap }).pipe(
  Layer.provide(Layer.succeed(Merchant, { merchantId: "m-42" })),
  Layer.provideMerge(InMemoryTracker.layer(memory))
)

const program = Effect.gen(function* () {
  const payments = yield* Payments
  const paymentId = yield* payments.charge("acct-1", 1_250)
  const declined = yield* Effect.either(payments.charge("acct-2", 250_000))
  console.error(`charge of acct-2: ${declined._tag === "Left" ? declined.left.reason : "charged"}`)
  yield* payments.refund("acct-1", paymentId, 250)
  // Not a payments event: the tracker refuses it, and counts it.
  yield* emitEvent({ type: "order.placed", orderId: "o-7" })
}).pipe(Effect.ensuring(flushEvents))

// Effect's logger writes to stdout; here stdout holds the events only, so logs go to stderr.
const logsToStderr = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.stringLogger))

await Effect.runPromise(program.pipe(Effect.provide(PaymentsTracked), Effect.provide(logsToStderr)))

const coverage = describeCoverage(paymentsEventMap)
console.error(`coverage: ${coverage.produced}/${coverage.total} payments event types mapped`)
const refused = await Effect.runPromise(memory.handle.refused())
for (const refusal of refused) console.error(`refused (${refusal.cause}): ${refusal.reason}`)
console.error(`dropped for lack of context: ${JSON.stringify(Object.fromEntries(droppedForLackOfContext()))}`)

for (const event of await Effect.runPromise(memory.handle.getEvents())) {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}
