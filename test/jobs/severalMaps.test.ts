import { describe, expect, it } from "vitest"
import {
  defaultJobsEventMap,
  defineVocabulary,
  serviceEventsByKey,
  type EventMap,
  type EventMaps
} from "durable-effect-tracking"
import { jobsTagKey, type JobExecutionServiceShape } from "../../src/jobs/shapes.js"
import { trackedJobs } from "../support/jobsHarness.js"
import { heartbeat, requests } from "../support/jobScenarios.js"

// A jobs runtime sending two formats side by side (as during a dashboard's move): the 20 job
// event types, and a small format of a dashboard's own, one event per run.

type RunEvent = {
  readonly eventId: string
  readonly timestamp: string
  readonly type: "run.ended"
  readonly instanceId: string
  readonly jobName: string
  readonly outcome: "succeeded" | "failed"
}
const runEvents = defineVocabulary<RunEvent, "instanceId" | "jobName">({
  name: "runs",
  types: ["run.ended"],
  context: ["instanceId", "jobName"]
})
const runsMap: EventMap<typeof runEvents> = {
  ...serviceEventsByKey<JobExecutionServiceShape>()(
    runEvents,
    jobsTagKey("JobExecutionService"),
    "JobExecutionService",
    {
      execute: {
        context: ([options]) => ({ jobName: options.jobName }),
        success: { "run.ended": () => ({ outcome: "succeeded" }) },
        failure: { "run.ended": () => ({ outcome: "failed" }) }
      }
    }
  ),
  // The instance id and the times as the jobs map reads them.
  ambient: defaultJobsEventMap.ambient!,
  clock: defaultJobsEventMap.clock!
}

const scenario = async (options: { readonly eventMap: EventMap | EventMaps }) => {
  const t = trackedJobs({ heartbeat }, options)
  await t.runtime.handle(requests.start("heartbeat"))
  await t.fireAlarm()
  await t.runtime.handle(requests.terminate("heartbeat", "maintenance"))
  const events = (await t.events()) as ReadonlyArray<{ readonly eventId: string; readonly type: string }>
  return events.map(({ eventId: _id, ...event }) => event)
}

describe("a jobs runtime wrapped with two maps", () => {
  it("sends the 20-type events and the other format's, each exactly as its map alone", async () => {
    const both = await scenario({ eventMap: [defaultJobsEventMap, runsMap] })
    const full = await scenario({ eventMap: defaultJobsEventMap })
    const runs = await scenario({ eventMap: runsMap })
    expect(runs.map((event) => event.type)).toEqual(["run.ended", "run.ended"])
    expect(runs).toMatchObject([
      { instanceId: "instance-1", jobName: "heartbeat", outcome: "succeeded" },
      { instanceId: "instance-1", jobName: "heartbeat", outcome: "succeeded" }
    ])
    expect(both.filter((event) => event.type === "run.ended")).toEqual(runs)
    expect(both.filter((event) => event.type !== "run.ended")).toEqual(full)
  })
})
