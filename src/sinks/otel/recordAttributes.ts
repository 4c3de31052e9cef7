import type { LogAttributes } from "@opentelemetry/api-logs"

/** What the tracker adds to every record, from its options. */
export interface RecordDeployment {
  readonly env: string
  readonly serviceKey?: string | undefined
}

// Fields with an OpenTelemetry semantic convention; the rest go under `job.`.
const conventionalNames: Readonly<Record<string, string>> = {
  eventId: "log.record.uid"
}
// Fields that are not attributes: the type is the record's event name, the timestamp its time,
// the error summary becomes `exception.*`; `env` and `serviceKey` come from the options.
const notAttributes = new Set(["type", "timestamp", "error", "env", "serviceKey"])

const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** `job.<field>` in snake case: `instanceId` → `job.instance_id`, `jobType` → `job.type`. */
const jobAttributeName = (field: string): string => {
  const own = /^job[A-Z]/.test(field) ? field.charAt(3).toLowerCase() + field.slice(4) : field
  return `job.${snakeCase(own)}`
}

const isAttributeValue = (value: unknown): value is string | number | boolean =>
  typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))

/**
 * The attributes of an event's record: `deployment.environment.name`, `log.record.uid` (the
 * event id), the error summary as `exception.type`, `exception.message`, `exception.stacktrace`
 * and `error.type`, `job.service_key` when a service key is given, and every other top-level
 * string, number or boolean field as `job.<snake_case>`. Nested values are not copied: events
 * carry no payloads, and a field this does not know is not guessed at. No `service.name`: that
 * is the resource's, set on the user's `LoggerProvider`.
 */
export const otelAttributesOf = (
  event: Readonly<Record<string, unknown>>,
  deployment: RecordDeployment
): LogAttributes => {
  const attributes: Record<string, string | number | boolean> = {
    "deployment.environment.name": deployment.env
  }
  if (deployment.serviceKey !== undefined) attributes["job.service_key"] = deployment.serviceKey
  for (const [field, value] of Object.entries(event)) {
    if (notAttributes.has(field) || !isAttributeValue(value)) continue
    attributes[conventionalNames[field] ?? jobAttributeName(field)] = value
  }
  const error = event.error
  if (typeof error === "object" && error !== null) {
    const { message, tag, stack } = error as { message?: unknown; tag?: unknown; stack?: unknown }
    const hasTag = typeof tag === "string" && tag !== ""
    if (hasTag) attributes["exception.type"] = tag
    if (typeof message === "string") attributes["exception.message"] = message
    if (typeof stack === "string" && stack !== "") attributes["exception.stacktrace"] = stack
    // error.type must be low-cardinality: the tag is; "_OTHER" is the convention's fallback.
    attributes["error.type"] = hasTag ? tag : "_OTHER"
  }
  return attributes
}
