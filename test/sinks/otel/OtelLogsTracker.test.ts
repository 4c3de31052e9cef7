import { SeverityNumber } from "@opentelemetry/api-logs"
import {
  BatchLogRecordProcessor,
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor
} from "@opentelemetry/sdk-logs"
import { resourceFromAttributes } from "@opentelemetry/resources"
import { Effect, Fiber, TestClock, TestContext } from "effect"
import { InvalidTrackerConfigError, emitEvent, flushEvents, makeJobEvent } from "durable-effect-tracking"
import { OtelLogsTracker } from "durable-effect-tracking/otel"
import { describe, expect, it } from "vitest"
import { packageVersion } from "../../../src/sinks/otel/version.js"

const deployment = { env: "staging", serviceKey: "billing-jobs" }

const inMemoryProvider = () => {
  const exporter = new InMemoryLogRecordExporter()
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "billing" }),
    processors: [new SimpleLogRecordProcessor({ exporter })]
  })
  return { exporter, provider }
}

const failed = makeJobEvent(
  {
    type: "execution.failed",
    instanceId: "do-7",
    jobType: "task",
    jobName: "invoice",
    runCount: 2,
    attempt: 1,
    durationMs: 12.5,
    willRetry: true,
    error: { message: "card declined", tag: "PaymentError", stack: "PaymentError: card declined\n    at charge" },
    failure: "failure"
  },
  Date.parse("2026-01-02T03:04:05.678Z")
)

describe("OtelLogsTracker with the SDK's LoggerProvider", () => {
  it("emits each event as a log record: event name, time, severity, a one-line body, conventional and job.* attributes", async () => {
    const { exporter, provider } = inMemoryProvider()
    const layer = OtelLogsTracker.layer({ ...deployment, loggerProvider: provider })
    const created = makeJobEvent({ type: "job.created", instanceId: "do-7", jobType: "task", jobName: "invoice" })
    await Effect.runPromise(
      Effect.all([emitEvent(created), emitEvent(failed), flushEvents]).pipe(Effect.provide(layer))
    )

    const records = exporter.getFinishedLogRecords()
    expect(records.map((r) => r.eventName)).toEqual(["job.created", "execution.failed"])
    const record = records[1]!
    expect(records[0]!.body).toBe("job.created invoice (task)")
    expect(record.body).toBe("execution.failed invoice (task) attempt 1 in 12.5 ms: card declined")
    expect(record.severityNumber).toBe(SeverityNumber.WARN)
    expect(records[0]!.severityNumber).toBe(SeverityNumber.INFO)
    // hrTime is [seconds, nanoseconds].
    expect(record.hrTime[0] * 1000 + Math.round(record.hrTime[1] / 1e6)).toBe(Date.parse(failed.timestamp))
    expect(record.instrumentationScope).toEqual({ name: "durable-effect-tracking", version: packageVersion })
    // The service is the provider's resource; the tracker adds no service.name of its own.
    expect(record.resource.attributes["service.name"]).toBe("billing")
    expect(record.attributes).toEqual({
      "deployment.environment.name": "staging",
      "job.service_key": "billing-jobs",
      "log.record.uid": failed.eventId,
      "job.instance_id": "do-7",
      "job.type": "task",
      "job.name": "invoice",
      "job.run_count": 2,
      "job.attempt": 1,
      "job.duration_ms": 12.5,
      "job.will_retry": true,
      "job.failure": "failure",
      "exception.type": "PaymentError",
      "exception.message": "card declined",
      "exception.stacktrace": "PaymentError: card declined\n    at charge",
      "error.type": "PaymentError"
    })
    expect(record.spanContext).toBeUndefined()
  })

  it("spans: true carries the current Effect span's trace and span ids; without it records carry none", async () => {
    const { exporter, provider } = inMemoryProvider()
    const withSpans = OtelLogsTracker.make({ ...deployment, loggerProvider: provider, spans: true })
    const without = OtelLogsTracker.make({ ...deployment, loggerProvider: provider })
    const span = await Effect.runPromise(
      Effect.gen(function* () {
        yield* withSpans.emit(failed)
        yield* without.emit(failed)
        return yield* Effect.currentSpan
      }).pipe(Effect.withSpan("job call"))
    )
    // Outside any span: no ids either way.
    await Effect.runPromise(withSpans.emit(failed))

    const [inSpan, notAsked, outside] = exporter.getFinishedLogRecords()
    expect(inSpan!.spanContext).toMatchObject({ traceId: span.traceId, spanId: span.spanId, traceFlags: 1 })
    expect(notAsked!.spanContext).toBeUndefined()
    expect(outside!.spanContext).toBeUndefined()
  })

  it("flush calls the provider's forceFlush: a batch processor's records are exported then, not before", async () => {
    const exporter = new InMemoryLogRecordExporter()
    const provider = new LoggerProvider({
      processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 3_600_000, maxExportBatchSize: 512 })]
    })
    const tracker = OtelLogsTracker.make({ ...deployment, loggerProvider: provider })
    await Effect.runPromise(tracker.emit(failed))
    expect(exporter.getFinishedLogRecords()).toHaveLength(0)
    await Effect.runPromise(tracker.flush())
    expect(exporter.getFinishedLogRecords().map((r) => r.attributes["log.record.uid"])).toEqual([failed.eventId])
    expect(await Effect.runPromise(tracker.stats())).toEqual({ emitted: 1, dropped: 0, flushes: 1 })
    await provider.shutdown()
  })

  it("never fails the job: a throwing logger, an event that is no object, a forceFlush that hangs", async () => {
    const hanging = {
      getLogger: () => ({
        emit: () => {
          throw new Error("logger down")
        },
        enabled: () => true
      }),
      forceFlush: () => new Promise<void>(() => undefined)
    }
    const tracker = OtelLogsTracker.make<unknown>({ ...deployment, loggerProvider: hanging, flushTimeoutMs: 1_000 })
    const outcome = await Effect.runPromise(
      Effect.gen(function* () {
        yield* tracker.emit(failed)
        yield* tracker.emit("not an object")
        const flushing = yield* Effect.fork(tracker.flush())
        yield* TestClock.adjust(1_000)
        yield* Fiber.join(flushing)
        return yield* tracker.stats()
      }).pipe(Effect.provide(TestContext.TestContext))
    )
    expect(outcome).toEqual({ emitted: 0, dropped: 2, flushes: 1 })
  })

  it("refuses options that cannot work, naming the fields", () => {
    expect(() => OtelLogsTracker.make({ env: "", serviceKey: " ", flushTimeoutMs: 0 })).toThrow(
      InvalidTrackerConfigError
    )
    try {
      OtelLogsTracker.make({ env: "", serviceKey: " ", flushTimeoutMs: 0 })
    } catch (error) {
      expect((error as InvalidTrackerConfigError).issues).toEqual([
        "env must be a non-empty string",
        "serviceKey, when given, must be a non-empty string",
        "flushTimeoutMs must be a positive integer"
      ])
    }
  })
})

describe("OtelLogsTracker records without a service key", () => {
  it("sends no job.service_key, and a record without an error has no exception attributes", async () => {
    const { exporter, provider } = inMemoryProvider()
    const tracker = OtelLogsTracker.make({ env: "staging", loggerProvider: provider })
    const terminated = makeJobEvent({
      type: "job.terminated",
      instanceId: "do-7",
      jobType: "continuous",
      jobName: "heartbeat",
      reason: "maintenance"
    })
    await Effect.runPromise(tracker.emit(terminated))
    const [record] = exporter.getFinishedLogRecords()
    expect(record!.body).toBe("job.terminated heartbeat (continuous) reason maintenance")
    expect(Object.keys(record!.attributes).sort()).toEqual([
      "deployment.environment.name",
      "job.instance_id",
      "job.name",
      "job.reason",
      "job.type",
      "log.record.uid"
    ])
  })
})

describe("the scope version", () => {
  it("is package.json's version (a constant, as a Worker cannot read package.json)", async () => {
    const { readFile } = await import("node:fs/promises")
    const manifest = JSON.parse(await readFile(new URL("../../../package.json", import.meta.url), "utf8")) as {
      version: string
    }
    expect(packageVersion).toBe(manifest.version)
  })
})
