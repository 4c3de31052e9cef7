/**
 * durable-effect-tracking/otel: the OpenTelemetry logs tracker. A subpath of its own so that
 * users without OpenTelemetry neither install nor bundle `@opentelemetry/*` (optional peers).
 */
export {
  OtelLogsTracker,
  OtelLogsTrackerDefaults,
  type FlushableLoggerProvider,
  type OtelLogsTrackerOptions,
  type OtelLogsTrackerStats
} from "./OtelLogsTracker.js"
export { otelAttributesOf, type RecordDeployment } from "./recordAttributes.js"
