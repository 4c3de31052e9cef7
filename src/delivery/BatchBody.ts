/**
 * The wire body of the HTTP tracker, `{"events":[...]}`, built from events serialised one
 * by one so that the byte size of a batch is known before the request is made.
 */

const PREFIX = '{"events":['
const SUFFIX = "]}"

const ASCII_ONLY = /^[\x00-\x7f]*$/

/** UTF-8 length of a string, without allocating its encoding. */
export const utf8Length = (text: string): number => {
  // ASCII only (the usual case): one byte per character, found by the engine's own scan.
  if (ASCII_ONLY.test(text)) return text.length
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}

/** Bytes a batch of one event of `eventBytes` takes: the envelope plus the event. */
export const singleEventBodyBytes = (eventBytes: number): number => utf8Length(PREFIX) + eventBytes + utf8Length(SUFFIX)

/** Bytes of a batch after adding an event of `eventBytes` to one of `count` events and `bytes`. */
export const bodyBytesWith = (count: number, bytes: number, eventBytes: number): number =>
  count === 0 ? singleEventBodyBytes(eventBytes) : bytes + 1 + eventBytes

/** An encoded event: its JSON and the UTF-8 size of that JSON. */
export interface EncodedEvent {
  readonly json: string
  readonly bytes: number
}

/**
 * What `JSON.stringify` serialises for an event at the top level: its `toJSON()` result if it
 * has one. May throw (a throwing `toJSON` or getter); callers catch.
 */
export const jsonValueOf = (event: unknown): unknown => {
  const toJSON: unknown =
    typeof event === "object" && event !== null ? (event as { toJSON?: unknown }).toJSON : undefined
  return typeof toJSON === "function" ? toJSON.call(event) : event
}

/**
 * The event as sent: its own fields plus `env` and `serviceKey` (which win over fields of the
 * same name). Undefined when the event is not a plain JSON object (or cannot be serialised).
 */
export const encodeEvent = (
  event: unknown,
  enrichment: { readonly env: string; readonly serviceKey: string }
): EncodedEvent | undefined => {
  try {
    // Resolved first, so that the enrichment is not lost to a toJSON.
    const value = jsonValueOf(event)
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined
    const json = JSON.stringify({ ...value, env: enrichment.env, serviceKey: enrichment.serviceKey })
    return typeof json === "string" ? { json, bytes: utf8Length(json) } : undefined
  } catch {
    // Circular structures, BigInts, throwing getters or toJSON: the event cannot be sent.
    return undefined
  }
}

/** The request body for encoded events. */
export const batchBody = (events: ReadonlyArray<EncodedEvent>): string =>
  PREFIX + events.map((event) => event.json).join(",") + SUFFIX
