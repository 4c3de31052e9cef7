import { singleEventBodyBytes } from "../../delivery/BatchBody.js"
import { checkLingerMs, checkNonEmptyString, checkNonNegative, checkPositiveInt } from "../../delivery/ConfigChecks.js"
import { largestEventAsSent } from "../../delivery/LargestEvent.js"
import { checkVocabularies, type TrackerVocabulariesOption, type VocabularyGateParts } from "../../delivery/EmitGate.js"
import { InvalidTrackerConfigError } from "../../tracker/InvalidTrackerConfigError.js"

/**
 * The slice of a fetch `Response` the tracker reads. Structural, so that Node's, undici's
 * and the Workers runtime's `fetch` all fit, and a test double is a plain object.
 *
 * @category Trackers
 */
export interface HttpResponseLike {
  readonly status: number
  readonly headers: { get(name: string): string | null }
  readonly body?: { cancel(reason?: unknown): Promise<void> } | null
}

/**
 * The request the tracker makes; a subset of `RequestInit`.
 *
 * @category Trackers
 */
export interface HttpRequestInit {
  readonly method: "POST"
  readonly headers: Record<string, string>
  readonly body: string
  readonly signal: AbortSignal
}

/**
 * A `fetch`-compatible function. It is called unbound, as a plain `fetch(...)` call is.
 *
 * @category Trackers
 */
export type HttpFetch = (url: string, init: HttpRequestInit) => Promise<HttpResponseLike>

/**
 * How a flush retries a batch that did not get through.
 *
 * @category Trackers
 */
export interface HttpBatchTrackerRetryConfig {
  /** Attempts per batch within one flush, the first included. Default 3. */
  readonly maxAttempts?: number
  /** Backoff before the first retry; doubles per retry, with jitter. Default 500 ms. */
  readonly initialDelayMs?: number
  /**
   * Longest wait between two attempts within one flush. Default 5000 ms. A collector's longer
   * `Retry-After` (up to 10 minutes) is honoured by deferring the next flushes instead.
   */
  readonly maxDelayMs?: number
}

/**
 * The HTTP batch tracker's configuration (docs/http-tracker.md lists every field and its default).
 *
 * @category Trackers
 */
export interface HttpBatchTrackerConfig extends TrackerVocabulariesOption {
  /** Absolute `http:` or `https:` URL the batches are POSTed to. */
  readonly endpoint: string
  /** Deployment environment added to every event sent, e.g. "production". */
  readonly env: string
  /** Service identifier added to every event sent. */
  readonly serviceKey: string
  /** Most events per request. Default 100. */
  readonly batchSize?: number
  /** Most events held undelivered (buffered or in flight); newer events beyond it are dropped. Default 10 000. */
  readonly maxBufferSize?: number
  /** Most bytes per request body (UTF-8). Default 1 048 576 (1 MiB). */
  readonly maxBatchBytes?: number
  /**
   * Most bytes (UTF-8) of one event as sent, applied at `emit`: longer strings are cut to fit
   * (failure messages first), and an event that still does not fit is dropped as `tooLarge`.
   * Default 65 536 (64 KiB), or what fits in `maxBatchBytes` if that is smaller.
   */
  readonly maxEventBytes?: number
  /** Extra request headers, e.g. authorization. Never logged, never in errors or stats. */
  readonly headers?: Readonly<Record<string, string>>
  /** Timeout of one request (it is aborted), cut to what is left of `flushTimeoutMs`. Default 3000 ms. */
  readonly timeoutMs?: number
  /**
   * Bound on one `flush()` call, retries and waits included. A jobs runtime awaits its flushes,
   * so this is the most tracking can add to a call when the collector is down. Default 5000 ms.
   */
  readonly flushTimeoutMs?: number
  /**
   * How long events may wait for later calls' events, to go in one request with them. A flush
   * that finds less than `batchSize` events buffered sends nothing until `lingerMs` after the
   * first flush that left events waiting; a timer then sends them, also when no call comes. At
   * most 60 000. Default 0: every flush sends. For a Durable Object only (see docs/http-tracker.md).
   */
  readonly lingerMs?: number
  readonly retry?: HttpBatchTrackerRetryConfig
  /** The `fetch` to use. Default: the global `fetch`, looked up at send time. */
  readonly fetch?: HttpFetch
  /**
   * Whether logs name the endpoint's path too. Default false: logs name its origin only, as a
   * webhook-style URL carries its secret in the path.
   */
  readonly logEndpointPath?: boolean
}

/** A configuration with every default filled in. */
export interface ResolvedHttpBatchTrackerConfig {
  readonly endpoint: string
  readonly env: string
  readonly serviceKey: string
  readonly batchSize: number
  readonly maxBufferSize: number
  readonly maxBatchBytes: number
  readonly maxEventBytes: number
  readonly headers: Readonly<Record<string, string>>
  readonly timeoutMs: number
  readonly flushTimeoutMs: number
  readonly lingerMs: number
  readonly retry: Required<HttpBatchTrackerRetryConfig>
  readonly fetch: HttpFetch | undefined
  readonly logEndpointPath: boolean
  readonly vocabularies: VocabularyGateParts | undefined
}

/**
 * The HTTP batch tracker's defaults, for the fields a configuration leaves out.
 *
 * @category Trackers
 */
export const HttpBatchTrackerDefaults = {
  batchSize: 100,
  maxBufferSize: 10_000,
  maxBatchBytes: 1_048_576,
  maxEventBytes: 65_536,
  timeoutMs: 3_000,
  flushTimeoutMs: 5_000,
  lingerMs: 0,
  retry: { maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 5_000 }
} as const

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const endpointIssue = (value: unknown): string | undefined => {
  let url: URL
  try {
    if (typeof value !== "string") throw new TypeError()
    url = new URL(value)
  } catch {
    return "endpoint must be an absolute http(s) URL"
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "endpoint must be an absolute http(s) URL"
  // fetch refuses such URLs; credentials belong in `headers`, which are never logged.
  if (url.username !== "" || url.password !== "") return "endpoint must not contain credentials: put them in headers"
  return undefined
}

// RFC 9110 token characters: what fetch accepts in a header name.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Visible ASCII, space and tab: fetch refuses CR, LF and NUL, and the Workers runtime and
// undici disagree on anything beyond ASCII, so neither is accepted.
const HEADER_VALUE = /^[\t\x20-\x7e]*$/

// A header name is not a secret, but it may hold control characters: shown escaped and short.
const shownName = (name: string): string => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name)

/** Problems with `headers` that would make every request fail inside `fetch`; values never shown. */
const headerIssues = (headers: Record<string, unknown>): Array<string> => {
  const issues: Array<string> = []
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) issues.push(`headers: ${shownName(name)} is not a valid header name`)
    if (typeof value !== "string") issues.push(`header ${shownName(name)} must have a string value`)
    else if (!HEADER_VALUE.test(value)) {
      issues.push(`header ${shownName(name)} has a value fetch would refuse (only printable ASCII, no CR or LF)`)
    }
  }
  return issues
}

/**
 * Checks `config` and fills in defaults; throws {@link InvalidTrackerConfigError}, with the
 * caller's own `issues` (those of the options it adds: the outbox's) after these, in one error.
 */
export const resolveHttpBatchTrackerConfig = (
  config: HttpBatchTrackerConfig,
  issuesOfCaller: ReadonlyArray<string> = []
): ResolvedHttpBatchTrackerConfig => {
  const issues: Array<string> = []
  if (!isRecord(config)) throw new InvalidTrackerConfigError({ issues: ["the configuration must be an object"] })

  const endpoint = endpointIssue(config.endpoint)
  if (endpoint !== undefined) issues.push(endpoint)
  checkNonEmptyString(issues, "env", config.env)
  checkNonEmptyString(issues, "serviceKey", config.serviceKey)

  const d = HttpBatchTrackerDefaults
  const batchSize = checkPositiveInt(issues, "batchSize", config.batchSize, d.batchSize)
  const maxBufferSize = checkPositiveInt(issues, "maxBufferSize", config.maxBufferSize, d.maxBufferSize)
  const maxBatchBytes = checkPositiveInt(issues, "maxBatchBytes", config.maxBatchBytes, d.maxBatchBytes)
  const explicitEventBytes = checkPositiveInt(issues, "maxEventBytes", config.maxEventBytes, d.maxEventBytes)
  const timeoutMs = checkPositiveInt(issues, "timeoutMs", config.timeoutMs, d.timeoutMs)
  const flushTimeoutMs = checkPositiveInt(issues, "flushTimeoutMs", config.flushTimeoutMs, d.flushTimeoutMs)
  const lingerMs = checkLingerMs(issues, config.lingerMs)

  const retry: unknown = config.retry
  if (retry !== undefined && !isRecord(retry)) issues.push("retry must be an object")
  const r = isRecord(retry) ? retry : {}
  const maxAttempts = checkPositiveInt(issues, "retry.maxAttempts", r.maxAttempts, d.retry.maxAttempts)
  const initialDelayMs = checkNonNegative(issues, "retry.initialDelayMs", r.initialDelayMs, d.retry.initialDelayMs)
  const maxDelayMs = checkNonNegative(issues, "retry.maxDelayMs", r.maxDelayMs, d.retry.maxDelayMs)

  const headers: unknown = config.headers
  if (headers !== undefined) {
    if (!isRecord(headers)) issues.push("headers must be an object of strings")
    else issues.push(...headerIssues(headers))
  }
  if (config.fetch !== undefined && typeof config.fetch !== "function") issues.push("fetch must be a function")
  const logEndpointPath: unknown = config.logEndpointPath ?? false
  if (typeof logEndpointPath !== "boolean") issues.push("logEndpointPath must be a boolean")
  const vocabularies = checkVocabularies(issues, config.vocabularies)

  // Byte limits below the largest event the tracker carries would cut or drop it (a limit of a
  // few hundred bytes drops every failure as tooLarge): refused, once the rest is well-formed.
  // The largest event is the told vocabularies' (or the generic floor, told none).
  let maxEventBytes = explicitEventBytes
  if (issues.length === 0) {
    const { bytes: largest, of } = largestEventAsSent(vocabularies?.vocabularies, config)
    const roomInBatch = maxBatchBytes - singleEventBodyBytes(0)
    if (roomInBatch < largest) {
      issues.push(`maxBatchBytes must be at least ${singleEventBodyBytes(largest)} (a batch of ${of})`)
    }
    if (config.maxEventBytes === undefined) maxEventBytes = Math.min(d.maxEventBytes, roomInBatch)
    else if (maxEventBytes < largest) issues.push(`maxEventBytes must be at least ${largest} (${of})`)
    else if (maxEventBytes > roomInBatch) {
      issues.push(`maxEventBytes must be at most ${roomInBatch} (maxBatchBytes less the batch envelope)`)
    }
  }

  issues.push(...issuesOfCaller)
  if (issues.length > 0) throw new InvalidTrackerConfigError({ issues })
  return {
    endpoint: config.endpoint,
    env: config.env,
    serviceKey: config.serviceKey,
    batchSize,
    maxBufferSize,
    maxBatchBytes,
    maxEventBytes,
    headers: { ...(config.headers ?? {}) },
    timeoutMs,
    flushTimeoutMs,
    lingerMs,
    retry: { maxAttempts, initialDelayMs, maxDelayMs },
    fetch: config.fetch,
    logEndpointPath: logEndpointPath === true,
    vocabularies
  }
}
