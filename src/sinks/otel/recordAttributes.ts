import type { LogAttributes } from "@opentelemetry/api-logs"
import type { AnyVocabulary } from "../../event/Vocabulary.js"

/** What the tracker adds to every record, from its options. */
export interface RecordDeployment {
  readonly env: string
  readonly serviceKey?: string | undefined
}

// Fields with an OpenTelemetry semantic convention; the rest are named by the event's vocabulary.
const conventionalNames: Readonly<Record<string, string>> = {
  eventId: "log.record.uid"
}
// Fields that are not attributes: the type is the record's event name, the timestamp its time,
// the error summary becomes `exception.*`; `env` and `serviceKey` come from the options.
const notAttributes = new Set(["type", "timestamp", "error", "env", "serviceKey"])

/** `instanceId` → `instance_id`, `job.instanceId` → `job.instance_id`, `accountID` → `account_id`. */
const snakeCase = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .toLowerCase()

/** How fields are named: computed once per field name, as every event of a type repeats them. */
const makeNamer = (name: (field: string) => string): ((field: string) => string) => {
  const names = new Map<string, string>()
  return (field) => {
    let named = names.get(field)
    if (named === undefined) {
      named = snakeCase(name(field))
      // Field names come from events: a bound keeps a stream of odd ones from growing the cache.
      if (names.size < 1024) names.set(field, named)
    }
    return named
  }
}

const genericNamer = makeNamer((field) => `event.${field}`)
const namers = new WeakMap<AnyVocabulary, (field: string) => string>()

/**
 * The attribute name of an event's field: its vocabulary's `attributeName`, in snake case as
 * OpenTelemetry writes attribute names (`job.instanceId` → `job.instance_id`); for an event of
 * no vocabulary told, `event.<snake_case>`.
 */
const namerOf = (vocabulary: AnyVocabulary | undefined): ((field: string) => string) => {
  if (vocabulary === undefined) return genericNamer
  let namer = namers.get(vocabulary)
  if (namer === undefined) {
    namer = makeNamer(vocabulary.attributeName)
    namers.set(vocabulary, namer)
  }
  return namer
}

const isAttributeValue = (value: unknown): value is string | number | boolean =>
  typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))

/**
 * The attributes of an event's record: `deployment.environment.name`, `log.record.uid` (the
 * event id), the error summary as `exception.type`, `exception.message`, `exception.stacktrace`
 * and `error.type`, the service key when one is given, and every other top-level string, number
 * or boolean field, named by the event's `vocabulary` (its `attributeName`, in snake case:
 * `job.instance_id`) or, without one, as `event.<snake_case>`. Nested values are not copied:
 * events carry no payloads, and a field this does not know is not guessed at. No
 * `service.name`: that is the resource's, set on the user's `LoggerProvider`.
 */
export const otelAttributesOf = (
  event: Readonly<Record<string, unknown>>,
  deployment: RecordDeployment,
  vocabulary?: AnyVocabulary
): LogAttributes => {
  const nameOf = namerOf(vocabulary)
  const attributes: Record<string, string | number | boolean> = {
    "deployment.environment.name": deployment.env
  }
  if (deployment.serviceKey !== undefined) attributes[nameOf("serviceKey")] = deployment.serviceKey
  for (const [field, value] of Object.entries(event)) {
    if (notAttributes.has(field) || !isAttributeValue(value)) continue
    attributes[conventionalNames[field] ?? nameOf(field)] = value
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
