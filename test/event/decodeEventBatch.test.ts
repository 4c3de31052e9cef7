import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  decodeEventBatch,
  eventBatchSchema,
  workflowEvents,
  workflowEventsWithSchema,
  type EventBatchDecodeError
} from "durable-effect-tracking"
import { payment, PaymentEvent, paymentEvents } from "../support/vocabularies.js"

const decodePayments = decodeEventBatch({ ...paymentEvents, schema: PaymentEvent })
const sent = (event: object) => ({ ...event, env: "test", serviceKey: "payments" })

const refused = (decoded: Either.Either<unknown, EventBatchDecodeError>): EventBatchDecodeError => {
  if (Either.isRight(decoded)) throw new Error("expected the batch to be refused")
  return decoded.left
}

describe("decodeEventBatch: a batch of any vocabulary's events", () => {
  it("decodes a valid batch to the same value as the batch Schema", () => {
    const body = {
      events: [sent(payment("payment.charged", "acct-1", 100)), sent(payment("payment.refunded", "acct-1", 5))]
    }
    const decoded = Either.getOrThrow(decodePayments(body))
    expect(decoded).toEqual(Schema.decodeUnknownSync(eventBatchSchema(PaymentEvent))(body))
    expect(decoded.events.map((event) => [event.type, event.accountId, event.env])).toEqual([
      ["payment.charged", "acct-1", "test"],
      ["payment.refunded", "acct-1", "test"]
    ])
  })

  it("names each problem once, by its path, and the vocabulary", () => {
    const good = sent(payment("payment.charged", "acct-1", 100))
    const { serviceKey: _key, ...unsent } = good
    const body = { events: [good, { ...good, amountCents: "100" }, unsent, { ...good, type: "payment.voided" }] }
    const error = refused(decodePayments(body))
    expect(error._tag).toBe("EventBatchDecodeError")
    expect(error.vocabulary).toBe("payments")
    expect(error.problems.map((problem) => problem.path)).toEqual([
      "events[1].amountCents",
      "events[2].serviceKey",
      "events[3].type"
    ])
    expect(error.message.split("\n")).toEqual([
      "Invalid payments event batch (3 problems):",
      ...error.problems.map((problem) => `${problem.path}: ${problem.message}`)
    ])
  })

  it("keeps a message that lists a long union of types short, with what the value was", () => {
    const event = workflowEvents.build({
      type: "step.started",
      fields: { stepName: "charge", attempt: 1 },
      context: { workflowId: "w-1", workflowName: "checkout" },
      timestampMs: 0
    })
    const error = refused(
      decodeEventBatch(workflowEventsWithSchema)({ events: [sent({ ...event, type: "step.skipped" })] })
    )
    expect(error.problems).toHaveLength(1)
    expect(error.problems[0]!.path).toBe("events[0].type")
    expect(error.problems[0]!.message.length).toBeLessThanOrEqual(160)
    expect(error.problems[0]!.message).toContain('"step.skipped"')
    expect(error.problems[0]!.message).toContain(" ... ")
  })

  it("lists ten problems and says how many more there are", () => {
    const good = sent(payment("payment.charged", "acct-1", 100))
    const error = refused(decodePayments({ events: Array.from({ length: 12 }, () => ({ ...good, timestamp: 1 })) }))
    expect(error.problems).toHaveLength(12)
    const lines = error.message.split("\n")
    expect(lines).toHaveLength(1 + 10 + 1)
    expect(lines.at(-1)).toBe("... and 2 more problems")
    const one = refused(decodePayments({ events: Array.from({ length: 11 }, () => ({ ...good, timestamp: 1 })) }))
    expect(one.message.split("\n").at(-1)).toBe("... and 1 more problem")
  })

  it("reports a body that is not a batch at all", () => {
    expect(refused(decodePayments(undefined)).problems.map((problem) => problem.path)).toEqual(["(body)"])
    expect(refused(decodePayments({})).problems.map((problem) => problem.path)).toEqual(["events"])
    expect(refused(decodePayments({ events: "none" })).problems.map((problem) => problem.path)).toEqual(["events"])
  })
})
