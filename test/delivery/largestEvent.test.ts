import { describe, expect, it } from "vitest"
import { genericLargestEvent, largestEventAsSent } from "../../src/delivery/LargestEvent.js"
import { jobEvents } from "../../src/jobs/events/jobEvents.js"
import { largestJobEvent } from "../../src/jobs/events/largestJobEvent.js"

const asSent = (event: Readonly<Record<string, unknown>>, env: string, serviceKey: string) =>
  Buffer.byteLength(JSON.stringify({ ...event, env, serviceKey }))

// A largest event is weighed once per enrichment and remembered: trackers of another env or
// service key, made in between or after, must still get their own figure.
describe("largestEventAsSent", () => {
  it("gives each enrichment its own bytes, whatever was weighed before", () => {
    const enrichments = [
      { env: "production", serviceKey: "orders" },
      { env: "a-much-longer-environment-name", serviceKey: "orders" },
      { env: "production", serviceKey: "orders-with-a-longer-key" },
      { env: "production", serviceKey: "orders" }
    ]
    for (const enrichment of enrichments) {
      const { env, serviceKey } = enrichment
      expect(largestEventAsSent(undefined, enrichment).bytes).toBe(asSent(genericLargestEvent, env, serviceKey))
      expect(largestEventAsSent([jobEvents], enrichment).bytes).toBe(asSent(largestJobEvent, env, serviceKey))
    }
  })
})
