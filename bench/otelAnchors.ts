import { SeverityNumber } from "@opentelemetry/api-logs"
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base"
import { Effect } from "effect"
import { HttpBatchTracker } from "../src/sinks/http/HttpBatchTracker.js"
import { noopLoggerProvider } from "./otelProviders.js"
import type { Side } from "./stats.js"
import { acknowledgingHttpTracker, succeededEvent } from "./workload.js"

/**
 * What an OpenTelemetry SDK costs per log record and per span, as anchors for our cost per
 * event: each side makes `count` of them, with attributes like a job event's fields, through
 * the SDK's batch processor into an exporter that does nothing, and flushes at the end.
 */

// What a job event carries, as attributes (OpenTelemetry's records hold them flat).
const attributesOf = (i: number) => ({
  "job.event.type": "execution.succeeded",
  "job.instance_id": "bench-instance",
  "job.type": "continuous",
  "job.name": "heartbeat",
  "job.run_count": i,
  "job.duration_ms": 3,
  "deployment.environment.name": "bench"
})

// The export result code 0 is SUCCESS (@opentelemetry/core's ExportResultCode).
const noopSpanExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve()
}

// `count` stays under the processors' default queue of 2,048, so none is dropped.

/** `count` log records through a `BatchLogRecordProcessor`, then `forceFlush`. */
export const otelLogRecords = (count: number): Side => {
  const provider = noopLoggerProvider()
  const logger = provider.getLogger("bench")
  return {
    name: "OpenTelemetry log record (BatchLogRecordProcessor, no-op exporter)",
    run: async () => {
      for (let i = 0; i < count; i++) {
        logger.emit({
          severityNumber: SeverityNumber.INFO,
          severityText: "INFO",
          body: "execution.succeeded",
          attributes: attributesOf(i)
        })
      }
      await provider.forceFlush()
    }
  }
}

/** `count` spans started and ended through a `BatchSpanProcessor`, then `forceFlush`. */
export const otelSpans = (count: number): Side => {
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopSpanExporter)] })
  const tracer = provider.getTracer("bench")
  return {
    name: "OpenTelemetry span (BatchSpanProcessor, no-op exporter)",
    run: async () => {
      for (let i = 0; i < count; i++) tracer.startSpan("execution", { attributes: attributesOf(i) }).end()
      await provider.forceFlush()
    }
  }
}

/**
 * Our tracker alone, as the anchors are measured: `count` job events made (`makeJobEvent`) and
 * emitted into the HTTP batch tracker, then one flush to a `fetch` that acknowledges at once.
 */
export const ourHttpEvents = (count: number): Side => {
  let tracker: HttpBatchTracker | undefined
  return {
    name: "job event made and emitted into the HTTP batch tracker, flushed (acknowledging fetch)",
    setup: () => {
      tracker = HttpBatchTracker.make({ ...acknowledgingHttpTracker(), maxBufferSize: count })
    },
    run: async () => {
      const t = tracker!
      Effect.runSync(
        Effect.forEach(
          Array.from({ length: count }, (_, i) => i),
          (i) => t.emit(succeededEvent(i)),
          { discard: true }
        )
      )
      await Effect.runPromise(t.flush())
    }
  }
}
