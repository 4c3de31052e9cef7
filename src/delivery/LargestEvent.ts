/**
 * The largest event a tracker must be able to send whole, which its byte limits are checked
 * against when it is created: the largest `largestEvent` of the vocabularies it was told about,
 * or, told none, a floor that holds for any vocabulary this library's instrumentation builds.
 */

import { errorSummaryAtCaps, largestName } from "../event/eventBounds.js"
import { eventBytesAsSent } from "./EventSize.js"
import type { AnyVocabulary } from "../event/Vocabulary.js"

/**
 * The floor of a tracker told no vocabularies: the envelope the default builder gives every
 * event (a UUID `eventId`, an ISO `timestamp`, a 64-character `type`) and a failure's error
 * summary at its caps (message, cause and the opt-in stack cut at `maxErrorMessageLength` and
 * `maxErrorStackLength`, tags of 64 characters).
 *
 * Why it is a sound floor: whatever the vocabulary, the instrumentation reports a failure as
 * this summary, cut at these caps, so a limit below it would cut or drop failures of every
 * vocabulary, and a tracker refuses it. It counts no field of any vocabulary beyond that
 * envelope, so it never refuses a limit some vocabulary's events fit in: it is a minimum, not a
 * guarantee. A tracker told its `vocabularies` checks against their own largest events instead.
 */
export const genericLargestEvent: Readonly<Record<string, unknown>> = {
  eventId: "00000000-0000-7000-8000-000000000000",
  timestamp: "2026-01-01T00:00:00.000Z",
  type: largestName,
  error: errorSummaryAtCaps
}

/** The bytes of the largest event, as sent, and what it is (for a configuration issue to name). */
export interface LargestEvent {
  readonly bytes: number
  /** "the largest event of vocabulary jobs", "the generic floor: …". */
  readonly of: string
}

const floorOf = "the generic floor: an event with an error summary at its caps"

// Each largest event weighed once per enrichment: a tracker is checked when it is made (a jobs
// runtime makes one per instance), and serialising kilobytes of it was most of what making an
// HTTP tracker cost. Held weakly: the events are the vocabularies' own constants.
const weighed = new WeakMap<object, { readonly env: string; readonly serviceKey: string; readonly bytes: number }>()

const bytesAsSent = (
  event: Readonly<Record<string, unknown>>,
  enrichment: { readonly env: string; readonly serviceKey: string }
): number => {
  const last = weighed.get(event)
  if (last !== undefined && last.env === enrichment.env && last.serviceKey === enrichment.serviceKey) return last.bytes
  const bytes = eventBytesAsSent(event, enrichment)
  weighed.set(event, { env: enrichment.env, serviceKey: enrichment.serviceKey, bytes })
  return bytes
}

/**
 * The largest event as sent with this enrichment: the largest `largestEvent` among
 * `vocabularies` (one that gives none counts as the generic floor), or the generic floor when
 * none are told.
 */
export const largestEventAsSent = (
  vocabularies: ReadonlyArray<AnyVocabulary> | undefined,
  enrichment: { readonly env: string; readonly serviceKey: string }
): LargestEvent => {
  let largest: LargestEvent | undefined
  // Told none, the floor alone is weighed.
  for (const vocabulary of vocabularies?.length ? vocabularies : [undefined]) {
    const event = vocabulary?.largestEvent
    const one = {
      bytes: bytesAsSent(event ?? genericLargestEvent, enrichment),
      of:
        vocabulary === undefined
          ? floorOf
          : event === undefined
            ? `${floorOf} (vocabulary ${vocabulary.name} gives no largestEvent)`
            : `the largest event of vocabulary ${vocabulary.name}`
    }
    if (largest === undefined || one.bytes > largest.bytes) largest = one
  }
  return largest!
}
