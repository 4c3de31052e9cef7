import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http"
import { resourceFromAttributes } from "@opentelemetry/resources"
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs"
import { Effect } from "effect"
import { makeJobEvent, vocabularyGate } from "durable-effect-tracking"
import { OtelLogsTracker } from "durable-effect-tracking/otel"
import { afterEach, describe, expect, it } from "vitest"
import { packageVersion } from "../../../src/sinks/otel/version.js"
import { startOtlpReceiver } from "../../support/collector.js"
import { testJobEvents } from "../../support/vocabularies.js"

// An OTLP/HTTP receiver in the JSON encoding: what a collector's otlphttp receiver gets.
interface OtlpValue {
  readonly stringValue?: string
  readonly intValue?: string | number
  readonly doubleValue?: number
  readonly boolValue?: boolean
}
interface OtlpLogRecord {
  readonly eventName?: string
  readonly timeUnixNano: string
  readonly severityNumber: number
  readonly traceId?: string
  readonly spanId?: string
  readonly body?: OtlpValue
  readonly attributes: ReadonlyArray<OtlpAttribute>
}
interface OtlpAttribute {
  readonly key: string
  readonly value: OtlpValue
}
interface OtlpLogsRequest {
  readonly resourceLogs: ReadonlyArray<{
    readonly resource: { readonly attributes: ReadonlyArray<OtlpAttribute> }
    readonly scopeLogs: ReadonlyArray<{
      readonly scope: { readonly name: string; readonly version?: string }
      readonly logRecords: ReadonlyArray<OtlpLogRecord>
    }>
  }>
}

const startReceiver = () => startOtlpReceiver<OtlpLogsRequest>()

const valueOf = (value: OtlpValue): unknown =>
  value.stringValue ??
  (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
  value.doubleValue ??
  value.boolValue

const attributesOf = (attributes: ReadonlyArray<OtlpAttribute>) =>
  Object.fromEntries(attributes.map((a) => [a.key, valueOf(a.value)]))

let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const step of cleanup.reverse()) await step()
  cleanup = []
})

describe("OtelLogsTracker through the OTLP/HTTP JSON exporter", () => {
  it("delivers every event on flush, decoded by a node:http receiver: body, resource, scope, attributes and span ids", async () => {
    const receiver = await startReceiver()
    cleanup.push(receiver.close)
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ "service.name": "jobs-worker" }),
      processors: [
        new BatchLogRecordProcessor({
          exporter: new OTLPLogExporter({ url: receiver.url }),
          scheduledDelayMillis: 3_600_000
        })
      ]
    })
    cleanup.push(() => provider.shutdown())
    const tracker = OtelLogsTracker.make({
      env: "production",
      serviceKey: "jobs",
      loggerProvider: provider,
      spans: true,
      vocabularies: vocabularyGate(testJobEvents)
    })

    const events = [
      makeJobEvent({ type: "job.created", instanceId: "do-1", jobType: "debounce", jobName: "clicks" }),
      makeJobEvent({
        type: "debounce.flush.triggered",
        instanceId: "do-1",
        jobType: "debounce",
        jobName: "clicks",
        reason: "maxEvents",
        eventCount: 3
      })
    ]
    const span = await Effect.runPromise(
      Effect.gen(function* () {
        for (const event of events) yield* tracker.emit(event)
        return yield* Effect.currentSpan
      }).pipe(Effect.withSpan("debounce add"))
    )
    expect(receiver.requests).toHaveLength(0)
    // forceFlush resolves once the export is answered: the receiver has the request by then.
    await Effect.runPromise(tracker.flush())

    expect(receiver.requests).toHaveLength(1)
    const request = receiver.requests[0]!
    expect(request.path).toBe("/v1/logs")
    expect(request.contentType).toBe("application/json")
    const scopeLogs = request.body.resourceLogs.flatMap((r) => r.scopeLogs)
    expect(scopeLogs.map((s) => s.scope)).toEqual([{ name: "durable-effect-tracking", version: packageVersion }])
    expect(request.body.resourceLogs.map((r) => attributesOf(r.resource.attributes)["service.name"])).toEqual([
      "jobs-worker"
    ])
    const records = scopeLogs.flatMap((s) => s.logRecords)
    expect(records.map((r) => r.eventName)).toEqual(["job.created", "debounce.flush.triggered"])
    for (const [i, record] of records.entries()) {
      expect(record.traceId).toBe(span.traceId)
      expect(record.spanId).toBe(span.spanId)
      expect(BigInt(record.timeUnixNano) / 1_000_000n).toBe(BigInt(Date.parse(events[i]!.timestamp)))
    }
    expect(records.map((r) => r.body?.stringValue)).toEqual([
      "job.created instanceId=do-1 jobType=debounce jobName=clicks",
      "debounce.flush.triggered instanceId=do-1 jobType=debounce jobName=clicks"
    ])
    expect(attributesOf(records[1]!.attributes)).toEqual({
      "deployment.environment.name": "production",
      "job.service_key": "jobs",
      "log.record.uid": events[1]!.eventId,
      "job.instance_id": "do-1",
      "job.type": "debounce",
      "job.name": "clicks",
      "job.reason": "maxEvents",
      "job.event_count": 3
    })
  })
})
