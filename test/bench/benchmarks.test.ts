import { describe, expect, it } from "vitest"
import { benchmarks } from "../../bench/benchmarks/index.js"
import { handPlacedDispatcherLayer } from "../../bench/handPlaced.js"
import { compareInterleaved, median, quantile } from "../../bench/stats.js"
import { sinkSides } from "../../bench/benchmarks/perEventSinks.js"
import {
  definitions,
  eventsPerWorkload,
  interceptingOnlyEventMap,
  recordEventTypes,
  runWorkload
} from "../../bench/workload.js"
import { trackedDispatcherLayer } from "../support/jobsHarness.js"

// Smoke only: every benchmark runs once at tiny counts. No timing is asserted.
describe("benchmarks (smoke)", () => {
  it("names the benchmarks", () => {
    expect(benchmarks.map((b) => b.name)).toEqual([
      "off",
      "on",
      "proxy-vs-hand-placed",
      "per-event",
      "per-event-sinks",
      "per-event-workerd",
      "emit-sizing",
      "http-flush",
      "emit",
      "event-id",
      "delivery",
      "outage-memory",
      "codemod",
      "cli-start",
      "worker-bundle"
    ])
  })

  // per-event-workerd starts five workerds: test/bench/perEventWorkerd.test.ts (a slow file).
  for (const benchmark of benchmarks.filter((b) => b.name !== "per-event-workerd")) {
    it(`${benchmark.name} runs once and reports a result`, async () => {
      const result = await benchmark.run("smoke")
      expect(result.name).toBe(benchmark.name)
      const number = result.ratio ?? result.value
      expect(Number.isFinite(number)).toBe(true)
      // The per-event ones report a difference of two sides, which one smoke round can make negative.
      if (!benchmark.name.startsWith("per-event")) expect(number).toBeGreaterThan(0)
      expect(result.unit).not.toBe("")
      expect(result.target).not.toBe("")
      if (result.target === "reported") expect(result.met).toBeNull()
      else expect(typeof result.met).toBe("boolean")
    })
  }

  it("the hand-placed variant emits the proxies' event types, in order", async () => {
    const proxied = await recordEventTypes((core, tracker) => trackedDispatcherLayer(core, tracker, definitions))
    const byHand = await recordEventTypes((core, tracker) => handPlacedDispatcherLayer(core, tracker, definitions))
    expect(proxied.length).toBeGreaterThan(30)
    expect(new Set(proxied)).toContain("alarm.fired")
    expect(byHand).toEqual(proxied)
  })

  // per-event's floor: the same calls intercepted as with the default map, and no event made.
  it("per-event's intercepting-only side traces the mapped calls and emits no event", async () => {
    let intercepted = 0
    const types = await recordEventTypes((core, tracker) =>
      trackedDispatcherLayer(core, tracker, definitions, {
        eventMap: interceptingOnlyEventMap(() => void intercepted++)
      })
    )
    expect(types).toEqual([])
    // More calls than the default map emits events for: most calls emit none, some several.
    expect(intercepted).toBeGreaterThan(await eventsPerWorkload())
  })

  // A side that lost events would look cheap: each sink side hands its sink every event.
  it("per-event-sinks' OpenTelemetry and Queue sides deliver every event of the workload", async () => {
    const events = await eventsPerWorkload()
    expect(events).toBeGreaterThan(30)
    let delivered = 0
    const sides = new Map(sinkSides((count) => void (delivered += count)).map(([key, , runtime]) => [key, runtime]))
    expect([...sides.keys()]).toEqual([
      "off",
      "inMemory",
      "inMemorySpans",
      "httpStub",
      "otelLogs",
      "otelLogsSpans",
      "queue"
    ])
    for (const key of ["otelLogs", "otelLogsSpans", "queue"]) {
      delivered = 0
      await runWorkload(sides.get(key)!)
      expect({ key, delivered }).toEqual({ key, delivered: events })
    }
  })
})

describe("bench statistics", () => {
  it("median and quantiles interpolate", () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2)
    expect(Number.isNaN(median([]))).toBe(true)
  })

  it("compares interleaved, flipping the order every round, setups untimed", async () => {
    const order: Array<string> = []
    const side = (name: string) => ({
      name,
      setup: () => void order.push(`setup ${name}`),
      run: () => void order.push(name)
    })
    const result = await compareInterleaved(side("a"), side("b"), {
      warmup: 1,
      minRounds: 2,
      maxRounds: 2,
      budgetMs: 0
    })
    expect(order.filter((step) => !step.startsWith("setup"))).toEqual(["a", "b", "a", "b", "b", "a"])
    expect(order.filter((step) => step.startsWith("setup"))).toHaveLength(6)
    expect(result.rounds).toBe(2)
    expect(result.baseline).toHaveLength(2)
    expect(result.subject).toHaveLength(2)
  })

  it("a side sampled from its last sample counts what its process did after its run returned", async () => {
    // Two processes' CPU clocks: each run costs 1 ms, and b's process then does 10 ms of work of
    // its own (a flush after the response) before the next run, whichever side that is.
    const cpu = { a: 0, b: 0 }
    let later: (() => void) | undefined
    const side = (name: "a" | "b", fromLastSample: boolean, after: number) => ({
      name,
      clock: () => cpu[name],
      fromLastSample,
      setup: () => {
        later?.()
        later = undefined
      },
      run: () => {
        cpu[name] += 1
        if (after > 0) later = () => void (cpu[name] += after)
      }
    })
    const options = { warmup: 1, minRounds: 4, maxRounds: 4, budgetMs: 0 }
    const lost = await compareInterleaved(side("a", false, 0), side("b", false, 10), options)
    expect(lost.subject).toEqual([1, 1, 1, 1])
    const counted = await compareInterleaved(side("a", true, 0), side("b", true, 10), options)
    // Every sample of b holds its previous run's later work, the first one its warm-up's.
    expect(counted.subject).toEqual([11, 11, 11, 11])
    expect(counted.baseline).toEqual([1, 1, 1, 1])
  })
})
