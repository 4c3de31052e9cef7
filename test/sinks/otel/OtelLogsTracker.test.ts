import { SeverityNumber } from "@opentelemetry/api-logs"
import {
  BatchLogRecordProcessor,
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor
} from "@opentelemetry/sdk-logs"
import { resourceFromAttributes } from "@opentelemetry/resources"
import { Effect, Fiber, TestClock, TestContext } from "effect"
import {
  defineVocabulary,
  InvalidTrackerConfigError,
  emitEvent,
  flushEvents,
  makeJobEvent,
  vocabularyGate
} from "durable-effect-tracking"
import { OtelLogsTracker } from "durable-effect-tracking/otel"
import { describe, expect, it } from "vitest"
import { packageVersion } from "../../../src/sinks/otel/version.js"
import { captureLogs } from "../../support/logCapture.js"
import { payment, paymentEvents, testJobEvents, type PaymentEvent } from "../../support/vocabularies.js"

const deployment = { env: "staging", serviceKey: "billing-jobs" }
// Told the jobs vocabulary, records keep the `job.*` names they had before vocabularies.
const jobs = { ...deployment, vocabularies: vocabularyGate(testJobEvents) }

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
  it("grades each record by its vocabulary's severities, and records of no vocabulary told as INFO", async () => {
    const graded = defineVocabulary<PaymentEvent, "accountId">({
      name: "payments",
      types: ["payment.charged", "payment.refunded"],
      context: ["accountId"],
      severities: { "payment.refunded": "error" }
    })
    const told = inMemoryProvider()
    const untold = inMemoryProvider()
    const refunded = payment("payment.refunded", "acct-1", 500)
    const jobFailed = makeJobEvent({
      type: "job.failed",
      instanceId: "do-7",
      jobType: "task",
      jobName: "invoice",
      error: { message: "gave up" }
    })
    await Effect.runPromise(
      Effect.all([emitEvent(payment("payment.charged", "acct-1", 500)), emitEvent(refunded), flushEvents]).pipe(
        Effect.provide(
          OtelLogsTracker.layer({ ...deployment, vocabularies: vocabularyGate(graded), loggerProvider: told.provider })
        )
      )
    )
    await Effect.runPromise(
      Effect.all([emitEvent(jobFailed), flushEvents]).pipe(
        Effect.provide(OtelLogsTracker.layer({ ...deployment, loggerProvider: untold.provider }))
      )
    )
    expect(told.exporter.getFinishedLogRecords().map((r) => [r.eventName, r.severityText])).toEqual([
      ["payment.charged", "INFO"],
      ["payment.refunded", "ERROR"]
    ])
    expect(untold.exporter.getFinishedLogRecords().map((r) => r.severityNumber)).toEqual([SeverityNumber.INFO])
  })

  it("emits each event as a log record: event name, time, severity, a one-line body, conventional and job.* attributes (told the jobs vocabulary)", async () => {
    const { exporter, provider } = inMemoryProvider()
    const layer = OtelLogsTracker.layer({ ...jobs, loggerProvider: provider })
    const created = makeJobEvent({ type: "job.created", instanceId: "do-7", jobType: "task", jobName: "invoice" })
    await Effect.runPromise(
      Effect.all([emitEvent(created), emitEvent(failed), flushEvents]).pipe(Effect.provide(layer))
    )

    const records = exporter.getFinishedLogRecords()
    expect(records.map((r) => r.eventName)).toEqual(["job.created", "execution.failed"])
    const record = records[1]!
    expect(records[0]!.body).toBe("job.created instanceId=do-7 jobType=task jobName=invoice")
    expect(record.body).toBe("execution.failed instanceId=do-7 jobType=task jobName=invoice: card declined")
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
    expect(await Effect.runPromise(tracker.stats())).toEqual({
      emitted: 1,
      dropped: 0,
      flushes: 1,
      unknownVocabulary: 0
    })
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
    // The logger threw on one; the other, no event at all, was refused before any record.
    expect(outcome).toEqual({ emitted: 0, dropped: 2, flushes: 1, unknownVocabulary: 1 })
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
    // A list of vocabularies, the option's form before vocabularyGate, is refused.
    expect(() => OtelLogsTracker.make({ env: "production", vocabularies: [testJobEvents] as never })).toThrow(
      "vocabularies must be made by vocabularyGate(...)"
    )
  })
})

describe("OtelLogsTracker records without a service key", () => {
  it("sends no job.service_key, and a record without an error has no exception attributes", async () => {
    const { exporter, provider } = inMemoryProvider()
    const tracker = OtelLogsTracker.make({
      env: "staging",
      loggerProvider: provider,
      vocabularies: vocabularyGate(testJobEvents)
    })
    const terminated = makeJobEvent({
      type: "job.terminated",
      instanceId: "do-7",
      jobType: "continuous",
      jobName: "heartbeat",
      reason: "maintenance"
    })
    await Effect.runPromise(tracker.emit(terminated))
    const [record] = exporter.getFinishedLogRecords()
    expect(record!.body).toBe("job.terminated instanceId=do-7 jobType=continuous jobName=heartbeat")
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

describe("OtelLogsTracker attribute names per vocabulary", () => {
  it("told no vocabularies, names every field event.<snake_case>: it knows no vocabulary's fields", async () => {
    const { exporter, provider } = inMemoryProvider()
    const tracker = OtelLogsTracker.make({ ...deployment, loggerProvider: provider })
    await Effect.runPromise(
      Effect.zipRight(tracker.emit(failed), tracker.emit(payment("payment.charged", "acct-1", 500)))
    )
    const [job, charged] = exporter.getFinishedLogRecords()
    expect(job!.attributes).toMatchObject({
      "event.service_key": "billing-jobs",
      "log.record.uid": failed.eventId,
      "event.instance_id": "do-7",
      "event.job_type": "task",
      "event.job_name": "invoice",
      "event.run_count": 2,
      "exception.message": "card declined"
    })
    expect(Object.keys(job!.attributes).filter((name) => name.startsWith("job."))).toEqual([])
    // The body: the type and the error's message, no context it does not know.
    expect(job!.body).toBe("execution.failed: card declined")
    expect(charged!.attributes).toMatchObject({ "event.account_id": "acct-1", "event.amount_cents": 500 })
  })

  it("names an event's fields by its own vocabulary, among several told", async () => {
    const { exporter, provider } = inMemoryProvider()
    const tracker = OtelLogsTracker.make({
      ...deployment,
      loggerProvider: provider,
      vocabularies: vocabularyGate(paymentEvents, testJobEvents)
    })
    const charged = payment("payment.charged", "acct-1", 500)
    await Effect.runPromise(Effect.zipRight(tracker.emit(charged), tracker.emit(failed)))
    const [record, job] = exporter.getFinishedLogRecords()
    expect(record!.eventName).toBe("payment.charged")
    expect(record!.body).toBe("payment.charged accountId=acct-1")
    expect(record!.attributes).toEqual({
      "deployment.environment.name": "staging",
      "payment.service_key": "billing-jobs",
      "log.record.uid": charged.eventId,
      "payment.account_id": "acct-1",
      "payment.amount_cents": 500
    })
    expect(job!.attributes).toMatchObject({
      "job.service_key": "billing-jobs",
      "job.instance_id": "do-7",
      "job.type": "task"
    })
  })

  it("refuses events of a vocabulary it was not told about: counted, said once with their type, never recorded", async () => {
    const { exporter, provider } = inMemoryProvider()
    const tracker = OtelLogsTracker.make({
      ...deployment,
      loggerProvider: provider,
      vocabularies: vocabularyGate(paymentEvents)
    })
    const { lines, provide } = captureLogs()
    const stats = await Effect.runPromise(
      provide(
        Effect.gen(function* () {
          yield* tracker.emit(failed as never)
          yield* tracker.emit(failed as never)
          yield* tracker.emit(payment("payment.refunded", "acct-2", 100))
          return yield* tracker.stats()
        })
      )
    )
    expect(stats).toEqual({ emitted: 1, dropped: 2, flushes: 0, unknownVocabulary: 2 })
    expect(exporter.getFinishedLogRecords().map((r) => r.eventName)).toEqual(["payment.refunded"])
    expect(lines.map((line) => [line.level, line.annotations.dropped, line.annotations.detail])).toEqual([
      ["WARN", "unknownVocabulary", 'type "execution.failed" is of none of the vocabularies payments']
    ])
    expect(lines[0]!.message).toContain("stats().unknownVocabulary")
    expect(JSON.stringify(lines)).not.toContain("card declined")
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
