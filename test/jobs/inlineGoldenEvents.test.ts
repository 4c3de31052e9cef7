import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { checkEventSequence, JobEvent } from "durable-effect-tracking"
import { Continuous, Task } from "../fixtures/jobs-inline/src/definitions/index.js"
import { trackedInlineJobs } from "./inlineHarness.js"
import { batch, inbox, inline, noRetry, selfTerminating } from "./inlineScenarios.js"

// Golden event sequences of inlineJobsEventMap on the older layout (the jobs-inline fixture):
// each keeps the documented order (checkEventSequence), decodes, and belongs to its job.
const checked = async (t: ReturnType<typeof trackedInlineJobs>, jobType: JobEvent["jobType"], jobName: string) => {
  const events = await t.events()
  Schema.decodeUnknownSync(Schema.Array(JobEvent))(events)
  for (const event of events) expect(event).toMatchObject({ instanceId: "instance-1", jobType, jobName })
  expect(checkEventSequence(events)).toEqual([])
  return events
}

const Counter = Schema.Struct({ n: Schema.Number })
const Order = Schema.Struct({ kind: Schema.String })

describe("inline event map: a task's onEvent run", () => {
  it("the first send: job.created first, then the event, inside a run bracket", async () => {
    const t = trackedInlineJobs({ inbox })
    await t.runtime.handle(inline.send("now"))
    await t.runtime.handle(inline.send("later"))
    const events = await checked(t, "task", "inbox")
    expect(events.map((event) => event.type)).toEqual([
      "job.created",
      "job.started",
      "task.event.received",
      "execution.started",
      "execution.succeeded",
      "task.event.processed",
      // A later send: the metadata read that finds the instance opens the run.
      "task.event.received",
      "execution.started",
      "alarm.scheduled",
      "execution.succeeded",
      "task.event.processed"
    ])
    expect(events.filter((event) => event.type === "execution.started")).toMatchObject([{ attempt: 1 }, { attempt: 1 }])
  })

  it("execute runs (the alarm, a trigger) are bracketed too: they open at the handler's metadata read", async () => {
    const t = trackedInlineJobs({ inbox })
    await t.runtime.handle(inline.send("later"))
    await t.fireAlarm()
    await t.runtime.handle({ type: "task", action: "trigger", name: "inbox", id: "inbox" })
    const events = await checked(t, "task", "inbox")
    expect(events.map((event) => event.type).slice(7)).toEqual([
      "alarm.fired",
      "execution.started",
      "execution.succeeded",
      "execution.started",
      "execution.succeeded"
    ])
  })

  it("onEvent fails (no onError): the run fails with the job's own error, not the handler's wrapper", async () => {
    const failing = Task.make<typeof Counter.Type, typeof Order.Type, Error>({
      stateSchema: Counter,
      eventSchema: Order,
      onEvent: () => Effect.fail(new Error("bad order")),
      execute: () => Effect.void
    })
    const t = trackedInlineJobs({ inbox: failing })
    await expect(t.runtime.handle(inline.send("x"))).rejects.toBeDefined()
    const events = await checked(t, "task", "inbox")
    expect(events.map((event) => event.type)).toEqual([
      "job.created",
      "job.started",
      "task.event.received",
      "execution.started",
      "execution.failed",
      "task.event.processed",
      "job.failed"
    ])
    const error = { message: "bad order", tag: "Error" }
    expect(events[4]).toMatchObject({ willRetry: false, error, failure: "failure" })
    expect(events[5]).toMatchObject({ outcome: "failure" })
    expect(events[6]).toMatchObject({ error })
  })

  it("a task that cleared itself (unseen in its handler) is told ended when it is next found gone, before its new life", async () => {
    const t = trackedInlineJobs({ inbox })
    await t.runtime.handle(inline.send("done"))
    await t.runtime.handle(inline.send("again"))
    const events = await checked(t, "task", "inbox")
    expect(events.map((event) => event.type)).toEqual([
      "job.created",
      "job.started",
      "task.event.received",
      "execution.started",
      "alarm.cancelled",
      "execution.succeeded",
      "task.event.processed",
      "job.terminated",
      "job.created",
      "job.started",
      "task.event.received",
      "execution.started",
      "execution.succeeded",
      "task.event.processed"
    ])
    expect(events[7]).toMatchObject({ source: "job" })
    expect(events[7]).not.toHaveProperty("reason")
  })
})

describe("inline event map: runs without a retry config", () => {
  it("continuous: every run is bracketed, from the attempt read to the handler's end", async () => {
    const t = trackedInlineJobs({ noRetry })
    await t.runtime.handle(inline.start("noRetry"))
    await t.fireAlarm()
    const events = await checked(t, "continuous", "noRetry")
    expect(events.map((event) => event.type)).toEqual([
      "job.created",
      "job.started",
      "execution.started",
      "alarm.scheduled",
      "execution.succeeded",
      "alarm.fired",
      "execution.started",
      "alarm.scheduled",
      "execution.succeeded"
    ])
    expect(events.find((event) => event.type === "alarm.fired")).toMatchObject({
      scheduledAt: "2025-01-01T00:01:00.000Z"
    })
  })

  it("continuous: a run that terminates itself from an alarm is told ended at the next start", async () => {
    const once = Continuous.make({
      stateSchema: Counter,
      schedule: Continuous.every("1 minute"),
      execute: (ctx) => (ctx.runCount >= 2 ? ctx.terminate({ reason: "two runs" }) : Effect.void)
    })
    const t = trackedInlineJobs({ once })
    await t.runtime.handle(inline.start("once"))
    await t.fireAlarm()
    await t.runtime.handle(inline.start("once"))
    const types = (await checked(t, "continuous", "once")).map((event) => event.type)
    expect(types.slice(5)).toEqual([
      "alarm.fired",
      "execution.started",
      "alarm.cancelled",
      "execution.succeeded",
      "job.terminated",
      "job.created",
      "job.started",
      "execution.started",
      "alarm.scheduled",
      "execution.succeeded"
    ])
  })

  it("debounce: maxEvents, flushAfter and manual flushes each follow their cause and open a run", async () => {
    const t = trackedInlineJobs({ plain: batch(false) })
    for (const page of ["/a", "/b", "/c"]) await t.runtime.handle(inline.add("plain", page))
    await t.runtime.handle(inline.add("plain", "/d"))
    await t.fireAlarm()
    await t.runtime.handle(inline.add("plain", "/e"))
    await t.runtime.handle(inline.debounce("plain", "flush"))
    const events = await checked(t, "debounce", "plain")
    const flushes = events.flatMap((event, index) =>
      event.type === "debounce.flush.triggered"
        ? [{ event, before: events[index - 1]?.type, after: events[index + 1]?.type }]
        : []
    )
    expect(flushes).toMatchObject([
      { event: { reason: "maxEvents", eventCount: 3 }, before: "debounce.event.added", after: "execution.started" },
      { event: { reason: "flushAfter", eventCount: 1 }, before: "alarm.fired", after: "execution.started" },
      { event: { reason: "manual", eventCount: 1 }, after: "execution.started" }
    ])
    expect(events.filter((event) => event.type === "job.completed")).toHaveLength(3)
  })
})

describe("inline event map: runs through the retry executor", () => {
  it("ctx.terminate(): the run ends as meant, the handler purges, then job.terminated with the reason", async () => {
    const t = trackedInlineJobs({ ending: selfTerminating })
    await t.runtime.handle(inline.start("ending"))
    const events = await checked(t, "continuous", "ending")
    expect(events.map((event) => event.type)).toEqual([
      "job.created",
      "job.started",
      "execution.started",
      "execution.succeeded",
      "alarm.cancelled",
      "job.terminated"
    ])
    expect(events.at(-1)).toMatchObject({ reason: "finished", source: "job" })
  })
})
