import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { checkEventSequence, JobEvent } from "durable-effect-tracking"
import { trackedJobs } from "../support/jobsHarness.js"
import {
  broken,
  clicks,
  flaky,
  heartbeat,
  mailer,
  orders,
  requests,
  selfTerminating,
  sweeper
} from "../support/jobScenarios.js"

// Golden event sequences of the default map on the fixture. Every event is checked against the
// schema and for its context: the instance, and the job it belongs to.
const expectContext = async (
  t: ReturnType<typeof trackedJobs>,
  jobType: JobEvent["jobType"],
  jobName: string
): Promise<ReadonlyArray<JobEvent>> => {
  const events = await t.events()
  Schema.decodeUnknownSync(Schema.Array(JobEvent))(events)
  for (const event of events) expect(event).toMatchObject({ instanceId: "instance-1", jobType, jobName })
  expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length)
  return events
}

// A whole life, from job.created on, keeps the documented order.
const expectOrdered = async (t: ReturnType<typeof trackedJobs>) => {
  expect(checkEventSequence(await t.events())).toEqual([])
}

const byType = <T extends JobEvent["type"]>(events: ReadonlyArray<JobEvent>, type: T) =>
  events.filter((e): e is Extract<JobEvent, { type: T }> => e.type === type)

describe("default event map: continuous", () => {
  it("start, run, alarm, run, client terminate", async () => {
    const t = trackedJobs({ heartbeat })
    await t.runtime.handle(requests.start("heartbeat"))
    await t.fireAlarm()
    await t.runtime.handle(requests.terminate("heartbeat", "maintenance"))

    expect(await t.types()).toEqual([
      "job.created",
      "job.started",
      "execution.started",
      "execution.succeeded",
      "alarm.scheduled",
      "alarm.fired",
      "execution.started",
      "execution.succeeded",
      "alarm.scheduled",
      "alarm.cancelled",
      "job.terminated"
    ])
    const events = await expectContext(t, "continuous", "heartbeat")
    expect(byType(events, "alarm.scheduled").map((e) => e.scheduledAt)).toEqual([
      "2025-01-01T00:01:00.000Z",
      "2025-01-01T00:02:00.000Z"
    ])
    expect(byType(events, "execution.started").map((e) => e.runCount)).toEqual([1, 2])
    expect(byType(events, "job.terminated")).toMatchObject([{ reason: "maintenance", source: "client" }])
    // Event times are the job's own clock: the alarm fired at the minute it was set for.
    expect(byType(events, "alarm.fired")[0]?.timestamp).toBe("2025-01-01T00:01:00.000Z")
    // The alarm that fired says when it was set for.
    expect(byType(events, "alarm.fired").map((e) => e.scheduledAt)).toEqual(["2025-01-01T00:01:00.000Z"])
    await expectOrdered(t)
  })

  it("retry scheduled, attempted, exhausted: the default ends the instance", async () => {
    const t = trackedJobs({ flaky: flaky() })
    await t.runtime.handle(requests.start("flaky"))
    await t.fireAlarm()
    await t.fireAlarm()

    expect(await t.types()).toEqual([
      "job.created",
      "job.started",
      "execution.started",
      "alarm.scheduled",
      "retry.scheduled",
      "execution.failed",
      "alarm.fired",
      "execution.started",
      "retry.attempted",
      "alarm.scheduled",
      "retry.scheduled",
      "execution.failed",
      "alarm.fired",
      "execution.started",
      "retry.attempted",
      "retry.exhausted",
      "alarm.cancelled",
      "execution.failed",
      "job.failed",
      "job.terminated"
    ])
    const events = await expectContext(t, "continuous", "flaky")
    expect(byType(events, "retry.scheduled").map((e) => [e.attempt, e.resumeAt])).toEqual([
      [2, "2025-01-01T00:00:01.000Z"],
      [3, "2025-01-01T00:00:02.000Z"]
    ])
    expect(byType(events, "retry.attempted").map((e) => e.attempt)).toEqual([2, 3])
    expect(byType(events, "retry.exhausted")).toMatchObject([
      { attempts: 3, totalDurationMs: 2000, reason: "max_attempts_exceeded", error: { message: "upstream down" } }
    ])
    expect(byType(events, "execution.failed").map((e) => [e.attempt, e.willRetry])).toEqual([
      [1, true],
      [2, true],
      [3, false]
    ])
    // The runtime's own reason for ending the instance.
    expect(byType(events, "job.terminated")).toMatchObject([
      { source: "retryExhausted", reason: "Retry exhausted after 3 attempts" }
    ])
    // One failure, one error: every event of it carries the job's own, retried ones too.
    const upstream = { message: "upstream down", tag: "Error" }
    expect(byType(events, "retry.scheduled").map((e) => e.error)).toEqual([upstream, upstream])
    expect(byType(events, "execution.failed").map((e) => e.error)).toEqual([upstream, upstream, upstream])
    expect(byType(events, "retry.exhausted").map((e) => e.error)).toEqual([upstream])
    expect(byType(events, "job.failed").map((e) => e.error)).toEqual([upstream])
    expect(byType(events, "alarm.fired").map((e) => e.scheduledAt)).toEqual([
      "2025-01-01T00:00:01.000Z",
      "2025-01-01T00:00:02.000Z"
    ])
    expect(byType(events, "execution.started").map((e) => e.attempt)).toEqual([1, 2, 3])
    await expectOrdered(t)
  })

  it("retry exhausted with onRetryExhausted rescheduling: no termination, no job failure", async () => {
    const t = trackedJobs({ flaky: flaky("reschedule") })
    await t.runtime.handle(requests.start("flaky"))
    await t.fireAlarm()
    await t.clear()
    await t.fireAlarm()

    expect(await t.types()).toEqual([
      "alarm.fired",
      "execution.started",
      "retry.attempted",
      "retry.exhausted",
      "alarm.scheduled",
      "execution.failed"
    ])
    const events = await expectContext(t, "continuous", "flaky")
    expect(byType(events, "alarm.scheduled")[0]?.scheduledAt).toBe("2025-01-01T00:10:02.000Z")
  })

  it("ctx.terminate() ends the instance through CleanupService: the run ends first, with its reason", async () => {
    const t = trackedJobs({ once: selfTerminating })
    await t.runtime.handle(requests.start("once"))
    expect(await t.types()).toEqual([
      "job.created",
      "job.started",
      "execution.started",
      "alarm.cancelled",
      "execution.succeeded",
      "job.terminated"
    ])
    const events = await expectContext(t, "continuous", "once")
    // No retry config: the reason travels only in the run's result.
    expect(byType(events, "job.terminated")).toEqual([expect.objectContaining({ source: "job", reason: "finished" })])
    await expectOrdered(t)
  })

  it("a failure without a retry config carries the job's own error, not the runtime's wrapper", async () => {
    const t = trackedJobs({ broken: broken() })
    await expect(t.runtime.handle(requests.start("broken"))).rejects.toThrow()
    expect(await t.types()).toEqual([
      "job.created",
      "job.started",
      "execution.started",
      "execution.failed",
      "job.failed"
    ])
    const events = await expectContext(t, "continuous", "broken")
    const own = { message: "upstream down", tag: "UpstreamError", cause: { message: "fetch failed", tag: "TypeError" } }
    expect(byType(events, "execution.failed")).toEqual([
      expect.objectContaining({ error: own, failure: "failure", willRetry: false })
    ])
    expect(byType(events, "job.failed")).toEqual([expect.objectContaining({ error: own, failure: "failure" })])
    await expectOrdered(t)
  })

  it("an error's message is cut at 1024 characters; no stack unless asked for", async () => {
    const long = "x".repeat(5000)
    const t = trackedJobs({ broken: broken(long) })
    await expect(t.runtime.handle(requests.start("broken"))).rejects.toThrow()
    const [failed] = byType(await t.events(), "execution.failed")
    expect(failed?.error.message).toHaveLength(1024)
    expect(failed?.error.message.endsWith("…")).toBe(true)
    expect(failed?.error.stack).toBeUndefined()

    const withStacks = trackedJobs({ broken: broken() }, { errorStack: true })
    await expect(withStacks.runtime.handle(requests.start("broken"))).rejects.toThrow()
    const [withStack] = byType(await withStacks.events(), "execution.failed")
    expect(withStack?.error.stack).toContain("UpstreamError")
    expect(withStack?.error.stack!.length).toBeLessThanOrEqual(4096)
  })
})

describe("default event map: debounce", () => {
  it("add × 2, then the flushAfter alarm", async () => {
    const t = trackedJobs({ clicks: clicks() })
    await t.runtime.handle(requests.add("/a"))
    await t.runtime.handle(requests.add("/b"))
    await t.fireAlarm()
    expect(await t.types()).toEqual([
      "job.created",
      "job.started",
      "alarm.scheduled",
      "debounce.event.added",
      "debounce.event.added",
      "alarm.fired",
      "debounce.flush.triggered",
      "execution.started",
      "execution.succeeded",
      "job.completed",
      "alarm.cancelled"
    ])
    const events = await expectContext(t, "debounce", "clicks")
    expect(byType(events, "debounce.event.added").map((e) => e.eventCount)).toEqual([1, 2])
    expect(byType(events, "debounce.flush.triggered")).toEqual([
      expect.objectContaining({ reason: "flushAfter", eventCount: 2 })
    ])
    expect(byType(events, "alarm.fired").map((e) => e.scheduledAt)).toEqual(["2025-01-01T00:00:30.000Z"])
    await expectOrdered(t)
  })

  it("a manual flush reports the batch it flushed", async () => {
    const t = trackedJobs({ clicks: clicks() })
    await t.runtime.handle(requests.add("/a"))
    await t.runtime.handle(requests.add("/b"))
    await t.runtime.handle({ type: "debounce", action: "flush", name: "clicks", id: "clicks" })
    const events = await expectContext(t, "debounce", "clicks")
    expect(byType(events, "debounce.flush.triggered")).toEqual([
      expect.objectContaining({ reason: "manual", eventCount: 2 })
    ])
    await expectOrdered(t)
  })

  it("maxEvents flushes inside add: the path hand-placed emits missed", async () => {
    const t = trackedJobs({ clicks: clicks(2) })
    await t.runtime.handle(requests.add("/a"))
    await t.clear()
    await t.runtime.handle(requests.add("/b"))
    // The add that filled the batch comes first, then the flush it caused.
    expect(await t.types()).toEqual([
      "debounce.event.added",
      "debounce.flush.triggered",
      "execution.started",
      "execution.succeeded",
      "job.completed",
      "alarm.cancelled"
    ])
    const events = await expectContext(t, "debounce", "clicks")
    expect(byType(events, "debounce.flush.triggered")).toEqual([
      expect.objectContaining({ reason: "maxEvents", eventCount: 2 })
    ])
    expect(byType(events, "debounce.event.added")).toEqual([expect.objectContaining({ eventCount: 2 })])
  })

  it("clear discards the batch", async () => {
    const t = trackedJobs({ clicks: clicks() })
    await t.runtime.handle(requests.add("/a"))
    await t.clear()
    await t.runtime.handle(requests.clear())
    expect(await t.types()).toEqual(["alarm.cancelled", "debounce.cleared"])
    const events = await expectContext(t, "debounce", "clicks")
    expect(byType(events, "debounce.cleared")).toMatchObject([{ discardedEvents: 1 }])
  })
})

describe("default event map: task", () => {
  it("send, processed, idle; send that schedules; an alarm run", async () => {
    const t = trackedJobs({ orders })
    await t.runtime.handle(requests.send("now"))
    expect(await t.types()).toEqual([
      "job.created",
      "job.started",
      "task.event.received",
      "execution.started",
      "execution.succeeded",
      "task.event.processed",
      "task.idle"
    ])
    await t.clear()
    await t.runtime.handle(requests.send("later"))
    expect(await t.types()).toEqual([
      "task.event.received",
      "execution.started",
      "alarm.scheduled",
      "execution.succeeded",
      "task.event.processed"
    ])
    await t.clear()
    await t.fireAlarm()
    // Whether the package counts a task idle after an alarm run hangs on its stored schedule,
    // which no service boundary shows: without a cancel in the run, no task.idle.
    expect(await t.types()).toEqual(["alarm.fired", "execution.started", "execution.succeeded"])
    await expectContext(t, "task", "orders")
  })

  it("an alarm run that cancels its schedule goes idle", async () => {
    const t = trackedJobs({ orders: sweeper })
    await t.runtime.handle(requests.send("later"))
    await t.clear()
    await t.fireAlarm()
    expect(await t.types()).toEqual([
      "alarm.fired",
      "execution.started",
      "alarm.cancelled",
      "execution.succeeded",
      "task.idle"
    ])
    await expectContext(t, "task", "orders")
  })

  it("a whole task life keeps the documented order", async () => {
    const t = trackedJobs({ orders })
    await t.runtime.handle(requests.send("now"))
    await t.runtime.handle(requests.send("later"))
    await t.fireAlarm()
    await t.runtime.handle({ type: "task", action: "terminate", name: "orders", id: "orders" })
    await expectOrdered(t)
  })
})

describe("default event map: workerPool", () => {
  it("enqueue, then the alarm processes the event", async () => {
    const t = trackedJobs({ mailer })
    await t.runtime.handle(requests.enqueue("e1"))
    await t.fireAlarm()
    expect(await t.types()).toEqual([
      "job.created",
      "job.started",
      "alarm.scheduled",
      "alarm.fired",
      "execution.started",
      "execution.succeeded"
    ])
    await expectContext(t, "workerPool", "mailer")
  })
})

describe("default event map: an alarm on an empty instance", () => {
  it("emits nothing: there is no job to describe", async () => {
    const t = trackedJobs({ heartbeat })
    await t.runtime.handleAlarm()
    expect(await t.events()).toEqual([])
  })
})

// That every one of the 20 types is produced, with every documented field, is eventFields.test.ts.
