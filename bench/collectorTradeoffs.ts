/**
 * Measures the trade-offs docs/collector.md states: the HTTP tracker's requests and flush time
 * by batchSize and maxBatchBytes, the bytes of an event on the wire, the memory a buffered
 * event holds, and what flushTimeoutMs bounds when the collector hangs. Real tracker, real
 * local collector (bench/collector.ts), interleaved rounds, medians.
 *
 *   node --expose-gc --import tsx bench/collectorTradeoffs.ts
 */
import { Effect } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { cpus, loadavg } from "node:os"
import { encodeEvent } from "../src/delivery/BatchBody.js"
import { HttpBatchTracker } from "../src/sinks/http/HttpBatchTracker.js"
import type { JobEvent } from "../src/jobs/events/JobEvent.js"
import { makeJobEvent } from "../src/jobs/events/makeJobEvent.js"
import { startCollector } from "./collector.js"

const EVENTS = 2_000
const ROUNDS = 5
const deployment = { env: "production", serviceKey: "billing-jobs" }

// A job's life as the default map reports it: lifecycle, executions, a failure with its summary.
const sampleEvents = (n: number): Array<JobEvent> =>
  Array.from({ length: n }, (_, i): JobEvent => {
    const base = {
      instanceId: `0f1e2d3c4b5a69788796a5b4c3d2e1f0${(i % 1000).toString(16).padStart(4, "0")}`,
      jobType: "task",
      jobName: "invoice"
    } as const
    switch (i % 4) {
      case 0:
        return makeJobEvent({ ...base, type: "execution.started", runCount: i, attempt: 1 })
      case 1:
        return makeJobEvent({ ...base, type: "execution.succeeded", runCount: i, attempt: 1, durationMs: 12.5 })
      case 2:
        return makeJobEvent({
          ...base,
          type: "alarm.scheduled",
          scheduledAt: new Date(Date.UTC(2026, 0, 1)).toISOString()
        })
      default:
        return makeJobEvent({
          ...base,
          type: "execution.failed",
          runCount: i,
          durationMs: 40,
          willRetry: true,
          error: { message: "upstream answered 503 Service Unavailable", tag: "UpstreamError" },
          failure: "failure"
        })
    }
  })

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const flushRun = async (
  endpoint: string,
  events: ReadonlyArray<JobEvent>,
  config: { batchSize: number; maxBatchBytes: number }
) => {
  const tracker = HttpBatchTracker.make({
    endpoint,
    ...deployment,
    ...config,
    maxBufferSize: events.length,
    flushTimeoutMs: 60_000
  })
  await Effect.runPromise(Effect.forEach(events, (e) => tracker.emit(e), { discard: true }))
  const t0 = performance.now()
  await Effect.runPromise(tracker.flush())
  const ms = performance.now() - t0
  const stats = await Effect.runPromise(tracker.stats())
  if (stats.sent !== events.length) throw new Error(`only ${stats.sent} of ${events.length} delivered`)
  return { ms, requests: stats.requests }
}

const main = async () => {
  const events = sampleEvents(EVENTS)
  const sizes = events.map((e) => encodeEvent(e, deployment)!.bytes)
  console.log(`machine: ${cpus().length} cpus, load ${loadavg()[0]!.toFixed(2)}, node ${process.version}`)
  console.log(
    `event bytes on the wire (JSON, with env and serviceKey): min ${Math.min(...sizes)}, median ${median(sizes)}, max ${Math.max(...sizes)}`
  )

  const collector = await startCollector()
  const configs = [
    { batchSize: 10, maxBatchBytes: 1_048_576 },
    { batchSize: 50, maxBatchBytes: 1_048_576 },
    { batchSize: 100, maxBatchBytes: 1_048_576 },
    { batchSize: 500, maxBatchBytes: 1_048_576 },
    { batchSize: 1_000, maxBatchBytes: 16_384 },
    { batchSize: 1_000, maxBatchBytes: 65_536 }
  ]
  const times = configs.map(() => [] as Array<number>)
  const requests = configs.map(() => 0)
  await flushRun(collector.endpoint, events, configs[2]!) // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, config] of configs.entries()) {
      const run = await flushRun(collector.endpoint, events, config)
      times[i]!.push(run.ms)
      requests[i] = run.requests
    }
  }
  await collector.close()
  console.log(`\nflush of ${EVENTS} buffered events to a local collector (median of ${ROUNDS} interleaved rounds):`)
  console.log("batchSize  maxBatchBytes  requests  flush ms  ms per 100 events")
  for (const [i, config] of configs.entries()) {
    const ms = median(times[i]!)
    console.log(
      `${String(config.batchSize).padStart(9)}  ${String(config.maxBatchBytes).padStart(13)}  ${String(requests[i]).padStart(8)}  ${ms.toFixed(1).padStart(8)}  ${((ms / EVENTS) * 100).toFixed(2).padStart(17)}`
    )
  }

  // Memory held per buffered event (the buffer keeps the event objects themselves).
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) {
    const held = 10_000
    gc()
    const before = process.memoryUsage().heapUsed
    const tracker = HttpBatchTracker.make({ endpoint: "http://127.0.0.1:9/", ...deployment, maxBufferSize: held })
    await Effect.runPromise(Effect.forEach(sampleEvents(held), (e) => tracker.emit(e), { discard: true }))
    gc()
    const perEvent = (process.memoryUsage().heapUsed - before) / held
    console.log(`\nheap per buffered event (${held} held, events made for the run): ${perEvent.toFixed(0)} bytes`)
    if ((await Effect.runPromise(tracker.pending())) !== held) throw new Error("events were not held")
  } else console.log("\n(run with --expose-gc for the memory per buffered event)")

  // A collector that accepts the connection and never answers: each flush costs flushTimeoutMs.
  const hanging = createServer(() => undefined)
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve))
  const endpoint = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/events`
  console.log("\nflush against a collector that never answers (timeoutMs 3000, 3 attempts):")
  for (const flushTimeoutMs of [250, 1_000, 2_000]) {
    const tracker = HttpBatchTracker.make({ endpoint, ...deployment, flushTimeoutMs })
    await Effect.runPromise(Effect.forEach(events.slice(0, 10), (e) => tracker.emit(e), { discard: true }))
    const t0 = performance.now()
    await Effect.runPromise(tracker.flush())
    const ms = performance.now() - t0
    console.log(
      `flushTimeoutMs ${flushTimeoutMs}: flush took ${ms.toFixed(0)} ms, ${await Effect.runPromise(tracker.pending())} events kept`
    )
  }
  hanging.closeAllConnections()
  await new Promise<void>((resolve) => hanging.close(() => resolve()))
}

await main()
