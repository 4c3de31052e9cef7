import { fileURLToPath } from "node:url"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { reportPackageCoverage } from "durable-effect-tracking/codemod"
import type { PackageCoverage } from "durable-effect-tracking/codemod"
import { defaultJobsEventMap, inlineJobsEventMap, JobEvent, JobEventTypes } from "durable-effect-tracking"
import { trackedJobs } from "../support/jobsHarness.js"
import { everyInlinePath, trackedInlineJobs } from "./inlineHarness.js"
import { clicks, flaky, heartbeat, mailer, orders, requests } from "../support/jobScenarios.js"
import { inbox, inline, withRetry } from "./inlineScenarios.js"

// The key test of coverage: on each fixture, a scenario that takes every path emits exactly the
// event types `coverage <dir>` calls covered: nothing emitted that coverage denies, nothing
// claimed that the scenario does not emit.

const fixtureDir = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))
const coveredTypes = (coverage: PackageCoverage) => JobEventTypes.filter((type) => coverage.types[type].covered)

const collector = () => {
  const seen = new Set<string>()
  const all: Array<JobEvent> = []
  return {
    seen,
    all,
    collect: async (t: { readonly events: () => Promise<ReadonlyArray<JobEvent>> }) => {
      for (const event of await t.events()) {
        seen.add(event.type)
        all.push(event)
      }
    }
  }
}

describe("coverage tells the truth: the current layout (jobs fixture, default map)", () => {
  it("every path emits exactly the 20 types coverage calls covered", async () => {
    const coverage = await reportPackageCoverage({ packageDir: fixtureDir("jobs"), map: defaultJobsEventMap })
    expect(coverage.covered).toBe(20)

    const { seen, all, collect } = collector()
    const continuous = trackedJobs({ flaky: flaky(), heartbeat })
    await continuous.runtime.handle(requests.start("heartbeat"))
    await continuous.fireAlarm()
    await continuous.runtime.handle(requests.terminate("heartbeat", "done"))
    await collect(continuous)
    const retrying = trackedJobs({ flaky: flaky() })
    await retrying.runtime.handle(requests.start("flaky"))
    await retrying.fireAlarm()
    await retrying.fireAlarm()
    await collect(retrying)
    const debounce = trackedJobs({ clicks: clicks(2) })
    for (const page of ["/a", "/b", "/c"]) await debounce.runtime.handle(requests.add(page))
    await debounce.runtime.handle(requests.clear())
    await collect(debounce)
    const task = trackedJobs({ orders })
    await task.runtime.handle(requests.send("now"))
    await task.runtime.handle(requests.send("later"))
    await task.fireAlarm()
    await collect(task)
    const pool = trackedJobs({ mailer })
    await pool.runtime.handle(requests.enqueue("e1"))
    await pool.fireAlarm()
    await collect(pool)

    Schema.decodeUnknownSync(Schema.Array(JobEvent))(all)
    expect([...seen].sort()).toEqual(coveredTypes(coverage).sort())
  })
})

describe("coverage tells the truth: the older layout (jobs-inline fixture, inline map)", () => {
  it("every path emits exactly the types coverage calls covered; task.idle is neither claimed nor emitted", async () => {
    const coverage = await reportPackageCoverage({ packageDir: fixtureDir("jobs-inline"), map: inlineJobsEventMap })
    expect(coverage.types["task.idle"]).toMatchObject({ covered: false, by: [] })
    expect(coverage.covered).toBe(19)

    const { seen, all } = collector()
    for (const event of await everyInlinePath()) {
      seen.add(event.type)
      all.push(event)
    }
    Schema.decodeUnknownSync(Schema.Array(JobEvent))(all)
    expect([...seen].sort()).toEqual(coveredTypes(coverage).sort())
    // A task that clears itself is not an idle one.
    expect(seen.has("task.idle")).toBe(false)
  })

  it("the older layout's exhausted retries read from RetryExhaustedError: retry.exhausted, execution.failed, job.failed, then the purge ends the instance", async () => {
    const t = trackedInlineJobs({ failing: withRetry(true) })
    await t.runtime.handle(inline.start("failing"))
    await t.fireAlarm()
    const events = await t.events()
    expect(events.map((event) => event.type)).toEqual([
      "job.created",
      "job.started",
      "execution.started",
      "alarm.scheduled",
      "retry.scheduled",
      "execution.failed",
      "alarm.fired",
      "execution.started",
      "retry.attempted",
      "retry.exhausted",
      "execution.failed",
      "job.failed",
      "alarm.cancelled",
      "job.terminated"
    ])
    expect(events.at(-1)).toMatchObject({
      type: "job.terminated",
      source: "retryExhausted",
      reason: "retries exhausted after 2 attempts"
    })
    expect(events.find((event) => event.type === "retry.exhausted")).toMatchObject({
      attempts: 2,
      reason: "max_attempts_exceeded",
      error: { message: "upstream down" }
    })
    for (const event of events)
      expect(event).toMatchObject({ instanceId: "instance-1", jobType: "continuous", jobName: "failing" })
  })

  it("the default map on the older layout: coverage names what it misses, and the run emits only what it claims", async () => {
    const coverage = await reportPackageCoverage({ packageDir: fixtureDir("jobs-inline"), map: defaultJobsEventMap })
    expect(coverage.types["execution.started"].covered).toBe(false)
    expect(coverage.types["execution.started"].reason).toMatch(
      /no service with tag key @durable-effect\/jobs\/JobExecutionService in this package; def\.execute\(\.\.\.\) runs inline at src\/handlers\/continuous\/handler\.ts:\d+/
    )
    expect(coverage.types["task.idle"].covered).toBe(false)
    const { seen, collect } = collector()
    const task = trackedInlineJobs({ inbox }, { eventMap: defaultJobsEventMap })
    await task.runtime.handle(inline.send("now"))
    await task.runtime.handle(inline.send("done"))
    await collect(task)
    const failing = trackedInlineJobs({ failing: withRetry(true) }, { eventMap: defaultJobsEventMap })
    await failing.runtime.handle(inline.start("failing"))
    await failing.fireAlarm()
    await collect(failing)
    for (const type of seen) expect(coverage.types[type as JobEvent["type"]].covered, type).toBe(true)
  })
})
