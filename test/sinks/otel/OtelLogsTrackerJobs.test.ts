import { createTestRuntime } from "@durable-effect/core"
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs"
import { addTracker, defaultJobsEventMap, withTracking, vocabularyGate } from "durable-effect-tracking"
import { OtelLogsTracker } from "durable-effect-tracking/otel"
import { describe, expect, it } from "vitest"
import { composeJobs, runtimeOver } from "../../support/jobsHarness.js"
import { heartbeat, requests } from "../../support/jobScenarios.js"
import { testJobEvents } from "../../support/vocabularies.js"

describe("OtelLogsTracker under a tracked jobs runtime", () => {
  it("gets every event of a job's life as a record; with withTracking spans, records carry the trace of the call they were emitted in", async () => {
    const exporter = new InMemoryLogRecordExporter()
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] })
    const tracker = OtelLogsTracker.make<unknown>({
      env: "test",
      loggerProvider: provider,
      spans: true,
      vocabularies: vocabularyGate(testJobEvents)
    })
    const { layer, handles } = createTestRuntime({ instanceId: "instance-1" })
    // Tracked as the codemod writes it, with the proxies' spans on.
    const runtime = runtimeOver(
      composeJobs(addTracker(layer, tracker), { heartbeat }, (l) =>
        withTracking(l, { eventMap: defaultJobsEventMap, spans: true })
      )
    )
    await runtime.handle(requests.start("heartbeat"))
    handles.scheduler.fire()
    await runtime.handleAlarm()
    await runtime.handle(requests.terminate("heartbeat", "maintenance"))

    const records = exporter.getFinishedLogRecords()
    expect(records.map((r) => r.eventName)).toEqual([
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
    expect(records.slice(0, 2).map((r) => r.body)).toEqual([
      "job.created instanceId=instance-1 jobType=continuous jobName=heartbeat",
      "job.started instanceId=instance-1 jobType=continuous jobName=heartbeat"
    ])
    expect(
      records.every((r) => r.attributes["job.instance_id"] === "instance-1" && r.attributes["job.name"] === "heartbeat")
    ).toBe(true)
    // Each runtime call is one trace: the start (5 events), the alarm (4), the terminate (2).
    const traces = records.map((r) => r.spanContext?.traceId)
    expect(traces.every((id) => id !== undefined && /^[0-9a-f]{32}$/.test(id))).toBe(true)
    expect(new Set(traces.slice(0, 5)).size).toBe(1)
    expect(new Set(traces.slice(5, 9)).size).toBe(1)
    expect(new Set(traces.slice(9)).size).toBe(1)
    expect(new Set(traces).size).toBe(3)
  })
})
