import { Effect } from "effect"
import { HttpBatchTracker } from "../../src/sinks/http/HttpBatchTracker.js"
import type { JobEvent } from "../../src/jobs/events/JobEvent.js"
import { makeJobEvent } from "../../src/jobs/events/makeJobEvent.js"
import { refusedEndpoint } from "../../test/support/collector.js"
import { startCollector } from "../collector.js"
import { heapAfterGc, minorGc } from "../gc.js"
import { compareInterleaved, median, round, type BenchmarkResult, type Side } from "../stats.js"
import type { Scale } from "./scale.js"

const input = {
  type: "execution.succeeded",
  instanceId: "bench-instance",
  jobType: "continuous",
  jobName: "heartbeat",
  runCount: 1,
  durationMs: 3
} as const
const template = makeJobEvent(input, Date.UTC(2025, 0, 1))
/** A fresh event object of a real event's shape. */
const sampleEvent = (i: number): JobEvent => ({ ...template, runCount: i })

const config = { env: "bench", serviceKey: "bench" } as const

const emitAll = (tracker: HttpBatchTracker, events: ReadonlyArray<JobEvent>) =>
  Effect.runSync(Effect.forEach(events, (event) => tracker.emit(event), { discard: true }))

const emitMany = (tracker: HttpBatchTracker, count: number, from = 0) =>
  emitAll(
    tracker,
    Array.from({ length: count }, (_, i) => sampleEvent(from + i))
  )

/**
 * `emit` on the HTTP batch tracker with 1k vs 100k events already buffered: the time of a run of
 * emits on a fresh tracker prefilled (untimed) to each size. O(1) means a ratio of about 1.
 */
export const emit = async (scale: Scale): Promise<BenchmarkResult> => {
  const perSample = scale === "smoke" ? 10 : 2_000
  const events = Array.from({ length: perSample }, (_, i) => sampleEvent(i))
  const buffered = (prefill: number): Side => {
    let tracker: HttpBatchTracker | undefined
    return {
      name: `${prefill} buffered`,
      setup: () => {
        // Never flushed: the endpoint is not contacted.
        tracker = HttpBatchTracker.make({ ...config, endpoint: "http://127.0.0.1:9/events", maxBufferSize: 1_000_000 })
        emitMany(tracker, prefill)
        // The prefill's garbage (and a young generation full of live events) is not the timed
        // emits' to collect: both sides start with an empty young generation.
        minorGc()
      },
      run: () => emitAll(tracker!, events)
    }
  }
  const small = scale === "smoke" ? 10 : 1_000
  const large = scale === "smoke" ? 1_000 : 100_000
  const result = await compareInterleaved(
    buffered(small),
    buffered(large),
    scale === "smoke"
      ? { warmup: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 }
      : { warmup: 20, minRounds: 50, maxRounds: 400, budgetMs: 8_000 }
  )
  const nsPerEmit = (samples: ReadonlyArray<number>) => round((median(samples) * 1e6) / perSample, 1)
  return {
    name: "emit",
    ratio: round(result.ratio),
    unit: `× ns/emit at ${small} buffered`,
    target: "≈ 1 (O(1)): <= 1.25",
    met: result.ratio <= 1.25,
    detail: {
      emitsPerSample: perSample,
      rounds: result.rounds,
      nsPerEmit: {
        [`${small} buffered`]: nsPerEmit(result.baseline),
        [`${large} buffered`]: nsPerEmit(result.subject)
      },
      perRoundRatioIQR: result.spread.map((r) => round(r))
    }
  }
}

/**
 * Events per second from the first `emit` to the collector's acknowledgement of the last batch,
 * over real HTTP to a local collector, for several batch sizes (interleaved across repetitions).
 */
export const delivery = async (scale: Scale): Promise<BenchmarkResult> => {
  const events = scale === "smoke" ? 200 : 20_000
  const repetitions = scale === "smoke" ? 1 : 3
  const batchSizes = [50, 100, 500, 1_000]
  const collector = await startCollector()
  const rates = new Map<number, Array<number>>(batchSizes.map((size) => [size, []]))
  try {
    for (let rep = 0; rep < repetitions; rep++) {
      // Rotate the order so no batch size always runs on a cold (or a hot) process.
      const order = batchSizes.map((_, i) => batchSizes[(i + rep) % batchSizes.length]!)
      for (const batchSize of order) {
        const tracker = HttpBatchTracker.make({
          ...config,
          endpoint: collector.endpoint,
          batchSize,
          maxBufferSize: events,
          timeoutMs: 10_000,
          flushTimeoutMs: 60_000
        })
        const before = collector.received()
        const started = performance.now()
        emitMany(tracker, events)
        await Effect.runPromise(tracker.flush())
        const elapsed = performance.now() - started
        const stats = Effect.runSync(tracker.stats())
        if (stats.sent !== events || collector.received() - before !== events) {
          throw new Error(`delivery: ${stats.sent} of ${events} events acknowledged (batch size ${batchSize})`)
        }
        rates.get(batchSize)!.push(events / (elapsed / 1000))
      }
    }
  } finally {
    await collector.close()
  }
  const perBatchSize = Object.fromEntries(batchSizes.map((size) => [size, Math.round(median(rates.get(size)!))]))
  return {
    name: "delivery",
    value: Math.round(median(Object.values(perBatchSize))),
    unit: "events/s (median over batch sizes)",
    target: "reported",
    met: null,
    detail: { eventsPerRun: events, repetitions, eventsPerSecondByBatchSize: perBatchSize }
  }
}

// Fresh events with their own ids and times, as a runtime emits them; made in a frame of their
// own, so that no array of them outlives the call (it would count as heap the tracker holds).
const emitFreshEvents = (tracker: HttpBatchTracker, from: number, count: number): void => {
  emitAll(
    tracker,
    Array.from({ length: count }, (_, i) => makeJobEvent({ ...input, runCount: from + i }))
  )
}

/**
 * Heap in use with a tracker whose collector is down: 1M emits (a failing flush every 10k, as a
 * jobs runtime flushes per call) with `maxBufferSize` 10k, against the same tracker after its
 * first 10k; the median of 2 runs. A first, shorter run only warms up (its numbers are not kept).
 */
export const outageMemory = async (scale: Scale): Promise<BenchmarkResult> => {
  const maxBufferSize = scale === "smoke" ? 100 : 10_000
  const total = scale === "smoke" ? 1_000 : 1_000_000
  const repetitions = scale === "smoke" ? 1 : 2
  const endpoint = await refusedEndpoint()
  const outage = async (emits: number) => {
    const base = heapAfterGc()
    const tracker = HttpBatchTracker.make({
      ...config,
      endpoint,
      maxBufferSize,
      timeoutMs: 1_000,
      flushTimeoutMs: 2_000,
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 }
    })
    let atBuffer = 0
    for (let emitted = 0; emitted < emits; emitted += maxBufferSize) {
      emitFreshEvents(tracker, emitted, maxBufferSize)
      await Effect.runPromise(tracker.flush())
      if (emitted === 0) atBuffer = heapAfterGc()
    }
    const atTotal = heapAfterGc()
    const stats = Effect.runSync(tracker.stats())
    if (stats.pending !== maxBufferSize || stats.sent !== 0 || stats.requests === 0) {
      throw new Error(
        `outage-memory: expected ${maxBufferSize} events held, none sent, failed requests; got ${JSON.stringify(stats)}`
      )
    }
    return { base, atBuffer, atTotal, dropped: stats.dropped.overflow, requests: stats.requests }
  }
  if (scale === "full") await outage(total / 10)
  const runs: Array<Awaited<ReturnType<typeof outage>>> = []
  for (let rep = 0; rep < repetitions; rep++) runs.push(await outage(total))
  const mb = (bytes: number) => round(bytes / 2 ** 20, 2)
  const ratio = median(runs.map((r) => r.atTotal / r.atBuffer))
  return {
    name: "outage-memory",
    ratio: round(ratio),
    unit: `× heap used after ${maxBufferSize} emits`,
    target: "<= 2",
    met: ratio <= 2,
    detail: {
      emits: total,
      maxBufferSize,
      repetitions,
      heapUsedMiB: {
        before: mb(median(runs.map((r) => r.base))),
        [`after ${maxBufferSize}`]: mb(median(runs.map((r) => r.atBuffer))),
        [`after ${total}`]: mb(median(runs.map((r) => r.atTotal)))
      },
      // What the other 990k emits added on top of a full buffer: about nothing when bounded.
      extraAfterFullBufferMiB: mb(median(runs.map((r) => r.atTotal - r.atBuffer))),
      droppedOverflow: median(runs.map((r) => r.dropped)),
      failedRequests: median(runs.map((r) => r.requests))
    }
  }
}
