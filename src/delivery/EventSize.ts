import { largestJobEvent } from "../jobs/events/largestJobEvent.js"
import { jsonValueOf, utf8Length } from "./BatchBody.js"

/**
 * The size limit of one event, applied when it is emitted. An event is serialised once, there:
 * long strings are cut to fit `maxEventBytes` (error messages first) with a marker, and an
 * event that still does not fit is refused. The work is bounded whatever the event holds: no
 * string is read beyond the limit, and serialisation stops once `maxBatchBytes` (one batch's worth)
 * have been produced. So a flush only joins strings it knows the size of.
 */

/** An event ready to send: its JSON (with the tracker's enrichment) and the UTF-8 size of it. */
export class SizedEvent {
  constructor(
    /** The event's `eventId` when it is a non-empty string (the outbox keys events by it). */
    readonly eventId: string | undefined,
    readonly json: string,
    readonly bytes: number,
    /** Whether strings were cut to fit. */
    readonly truncated: boolean
  ) {}
}

export type SizingResult = SizedEvent | "tooLarge" | "unserializable"

export interface EventSizeLimits {
  readonly env: string
  readonly serviceKey: string
  /** Most UTF-8 bytes of one encoded event (enrichment included). */
  readonly maxEventBytes: number
  /**
   * Most characters serialised while sizing one event, before it is refused as too large: one
   * batch's worth (named as the tracker's option, so its resolved configuration is these limits).
   */
  readonly maxBatchBytes: number
}

/** Appended to a cut string, with the number of characters cut. */
export const truncationMarker = (cut: number): string => `…[truncated ${cut} chars]`

// Strings under these keys are cut first: failure summaries are where large text comes from.
const FIRST_TO_CUT = new Set(["message", "error", "stack", "cause", "reason"])
// A cut string keeps at least this many characters when more must go elsewhere.
const MIN_KEPT = 16

class TooMuchWork {}

interface StringSeen {
  readonly length: number
  readonly first: boolean
}

/**
 * One serialisation pass. `caps[i]` bounds the i-th string met (in JSON.stringify's order,
 * the same in every pass); without a cap a string is kept up to `maxChars`. Throws
 * `TooMuchWork` once `maxBatchBytes` characters have been counted.
 */
const serialise = (
  value: object,
  limits: EventSizeLimits,
  caps: ReadonlyArray<number> | undefined,
  maxChars: number
): { readonly json: string; readonly strings: ReadonlyArray<StringSeen>; readonly cut: boolean } => {
  const strings: Array<StringSeen> = []
  let work = 0
  let cut = false
  const replacer = function (this: unknown, key: string, field: unknown): unknown {
    // The key, quotes, colon and comma: a lower bound of what this entry adds.
    work += key.length + 4
    let result = field
    if (typeof field === "string") {
      const index = strings.length
      strings.push({ length: field.length, first: !Array.isArray(this) && FIRST_TO_CUT.has(key) })
      const cap = Math.min(caps?.[index] ?? maxChars, maxChars)
      if (field.length > cap) {
        // Only the kept prefix is read: a 10 MiB string costs no more than a short one.
        result = field.slice(0, cap) + truncationMarker(field.length - cap)
        cut = true
      }
      work += (result as string).length
    } else if (typeof field !== "object" || field === null) {
      work += 8
    }
    if (work > limits.maxBatchBytes) throw new TooMuchWork()
    return result
  }
  const json = JSON.stringify(value, replacer)
  return { json, strings, cut }
}

/**
 * Caps for the strings of an event `excess` bytes too large: strings under failure keys first,
 * then all strings, each cut down to a common length (the longest lose most).
 */
const capsFor = (strings: ReadonlyArray<StringSeen>, excess: number, maxChars: number): Array<number> => {
  const caps = strings.map((s) => Math.min(s.length, maxChars))
  const markerRoom = truncationMarker(maxChars).length
  let left = excess
  for (const group of [strings.map((s) => s.first), strings.map(() => true)]) {
    if (left <= 0) break
    const members = caps.map((_, i) => i).filter((i) => group[i] === true && caps[i]! > MIN_KEPT)
    if (members.length === 0) continue
    // The highest common cap that frees `left` characters (markers included), found by halving.
    const freed = (cap: number) =>
      members.reduce((sum, i) => sum + (caps[i]! > cap ? caps[i]! - cap - markerRoom : 0), 0)
    let low = MIN_KEPT
    let high = Math.max(...members.map((i) => caps[i]!))
    const most = freed(low)
    if (most < left) {
      for (const i of members) if (caps[i]! > low) caps[i] = low
      left -= most
      continue
    }
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2)
      if (freed(middle) >= left) low = middle
      else high = middle
    }
    for (const i of members) if (caps[i]! > low) caps[i] = low
    left = 0
  }
  return caps
}

const eventIdOf = (value: object): string | undefined => {
  const id: unknown = (value as { eventId?: unknown }).eventId
  return typeof id === "string" && id !== "" ? id : undefined
}

/** Serialises `event` within `limits`, cutting strings if it must; or says why it cannot be sent. */
export const sizeEvent = (event: unknown, limits: EventSizeLimits): SizingResult => {
  let enriched: object
  try {
    // Resolved first, so that the enrichment is not lost to a toJSON.
    const value = jsonValueOf(event)
    if (typeof value !== "object" || value === null || Array.isArray(value)) return "unserializable"
    enriched = { ...value, env: limits.env, serviceKey: limits.serviceKey }
  } catch {
    return "unserializable"
  }
  const eventId = eventIdOf(enriched)
  let caps: Array<number> | undefined
  // At first a string is kept up to the whole limit; when that is too much work (several long
  // strings), every string is kept up to an eighth of it, and the caps are worked out from there.
  let maxChars = limits.maxEventBytes
  // A cut string may hold characters that take more bytes than expected: a few passes at most.
  for (let pass = 0; pass < 5; pass++) {
    let result: ReturnType<typeof serialise>
    try {
      result = serialise(enriched, limits, caps, maxChars)
    } catch (error) {
      // Cycles, BigInts, throwing getters or toJSON: it cannot be sent.
      if (!(error instanceof TooMuchWork)) return "unserializable"
      // Too much even with short strings: the rest of the event cannot fit.
      if (caps !== undefined || maxChars < limits.maxEventBytes) return "tooLarge"
      maxChars = Math.max(MIN_KEPT, Math.floor(limits.maxEventBytes / 8))
      continue
    }
    if (typeof result.json !== "string") return "unserializable"
    const bytes = utf8Length(result.json)
    if (bytes <= limits.maxEventBytes) return new SizedEvent(eventId, result.json, bytes, result.cut)
    const base = caps ?? result.strings.map((s) => Math.min(s.length, maxChars))
    const next = capsFor(
      result.strings.map((s, i) => ({ ...s, length: base[i]! })),
      bytes - limits.maxEventBytes,
      maxChars
    )
    // Nothing more can be cut: the rest of the event is larger than the limit.
    if (caps !== undefined && next.every((cap, i) => cap >= caps![i]!)) return "tooLarge"
    caps = next
  }
  return "tooLarge"
}

/** An event read back from storage as its JSON text: sized again (its enrichment is redone). */
export const sizeStoredEvent = (json: unknown, limits: EventSizeLimits): SizingResult => {
  if (typeof json !== "string") return "unserializable"
  try {
    return sizeEvent(JSON.parse(json), limits)
  } catch {
    return "unserializable"
  }
}

/**
 * UTF-8 bytes of the largest job event (see `largestJobEvent`), as sent with this enrichment: a
 * size limit below it cuts or drops events the jobs emit.
 */
export const largestJobEventBytes = (enrichment: { readonly env: string; readonly serviceKey: string }): number =>
  utf8Length(JSON.stringify({ ...largestJobEvent, env: enrichment.env, serviceKey: enrichment.serviceKey }))
