/**
 * A tracker told vocabularies is typed by their events; one told none takes any event with a
 * type. Type-checked by `npm run typecheck` (and `tsc`), not run by vitest.
 */
import type { Effect } from "effect"
import { expectTypeOf } from "vitest"
import {
  HttpBatchTracker,
  InMemoryTracker,
  makeJobEvent,
  QueueTracker,
  type EventWire,
  type JobEvent,
  type JobEventWire,
  type QueueProducer,
  type RecordedEvent,
  vocabularyGate
} from "durable-effect-tracking"
import { OtelLogsTracker } from "durable-effect-tracking/otel"
import { payment, paymentEvents, testJobEvents, type PaymentEvent } from "../support/vocabularies.js"

const config = { endpoint: "https://collector.example.com", env: "production", serviceKey: "payments" }
const charged = payment("payment.charged", "acct-1", 100)
const created = makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "orders" })
declare const queue: QueueProducer

// Told payments, every tracker takes payment events only.
const http = HttpBatchTracker.make({ ...config, vocabularies: vocabularyGate(paymentEvents) })
expectTypeOf(http).toEqualTypeOf<HttpBatchTracker<PaymentEvent>>()
http.emit(charged)
// @ts-expect-error: a job event is of no vocabulary the tracker was told about
http.emit(created)
const queued = QueueTracker.make(queue, {
  env: "production",
  serviceKey: "payments",
  vocabularies: vocabularyGate(paymentEvents)
})
// @ts-expect-error: a job event is of no vocabulary the tracker was told about
queued.emit(created)
const otel = OtelLogsTracker.make({ env: "production", vocabularies: vocabularyGate(paymentEvents) })
// @ts-expect-error: a job event is of no vocabulary the tracker was told about
otel.emit(created)

// A gate takes one vocabulary or more, and a plain list is no gate.
// @ts-expect-error: a gate of no vocabulary
vocabularyGate()
// @ts-expect-error: a list of vocabularies is the option's form before vocabularyGate
HttpBatchTracker.make({ ...config, vocabularies: [paymentEvents] })

// Told two, the union of their events.
const both = HttpBatchTracker.make({ ...config, vocabularies: vocabularyGate(paymentEvents, testJobEvents) })
expectTypeOf(both).toEqualTypeOf<HttpBatchTracker<PaymentEvent | JobEvent>>()

// The in-memory handle narrows by type within the vocabularies told.
const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(paymentEvents) })
expectTypeOf(memory.handle.getEventsByType("payment.refunded")).toEqualTypeOf<
  Effect.Effect<Array<Extract<PaymentEvent, { type: "payment.refunded" }>>>
>()
// @ts-expect-error: "job.created" is no payments type
memory.handle.getEventsByType("job.created")

// Told none: any event with a type; an explicit type parameter still types the tracker.
HttpBatchTracker.make(config).emit(charged)
HttpBatchTracker.make(config).emit(created)
// @ts-expect-error: not an event
HttpBatchTracker.make(config).emit("text")
expectTypeOf(HttpBatchTracker.make<JobEvent>(config)).toEqualTypeOf<HttpBatchTracker<JobEvent>>()
expectTypeOf(InMemoryTracker.make<JobEvent>().handle.getEventsByType("job.failed")).toEqualTypeOf<
  Effect.Effect<Array<Extract<JobEvent, { type: "job.failed" }>>>
>()
// Untyped, an event of a type is readable field by field (as unknown).
expectTypeOf(InMemoryTracker.make().handle.getEventsByType("job.failed")).toEqualTypeOf<
  Effect.Effect<Array<RecordedEvent & { readonly type: "job.failed" }>>
>()

// A Queue consumer of job events names the wire type it reads.
declare const jobsQueue: QueueProducer<JobEventWire>
QueueTracker.make(jobsQueue, { env: "production", serviceKey: "jobs" })
expectTypeOf<EventWire<PaymentEvent>>().toHaveProperty("serviceKey")
