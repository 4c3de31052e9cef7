import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { upstreamJobsEventMap } from "durable-effect-tracking"
import { Task } from "../../fixtures/jobs/src/definitions/index.js"
import { trackedJobs } from "../../support/jobsHarness.js"

// The `trigger` of upstream's `task.scheduled`: the release reports "idle" for the schedule its
// `onIdle` sets (it runs when the run leaves nothing scheduled), and the run's own trigger for the
// run's schedule. The fixture's task handler takes `onIdle` from the definition in the registry,
// as the release's does: the map's `reached` entry sees it run.

const Order = Schema.Struct({ kind: Schema.String })

// An event may schedule ("later"), cancel ("cancel") or leave the schedule alone; the alarm's run
// leaves it alone; `onIdle` schedules an hour out.
const orders = Task.make<number, typeof Order.Type, never>({
  stateSchema: Schema.Number,
  eventSchema: Order,
  onEvent: (event, ctx) =>
    event.kind === "later" ? ctx.schedule("1 minute") : event.kind === "cancel" ? ctx.cancelSchedule() : Effect.void,
  execute: () => Effect.void,
  onIdle: (ctx) => ctx.schedule("1 hour")
})

const send = (kind: string) => ({ type: "task", action: "send", name: "orders", id: "o-1", event: { kind } }) as const

const scheduled = async (jobs: ReturnType<typeof trackedJobs>) => {
  const events = (await jobs.events()) as ReadonlyArray<Record<string, unknown>>
  await jobs.clear()
  return events.filter((event) => event["type"] === "task.scheduled").map((event) => event["trigger"])
}

describe("upstreamJobsEventMap: task.scheduled's trigger", () => {
  it("a run that leaves its schedule alone: onIdle's schedule is idle's, by a send and by the alarm", async () => {
    const jobs = trackedJobs({ orders }, { eventMap: upstreamJobsEventMap })
    await jobs.runtime.handle(send("now"))
    expect(await scheduled(jobs)).toEqual(["idle"])
    await jobs.fireAlarm()
    expect(await scheduled(jobs)).toEqual(["idle"])
  })

  it("a run that schedules: the run's trigger, and onIdle does not run", async () => {
    const jobs = trackedJobs({ orders }, { eventMap: upstreamJobsEventMap })
    await jobs.runtime.handle(send("later"))
    expect(await scheduled(jobs)).toEqual(["event"])
  })

  it("a run that cancels its schedule: onIdle's schedule is idle's", async () => {
    const jobs = trackedJobs({ orders }, { eventMap: upstreamJobsEventMap })
    await jobs.runtime.handle(send("later"))
    expect(await scheduled(jobs)).toEqual(["event"])
    await jobs.runtime.handle(send("cancel"))
    expect(await scheduled(jobs)).toEqual(["idle"])
  })
})
