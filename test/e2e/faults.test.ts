import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { type CollectorMode, type EventCollector, startEventCollector } from "../support/collector.js"
import {
  type RunningWorker,
  startWorker,
  type TimedCall,
  waitForStories,
  type Bundles,
  expectStories,
  sharedBundles,
  withoutTimes
} from "../support/runtime.js"
import { waitUntil } from "../support/wait.js"
import { outagePart, settlePart, statusOfEach, steadyExpected } from "../support/steady.js"

// A collector that fails for a while must not change what the jobs do: same responses, same
// stored state as without tracking; and once the collector is back, every event emitted during
// the outage arrives. Each call's added latency is measured and printed; the bound on it
// (flushTimeoutMs) is asserted on virtual time in test/tracker/flushBound.test.ts, since a
// wall-clock limit here would fail whenever the machine is busy, whatever the tracker does.

const deployment = { env: "e2e", serviceKey: "jobs-faults" }
const flushTimeoutMs = 600
const trackerConfig = (endpoint: string) => ({
  endpoint,
  ...deployment,
  timeoutMs: 250,
  flushTimeoutMs,
  retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 200 }
})

interface Run {
  readonly outage: ReadonlyArray<TimedCall>
  readonly settled: ReadonlyArray<TimedCall>
}

const comparable = (calls: ReadonlyArray<TimedCall>) =>
  calls.map((call) => ({ call: `${call.call.job}.${call.call.action}`, result: withoutTimes(call.result) }))

let bundles: Bundles
let baseline: Run
let collector: EventCollector | undefined
let worker: RunningWorker | undefined
beforeAll(async () => {
  bundles = await sharedBundles()
  // The same scenario on the fixture as it was before the codemod: no tracking at all.
  const untracked = await startWorker({ script: bundles.untracked })
  try {
    baseline = { outage: await outagePart(untracked), settled: await settlePart(untracked) }
  } finally {
    await untracked.dispose()
  }
})
afterEach(async () => {
  await worker?.dispose()
  await collector?.close()
  worker = collector = undefined
})

const faults: ReadonlyArray<{ readonly name: string; readonly mode: CollectorMode; readonly retryAfterMs?: number }> = [
  { name: "answering 503", mode: { kind: "status", status: 503 } },
  {
    name: "answering 429 with Retry-After",
    mode: { kind: "status", status: 429, headers: { "retry-after": "1" } },
    retryAfterMs: 1_000
  },
  { name: "hanging past the timeout", mode: { kind: "hang" } },
  { name: "refusing connections", mode: { kind: "refuse" } }
]

describe("a failing collector, end to end in workerd", () => {
  it("the baseline run (no tracking) answered every call", () => {
    expect([...baseline.outage, ...baseline.settled].filter((call) => !call.result.ok)).toEqual([])
  })

  for (const fault of faults) {
    it(`${fault.name}: same responses and state as without tracking, bounded latency, every event delivered after`, async () => {
      collector = await startEventCollector(fault.mode)
      worker = await startWorker({ script: bundles.tracked, tracker: trackerConfig(collector.url) })

      const outage = await outagePart(worker)
      const failedDuringOutage = collector.requests.filter((request) => request.status !== 200)
      const attemptedIds = failedDuringOutage.flatMap((request) => request.eventIds)
      await collector.setMode({ kind: "ok" })
      const backAt = Date.now()
      const settled = await settlePart(worker)
      // A Retry-After longer than a flush may wait defers each object's flushes until it has run
      // out: the first call after that delivers what the object holds.
      const { retryAfterMs } = fault
      if (retryAfterMs !== undefined) {
        await waitUntil("the collector's Retry-After to run out", () =>
          Date.now() > backAt + retryAfterMs ? true : undefined
        )
        await statusOfEach(worker)
      }

      // The jobs did exactly what they do untracked.
      expect(comparable(outage)).toEqual(comparable(baseline.outage))
      expect(comparable(settled)).toEqual(comparable(baseline.settled))

      // Latency: measured per call and printed (see the note at the top).
      const rows = outage.map((call, i) => ({
        call: `${call.call.job}.${call.call.action}`,
        untrackedMs: Math.round(baseline.outage[i]!.ms),
        outageMs: Math.round(call.ms),
        addedMs: Math.round(call.ms - baseline.outage[i]!.ms)
      }))
      console.log(`collector ${fault.name}: per-call latency (flush bound ${flushTimeoutMs} ms)`)
      console.table(rows)

      // The collector really was failing: nothing was accepted during the outage.
      expect(collector.requests.slice(0, failedDuringOutage.length).every((request) => request.status !== 200)).toBe(
        true
      )
      if (fault.mode.kind !== "refuse") expect(failedDuringOutage.length).toBeGreaterThan(0)

      // Back up: every instance's whole story arrives, the outage's events with their eventIds.
      const running = worker
      await waitForStories(collector, running, steadyExpected, () => statusOfEach(running))
      await expectStories(collector, worker, steadyExpected, deployment)
      const accepted = new Set(collector.events().map((received) => received.event.eventId))
      expect(attemptedIds.filter((id) => !accepted.has(id))).toEqual([])
    })
  }
})
