import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { JobEvent } from "../../src/tracker/JobEvent.js"
import { trackedJobs } from "./harness.js"
import { clicks, flaky, heartbeat, mailer, orders, requests, selfTerminating } from "./scenarios.js"

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
    expect(byType(events, "alarm.scheduled").map((e) => e.scheduledAt)).toEqual(["2025-01-01T00:01:00.000Z", "2025-01-01T00:02:00.000Z"])
    expect(byType(events, "execution.started").map((e) => e.runCount)).toEqual([1, 2])
    expect(byType(events, "job.terminated")).toMatchObject([{ reason: "maintenance", source: "client" }])
    // Event times are the job's own clock: the alarm fired at the minute it was set for.
    expect(byType(events, "alarm.fired")[0]?.timestamp).toBe("2025-01-01T00:01:00.000Z")
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
      "job.terminated",
      "execution.failed",
      "job.failed"
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
    expect(byType(events, "job.terminated")).toMatchObject([{ source: "retryExhausted", reason: "retries exhausted after 3 attempts" }])
    expect(byType(events, "job.failed")).toMatchObject([{ error: { message: "upstream down" } }])
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

  it("ctx.terminate() ends the instance through CleanupService", async () => {
    const t = trackedJobs({ once: selfTerminating })
    await t.runtime.handle(requests.start("once"))
    expect(await t.types()).toEqual([
      "job.created",
      "job.started",
      "execution.started",
      "alarm.cancelled",
      "job.terminated",
      "execution.succeeded"
    ])
    const events = await expectContext(t, "continuous", "once")
    expect(byType(events, "job.terminated")).toMatchObject([{ source: "job" }])
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
    expect(byType(events, "debounce.flush.triggered")).toMatchObject([{ reason: "flushAfter" }])
  })

  it("maxEvents flushes inside add: the path hand-placed emits missed", async () => {
    const t = trackedJobs({ clicks: clicks(2) })
    await t.runtime.handle(requests.add("/a"))
    await t.clear()
    await t.runtime.handle(requests.add("/b"))
    expect(await t.types()).toEqual([
      "debounce.flush.triggered",
      "execution.started",
      "execution.succeeded",
      "job.completed",
      "alarm.cancelled",
      "debounce.event.added"
    ])
    const events = await expectContext(t, "debounce", "clicks")
    expect(byType(events, "debounce.flush.triggered")).toMatchObject([{ reason: "maxEvents" }])
    expect(byType(events, "debounce.event.added")).toMatchObject([{ eventCount: 2 }])
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
  it("send, processed, idle; send that schedules; the alarm's run ends idle", async () => {
    const t = trackedJobs({ orders })
    await t.runtime.handle(requests.send("now"))
    expect(await t.types()).toEqual([
      "task.event.received",
      "job.created",
      "job.started",
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
    expect(await t.types()).toEqual(["alarm.fired", "execution.started", "execution.succeeded", "task.idle"])
    await expectContext(t, "task", "orders")
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

describe("default event map: coverage", () => {
  it("produces all 20 event types across these scenarios", async () => {
    const seen = new Set<string>()
    const collect = async (t: ReturnType<typeof trackedJobs>) => (await t.types()).forEach((type) => seen.add(type))
    const c = trackedJobs({ flaky: flaky(), heartbeat })
    await c.runtime.handle(requests.start("flaky"))
    await c.fireAlarm()
    await c.fireAlarm()
    await collect(c)
    const d = trackedJobs({ clicks: clicks(2) })
    await d.runtime.handle(requests.add("/a"))
    await d.runtime.handle(requests.add("/b"))
    await d.runtime.handle(requests.add("/c"))
    await d.runtime.handle(requests.clear())
    await collect(d)
    const k = trackedJobs({ orders })
    await k.runtime.handle(requests.send("now"))
    await collect(k)
    expect([...seen].sort()).toEqual(
      [
        "job.created", "job.started", "job.completed", "job.failed", "job.terminated",
        "execution.started", "execution.succeeded", "execution.failed",
        "retry.scheduled", "retry.attempted", "retry.exhausted",
        "alarm.scheduled", "alarm.fired", "alarm.cancelled",
        "task.event.received", "task.event.processed", "task.idle",
        "debounce.event.added", "debounce.flush.triggered", "debounce.cleared"
      ].sort()
    )
  })
})

