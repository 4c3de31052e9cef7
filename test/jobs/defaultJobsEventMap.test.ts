import { Context, Effect, Layer } from "effect"
import { createTestRuntime } from "@durable-effect/core"
import { describe, expect, it } from "vitest"
import {
  describeCoverage,
  defaultJobsEventMap,
  eventMapProblems,
  InMemoryTracker,
  NoopTracker
} from "durable-effect-tracking"
import { isTrackedService } from "../../src/instrument/trackService.js"
import type { TrackerOption } from "durable-effect-tracking"
import { trackedDispatcherLayer } from "../support/jobsHarness.js"
import { heartbeat } from "../support/jobScenarios.js"

describe("defaultJobsEventMap", () => {
  it("is a sound map that produces all 20 event types", () => {
    expect(eventMapProblems(defaultJobsEventMap)).toEqual([])
    const coverage = describeCoverage(defaultJobsEventMap)
    expect([coverage.produced, coverage.total, coverage.missing]).toEqual([20, 20, []])
    const sources = Object.fromEntries(coverage.events.map((event) => [event.type, event.sources]))
    // The integration points of the seed design.
    expect(sources["job.created"]).toEqual(["MetadataService.initialize"])
    // Inside a run, job.terminated waits for the run's end (JobExecutionService.execute).
    expect(sources["job.terminated"]).toEqual([
      "CleanupService.terminate",
      "JobExecutionService.execute",
      "ContinuousHandler.handle",
      "TaskHandler.handle"
    ])
    expect(sources["alarm.fired"]).toEqual(["Dispatcher.handleAlarm"])
    expect(sources["alarm.scheduled"]).toEqual(["AlarmService.schedule"])
    expect(sources["retry.exhausted"]).toEqual(["RetryExecutor.executeWithRetry"])
    expect(sources["debounce.flush.triggered"]).toEqual(["JobExecutionService.execute"])
  })

  // Every service the fixture's composition provides, as one build sees it.
  const servicesOf = (tracker: TrackerOption | undefined) => {
    const { layer } = createTestRuntime()
    const dispatcher = trackedDispatcherLayer(layer, tracker, { heartbeat })
    return Effect.runPromise(
      Effect.scoped(
        Effect.map(Layer.build(dispatcher), (context) => [...(context as Context.Context<unknown>).unsafeMap.entries()])
      )
    )
  }

  it("hands out the very same services with no tracker and with the no-op tracker", async () => {
    for (const tracker of [undefined, NoopTracker.layer]) {
      const services = await servicesOf(tracker)
      expect(services.length).toBeGreaterThan(10)
      expect(services.filter(([, service]) => isTrackedService(service))).toEqual([])
    }
  })

  it("wraps exactly the services the map names when a tracker is on", async () => {
    const services = await servicesOf(InMemoryTracker.make().tracker)
    const tracked = services
      .filter(([, service]) => isTrackedService(service))
      .map(([key]) => key)
      .sort()
    expect(tracked).toEqual(Object.keys(defaultJobsEventMap.services).sort())
  })
})
