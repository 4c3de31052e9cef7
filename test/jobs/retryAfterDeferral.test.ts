import { Effect, TestClock } from "effect"
import { createTestRuntime } from "@durable-effect/core"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import type { JobRequest } from "../fixtures/jobs/src/runtime/types.js"
import { HttpBatchTracker } from "durable-effect-tracking"
import { type Collector, startCollector } from "../support/collector.js"
import { deliveredIds, runTest, withoutWaiting } from "../support/tracking.js"
import { callsOver, plainJobs, trackedDispatcherLayer } from "../support/jobsHarness.js"
import { orders, requests } from "../support/jobScenarios.js"

// A tracked jobs runtime whose collector answered `Retry-After: 60`: every call until then
// flushes without a request and without waiting, and answers as the untracked runtime does.
// The collector is a real server; the tracker's time is the TestClock's, never moved during
// the deferral, so a call that waited on the tracker would never return.

let collector: Collector
beforeEach(async () => {
  collector = await startCollector()
})
afterEach(async () => {
  await collector.close()
})

type Step = JobRequest | "alarm"
const steps: ReadonlyArray<Step> = [requests.send("now"), requests.send("later"), "alarm", requests.send("now")]

describe("a tracked jobs runtime during a collector's Retry-After", () => {
  it("job calls return without waiting and without a request, with the responses and storage of an untracked run", async () => {
    collector.enqueue({ status: 429, headers: { "retry-after": "60" } })
    const tracker = HttpBatchTracker.make({
      endpoint: collector.url,
      env: "test",
      serviceKey: "jobs",
      retry: { maxDelayMs: 500 }
    })
    const tracked = createTestRuntime({ instanceId: "instance-1" })
    const calls = callsOver(trackedDispatcherLayer(tracked.layer, tracker, { orders }))
    const plain = plainJobs({ orders })

    const observed = await runTest(
      Effect.gen(function* () {
        const trace: Array<unknown> = []
        for (const step of steps) {
          let response: unknown
          if (step === "alarm") {
            tracked.handles.scheduler.fire()
            response = yield* withoutWaiting(calls.handleAlarm())
          } else response = yield* withoutWaiting(calls.handle(step))
          trace.push({ response, storage: tracked.handles.storage.snapshot() })
        }
        const during = yield* tracker.stats()
        yield* TestClock.setTime(60_000)
        yield* withoutWaiting(calls.handle(requests.send("now")))
        return { trace, during, after: yield* tracker.stats() }
      })
    )

    const expected: Array<unknown> = []
    for (const step of steps) {
      let response: unknown
      if (step === "alarm") {
        await plain.fireAlarm()
        response = undefined
      } else response = await plain.runtime.handle(step)
      expected.push({ response, storage: plain.handles.storage.snapshot() })
    }
    expect(observed.trace).toEqual(expected)

    // The first call's flush was answered 429; the three calls after it sent nothing.
    expect(observed.during).toMatchObject({ requests: 1, flushes: 1, deferred: 3, deferredUntil: 60_000 })
    expect(observed.during.pending).toBeGreaterThan(0)
    // At 60 s the next call's flush sends everything held, in one request.
    expect(collector.requests.map((request) => request.status)).toEqual([429, 200])
    expect(observed.after).toMatchObject({ requests: 2, deferredUntil: undefined, pending: 0 })
    expect(deliveredIds(collector)).toHaveLength(observed.after.emitted)
  })
})
