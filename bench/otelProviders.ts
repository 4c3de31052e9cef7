import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from "@opentelemetry/sdk-logs"

// The export result code 0 is SUCCESS (@opentelemetry/core's ExportResultCode).
const noopLogExporter: LogRecordExporter = {
  export: (_records, done) => done({ code: 0 }),
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve()
}

/**
 * An OpenTelemetry SDK logger provider whose `BatchLogRecordProcessor` exports into nothing (the
 * SDK's own work per record, without a network); `exported` hears how many records each export
 * carried.
 */
export const noopLoggerProvider = (exported?: (records: number) => void): LoggerProvider =>
  new LoggerProvider({
    processors: [
      new BatchLogRecordProcessor({
        exporter:
          exported === undefined
            ? noopLogExporter
            : { ...noopLogExporter, export: (records, done) => (exported(records.length), done({ code: 0 })) }
      })
    ]
  })
