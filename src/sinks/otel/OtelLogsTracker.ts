import {
  context as otelContext,
  type Context as OtelContext,
  ROOT_CONTEXT,
  trace,
  TraceFlags
} from "@opentelemetry/api"
import { type Logger, type LoggerProvider, logs, SeverityNumber } from "@opentelemetry/api-logs"
import { Effect, Layer, Option } from "effect"
import { safeCall, safeSite } from "../../internal/safe.js"
import { checkNonEmptyString, checkPositiveInt } from "../../delivery/ConfigChecks.js"
import { boundedPromise } from "../../delivery/SerialFlush.js"
import { jsonValueOf } from "../../delivery/BatchBody.js"
import { EventTracker, type EventTrackerService } from "../../tracker/EventTracker.js"
import { InvalidTrackerConfigError } from "../../tracker/InvalidTrackerConfigError.js"
import {
  type AnyVocabulary,
  checkVocabularies,
  gateEmit,
  type TrackerVocabulariesOption,
  type VocabularyGate
} from "../../delivery/EmitGate.js"
import type { EventOf, EventSeverity, EventShape } from "../../event/Vocabulary.js"
import { otelAttributesOf } from "./recordAttributes.js"
import { recordBodyOf } from "./recordBody.js"
import { packageVersion } from "./version.js"

/** A logger provider, and its `forceFlush` when it has one (the SDK's `LoggerProvider` does). */
export type FlushableLoggerProvider = LoggerProvider & { forceFlush?: () => Promise<void> }

export interface OtelLogsTrackerOptions extends TrackerVocabulariesOption {
  /** Deployment environment: the `deployment.environment.name` attribute. */
  readonly env: string
  /**
   * The key the HTTP and Queue trackers add to each event, sent as an attribute for joining
   * records with theirs (`<vocabulary's prefix>.service_key`, e.g. `job.service_key`; told no
   * vocabularies, `event.service_key`). Optional, and not the service's identity: that is
   * `service.name` on your `LoggerProvider`'s resource.
   */
  readonly serviceKey?: string
  /**
   * Where the records go: your SDK's `LoggerProvider`. Default: the global one
   * (`logs.getLoggerProvider()`), whose records `flush` cannot force out (the global API
   * exposes no `forceFlush`): pass the provider for `flush` to deliver.
   */
  readonly loggerProvider?: FlushableLoggerProvider
  /**
   * Correlate records with the span they were emitted in: the current Effect span (with
   * `withTracking(layer, { eventMap, spans: true })`, the traced method's own; with
   * `@effect/opentelemetry`, the OpenTelemetry span itself), else the active OpenTelemetry
   * context. Default false: records carry no trace or span id, even when an OpenTelemetry
   * context is active.
   */
  readonly spans?: boolean
  /** Bound on one `flush()` (the provider's `forceFlush`). Default 5000 ms. */
  readonly flushTimeoutMs?: number
  /**
   * The instrumentation scope name of the logger. Default "durable-effect-tracking". The scope
   * version is this package's version either way.
   */
  readonly loggerName?: string
}

export const OtelLogsTrackerDefaults = {
  flushTimeoutMs: 5_000,
  loggerName: "durable-effect-tracking"
} as const

/** Counters since the tracker was created; a snapshot. */
export interface OtelLogsTrackerStats {
  /** Log records handed to the logger. */
  readonly emitted: number
  /** Events not recorded: refused (`unknownVocabulary`), not a JSON object, or that the logger threw on. */
  readonly dropped: number
  /**
   * Of `dropped`, events this tracker does not carry, refused at `emit`: of none of the
   * `vocabularies` it was told about, or, told none, not an object with a string `type`.
   */
  readonly unknownVocabulary: number
  /** `flush()` calls that reached the provider's `forceFlush`. */
  readonly flushes: number
}

/** An {@link EventTrackerService} that emits each event as an OpenTelemetry log record. */
export interface OtelLogsTracker<E = EventShape> extends EventTrackerService<E> {
  stats(): Effect.Effect<OtelLogsTrackerStats>
}

// The OpenTelemetry severity of each grade a vocabulary gives its events.
const severityOf: Readonly<Record<EventSeverity, readonly [SeverityNumber, string]>> = {
  info: [SeverityNumber.INFO, "INFO"],
  warn: [SeverityNumber.WARN, "WARN"],
  error: [SeverityNumber.ERROR, "ERROR"]
}

const isValidHex = (id: string, length: number): boolean =>
  id.length === length && /^[0-9a-f]+$/.test(id) && !/^0+$/.test(id)

/** The OpenTelemetry context of a record: the Effect span's ids, else the active context. */
const spanContextOf = (span: Option.Option<{ traceId: string; spanId: string; sampled: boolean }>): OtelContext => {
  if (Option.isSome(span) && isValidHex(span.value.traceId, 32) && isValidHex(span.value.spanId, 16)) {
    return trace.setSpanContext(ROOT_CONTEXT, {
      traceId: span.value.traceId,
      spanId: span.value.spanId,
      traceFlags: span.value.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: false
    })
  }
  return otelContext.active()
}

const resolveOptions = (options: OtelLogsTrackerOptions) => {
  if (typeof options !== "object" || options === null) {
    throw new InvalidTrackerConfigError({ tracker: "OpenTelemetry logs", issues: ["the options must be an object"] })
  }
  const issues: Array<string> = []
  checkNonEmptyString(issues, "env", options.env)
  if (options.serviceKey !== undefined) checkNonEmptyString(issues, "serviceKey, when given,", options.serviceKey)
  const provider: unknown = options.loggerProvider
  if (provider !== undefined && typeof (provider as Partial<LoggerProvider> | null)?.getLogger !== "function") {
    issues.push("loggerProvider must be a LoggerProvider (getLogger)")
  }
  const flushTimeoutMs = checkPositiveInt(
    issues,
    "flushTimeoutMs",
    // Absent or null: the default, as before.
    options.flushTimeoutMs ?? undefined,
    OtelLogsTrackerDefaults.flushTimeoutMs
  )
  const vocabularies = checkVocabularies(issues, options.vocabularies)
  if (issues.length > 0) throw new InvalidTrackerConfigError({ tracker: "OpenTelemetry logs", issues })
  return { flushTimeoutMs, vocabularies }
}

const module = "sinks/otel/OtelLogsTracker"
const emitSite = safeSite(module, "logger.emit")
const flushSite = safeSite(module, "loggerProvider.forceFlush")

/**
 * A tracker that emits each event, as it is emitted, as an OpenTelemetry log record: the event
 * type is the record's event name, its timestamp the record's, a one-line summary its body (see
 * `recordBodyOf`), its fields attributes named by its vocabulary (see {@link otelAttributesOf});
 * events of no vocabulary told are refused (`stats().unknownVocabulary`); the resource is the
 * provider's. Batching, retries and export are the SDK's (its
 * processors and exporters): `pending` is always 0, and `flush` calls the provider's
 * `forceFlush`, bounded by `flushTimeoutMs`; neither ever fails.
 * Throws {@link InvalidTrackerConfigError} for options that cannot work.
 */
const makeTracker = <E>(options: OtelLogsTrackerOptions): OtelLogsTracker<E> => {
  const { flushTimeoutMs, vocabularies } = resolveOptions(options)
  const provider: FlushableLoggerProvider = options.loggerProvider ?? logs.getLoggerProvider()
  const logger: Logger = provider.getLogger(options.loggerName ?? OtelLogsTrackerDefaults.loggerName, packageVersion)
  const deployment = { env: options.env, serviceKey: options.serviceKey }
  const counters = { emitted: 0, dropped: 0, flushes: 0 }
  const spans = options.spans === true

  // True when the record went to the logger; false when the event is not a JSON object.
  const emitRecord = (event: unknown, vocabulary: AnyVocabulary | undefined, context: OtelContext): boolean => {
    const value = jsonValueOf(event)
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false
    const fields = value as Record<string, unknown>
    const type = typeof fields.type === "string" ? fields.type : "event"
    const [severityNumber, severityText] = severityOf[vocabulary?.severity(type) ?? "info"]
    const at = typeof fields.timestamp === "string" ? new Date(fields.timestamp) : undefined
    logger.emit({
      eventName: type,
      body: recordBodyOf(fields, vocabulary),
      ...(at === undefined || Number.isNaN(at.getTime()) ? {} : { timestamp: at }),
      severityNumber,
      severityText,
      attributes: otelAttributesOf(fields, deployment, vocabulary),
      context
    })
    return true
  }

  const record = (event: unknown, vocabulary: AnyVocabulary | undefined, context: OtelContext): void => {
    // A throwing toJSON, getter or logger: the event is lost, the job goes on.
    if (safeCall(emitSite, () => emitRecord(event, vocabulary, context), false)) counters.emitted++
    else counters.dropped++
  }
  // Events it does not carry are refused before a record is made. Without `spans`, a record
  // gets the root context (the SDK would otherwise take the active one) in a plain `Effect.sync`,
  // which the traced path runs in place. With them, the current span is read as an effect: run in
  // place, the traced path would read it before the method's span is entered.
  const gated = gateEmit(
    vocabularies,
    (event, vocabulary) =>
      spans
        ? Effect.flatMap(Effect.option(Effect.currentParentSpan), (span) =>
            Effect.sync(() => record(event, vocabulary, spanContextOf(span)))
          )
        : Effect.sync(() => record(event, vocabulary, ROOT_CONTEXT)),
    module,
    {},
    (cause) => `stats().${cause}`
  )

  const forceFlush = Effect.suspend(() => {
    const flushProvider = provider.forceFlush
    if (typeof flushProvider !== "function") return Effect.void
    counters.flushes++
    return boundedPromise(flushTimeoutMs, flushSite, () => flushProvider.call(provider))
  })

  return {
    emit: gated.emit,
    flush: () => forceFlush,
    pending: () => Effect.succeed(0),
    stats: () =>
      Effect.sync(() => ({
        emitted: counters.emitted,
        dropped: counters.dropped + gated.refused(),
        flushes: counters.flushes,
        unknownVocabulary: gated.refused()
      }))
  }
}

/**
 * `make`'s signatures: told `vocabularies`, the tracker is typed by their events; else by `E`
 * (default: any event with a `type`).
 */
interface MakeOtelLogsTracker {
  <V extends AnyVocabulary>(
    options: OtelLogsTrackerOptions & { readonly vocabularies: VocabularyGate<V> }
  ): OtelLogsTracker<EventOf<V>>
  <E = EventShape>(options: OtelLogsTrackerOptions): OtelLogsTracker<E>
}

const make: MakeOtelLogsTracker = makeTracker

/** One OpenTelemetry logs tracker shared by every build of the layer. See {@link OtelLogsTracker.make}. */
const layer = (options: OtelLogsTrackerOptions): Layer.Layer<EventTracker> =>
  Layer.succeed(EventTracker, makeTracker<unknown>(options))

/**
 * OpenTelemetry logs tracker: `OtelLogsTracker.make(options)` or `OtelLogsTracker.layer(options)`.
 * Each event becomes one log record of your SDK's `LoggerProvider`, which batches and exports it.
 *
 * @example
 * ```ts
 * import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http"
 * import { resourceFromAttributes } from "@opentelemetry/resources"
 * import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs"
 * import { OtelLogsTracker } from "durable-effect-tracking/otel"
 *
 * const loggerProvider = new LoggerProvider({
 *   resource: resourceFromAttributes({ "service.name": "orders" }),
 *   processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: "https://otel.example.com/v1/logs" }) })]
 * })
 * // Pass the provider: `flush` can then force its records out at the end of each run.
 * export const tracker = OtelLogsTracker.make({ loggerProvider, env: "production" })
 * ```
 */
export const OtelLogsTracker = { make, layer } as const
