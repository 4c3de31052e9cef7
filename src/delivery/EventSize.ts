import { jsonValueOf, utf8Length } from "./BatchBody.js"

/**
 * The size limit of one event, applied when it is emitted. There, long strings are cut to fit
 * `maxEventBytes` (error messages first) with a marker, and an event that still does not fit is
 * refused. The work is bounded whatever the event holds: no string is read beyond the limit,
 * and serialisation stops once `maxBatchBytes` (one batch's worth) have been produced. So a
 * flush only joins events whose size it knows, or has bounded.
 *
 * Most events are small plain data, and for them a cheaper route gives the same JSON: at `emit`
 * the event is copied and its work (lengths only) bounds its size; the engine's own
 * `JSON.stringify` of the copy, without a replacer, is made when the JSON is first needed (see
 * `plainSized`). Anything else is serialised at `emit` by the full route (`sizeEventInFull`).
 */

/**
 * An event ready to send: its JSON (with the tracker's enrichment) and the UTF-8 size of it.
 * A small event of plain data, admitted on a bound of its size, holds its own copy until its
 * JSON is first read (at flush, or when the outbox stores it): the same text, made later.
 */
export class SizedEvent {
  // Until the JSON is first read, a deferred event holds how to make it (from its own copy).
  #sized: Serialised | (() => Serialised)

  constructor(
    /** The event's `eventId` when it is a non-empty string (the outbox keys events by it). */
    readonly eventId: string | undefined,
    /** The JSON and its bytes, or how to make them when first read. */
    sized: Serialised | (() => Serialised),
    /** Whether strings were cut to fit. */
    readonly truncated: boolean
  ) {
    this.#sized = sized
  }

  get json(): string {
    return this.#settled()[0]
  }

  get bytes(): number {
    return this.#settled()[1]
  }

  #settled(): Serialised {
    return typeof this.#sized === "function" ? (this.#sized = this.#sized()) : this.#sized
  }
}

/** An event's JSON text and its UTF-8 bytes. */
type Serialised = readonly [json: string, bytes: number]

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

// Nesting the quick route copies; deeper (or cyclic) data takes the full route.
const MAX_PLAIN_DEPTH = 4

/**
 * One quick sizing's count: what the full route's replacer would count for what `plainCopy` has
 * copied so far (see `serialise`: a key's length and 4 per entry, a string's length, 8 per other
 * primitive), and the most it may come to. One per sizing, not shared: a getter the copy reads
 * may size another event.
 */
interface Walk {
  work: number
  readonly room: number
}

/**
 * A copy of `value` down to its primitives (a snapshot: the event may change after `emit`),
 * counted in `walk`; undefined when `value` is not plain data the quick route may take: a
 * `toJSON`, a prototype other than Object's or Array's, a bigint, symbol or function, an own
 * `__proto__` key, too deep, or more work than the walk's room. Reads lengths, never text.
 */
const plainCopy = (value: object, walk: Walk, depth: number): Record<string, unknown> | undefined => {
  if (depth > MAX_PLAIN_DEPTH) return undefined
  const isArray = Array.isArray(value)
  const proto: unknown = Object.getPrototypeOf(value)
  if (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) return undefined
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return undefined
  const copy: Record<string, unknown> = isArray ? ([] as never) : {}
  const fields = value as Record<string, unknown>
  // The keys JSON.stringify reads: an array's by index (a sparse one holds nulls; read one by
  // one, so that the work bound stops a long one early), an object's own.
  if (isArray) {
    for (let i = 0; i < (value as ReadonlyArray<unknown>).length; i++)
      if (!copyField(copy, String(i), fields[i], walk, depth)) return undefined
  } else for (const key of Object.keys(value)) if (!copyField(copy, key, fields[key], walk, depth)) return undefined
  return copy
}

/** Copies one entry (see `plainCopy`); false when it is not plain data or the work is over the room. */
const copyField = (copy: Record<string, unknown>, key: string, field: unknown, walk: Walk, depth: number): boolean => {
  // Set on a copy, an own `__proto__` key would set its prototype instead: the full route keeps it.
  if (key === "__proto__") return false
  walk.work += key.length + 4
  switch (typeof field) {
    case "string":
      walk.work += field.length
      break
    case "number":
    case "boolean":
    case "undefined":
      walk.work += 8
      break
    case "object":
      if (field === null) walk.work += 8
      else if ((field = plainCopy(field, walk, depth + 1)) === undefined) return false
      break
    default:
      return false
  }
  copy[key] = field
  return walk.work <= walk.room
}

/**
 * `value` as the full route would serialise it, taken the quick way: plain data, copied with
 * the enrichment as `{ ...value, env, serviceKey }` adds it, and work that bounds its size
 * within `maxEventBytes`. Undefined otherwise (nothing is refused here; the full route decides).
 *
 * It is not serialised now: its JSON is made from the copy when first read (see `SizedEvent`),
 * at flush or when the outbox stores it. Each character of a JSON string takes at most 6 bytes
 * (an escape like `\u0001`), and the work counts each entry's quotes, colon and comma, and 8 for
 * a number or literal (at most 24 characters), so six times the work, plus the braces, bounds
 * the event's bytes. Events of more than about a sixth of `maxEventBytes` take the full route.
 */
const plainSized = (value: object, limits: EventSizeLimits): SizedEvent | undefined => {
  const walk: Walk = { work: 0, room: (Math.min(limits.maxEventBytes, limits.maxBatchBytes) - 2) / 6 }
  const copy = plainCopy(value, walk, 0)
  if (
    copy === undefined ||
    !copyField(copy, "env", limits.env, walk, 0) ||
    !copyField(copy, "serviceKey", limits.serviceKey, walk, 0)
  )
    return undefined
  return new SizedEvent(
    eventIdOf(copy),
    () => {
      const json = JSON.stringify(copy)
      return [json, utf8Length(json)]
    },
    false
  )
}

/** A sizer for one tracker's limits: what a sink calls at every `emit`. */
export const makeEventSizer =
  (limits: EventSizeLimits): ((event: unknown) => SizingResult) =>
  (event) => {
    const value = topLevelObject(event)
    if (value === undefined) return "unserializable"
    if (!quickSizing) return sizeValue(value, limits)
    try {
      const quick = plainSized(value, limits)
      if (quick !== undefined) return quick
    } catch {
      // A throwing getter: the full route says so.
    }
    return sizeValue(value, limits)
  }

let quickSizing = true

/**
 * Whether sizers take the quick route where it applies (default true). The bench turns it off
 * to measure the full route in the same run.
 */
export const setQuickSizing = (enabled: boolean): void => {
  quickSizing = enabled
}

/** Serialises `event` within `limits`, cutting strings if it must; or says why it cannot be sent. */
export const sizeEvent = (event: unknown, limits: EventSizeLimits): SizingResult => makeEventSizer(limits)(event)

/**
 * `sizeEvent` by the full route alone: a replacer that counts the work and cuts strings. The
 * quick route gives the same result where it applies (tested); the bench measures both.
 */
export const sizeEventInFull = (event: unknown, limits: EventSizeLimits): SizingResult => {
  const value = topLevelObject(event)
  return value === undefined ? "unserializable" : sizeValue(value, limits)
}

/**
 * What JSON.stringify serialises at the top of `event` (resolved first, so that the enrichment
 * is not lost to a toJSON), when it is a JSON object; undefined otherwise, or when toJSON throws.
 */
const topLevelObject = (event: unknown): object | undefined => {
  try {
    const value = jsonValueOf(event)
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** The full route for a resolved top-level object. */
const sizeValue = (value: object, limits: EventSizeLimits): SizingResult => {
  let enriched: object
  try {
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
    if (bytes <= limits.maxEventBytes) return new SizedEvent(eventId, [result.json, bytes], result.cut)
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
 * UTF-8 bytes of `event` as sent with this enrichment (a vocabulary's largest event, say: a size
 * limit below it cuts or drops events of that vocabulary).
 */
export const eventBytesAsSent = (
  event: Readonly<Record<string, unknown>>,
  enrichment: { readonly env: string; readonly serviceKey: string }
): number => utf8Length(JSON.stringify({ ...event, env: enrichment.env, serviceKey: enrichment.serviceKey }))
