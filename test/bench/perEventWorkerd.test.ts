import { describe, expect, it } from "vitest"
import { benchmarks } from "../../bench/benchmarks/index.js"

// Smoke only, like benchmarks.test.ts: the per-event benchmark in workerd (five Workers, each in
// a workerd of its own) runs once at tiny counts. No timing is asserted.
describe("per-event-workerd (smoke)", () => {
  it("runs each side once in workerd and reports its figures", async () => {
    const result = await benchmarks.find((b) => b.name === "per-event-workerd")!.run("smoke")
    expect(result.target).toBe("reported")
    expect(result.met).toBeNull()
    expect(Number.isFinite(result.value)).toBe(true)
    const detail = result.detail as Record<string, { readonly medianMs: number } | number | string>
    // The events were counted on the collector: the workload emits some, and the same number twice.
    expect(detail.eventsPerSample).toBeGreaterThan(20)
    expect(detail.rounds).toBe(1)
    // Every side's sample is its own workerd's CPU time: positive.
    for (const side of [
      "off",
      "inMemory",
      "httpStub",
      "httpStubLingering",
      "httpCollector",
      "httpCollectorLingering"
    ]) {
      expect((detail[side] as { readonly medianMs: number }).medianMs).toBeGreaterThan(0)
    }
    expect(detail.plainMedianMs).toBeGreaterThan(0)
  })
})
