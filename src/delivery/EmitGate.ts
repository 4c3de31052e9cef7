/**
 * What a tracker carries: the events of the vocabularies it was told about (its `vocabularies`
 * option, a {@link VocabularyGate} that brings its own check: VocabularyGate.ts), or, told none,
 * any object with a string `type` (or a `toJSON` giving the event). The check runs at `emit`,
 * before any buffering or sizing. A refused event is counted and said once per tracker; the line
 * names its type and the vocabularies told, never its body.
 */

import { Effect } from "effect"
import type { AnyVocabulary } from "../event/Vocabulary.js"
import { makeDropNotice } from "./DropNotice.js"

export type { AnyVocabulary }

/**
 * The vocabularies a tracker carries, as its `vocabularies` option takes them: made by
 * `vocabularyGate(...)` (VocabularyGate.ts). `V`: the union of those vocabularies, which types the tracker's events.
 *
 * @category Trackers
 */
export interface VocabularyGate<V extends AnyVocabulary = AnyVocabulary> {
  readonly _tag: "VocabularyGate"
  /** The vocabularies, in the order given. */
  readonly vocabularies: ReadonlyArray<V>
}

/** What a {@link VocabularyGate} is to the tracker given it. */
export interface VocabularyGateParts extends VocabularyGate {
  /** Problems with the vocabularies given: the tracker reports them with its own. */
  readonly issues: ReadonlyArray<string>
  /** The vocabulary that accepts `event`; undefined when none does. Never throws. */
  readonly vocabularyOf: (event: unknown) => AnyVocabulary | undefined
  /** Why `event` is refused: its type (or that it has none) and the vocabularies. Never throws. */
  readonly refusal: (event: unknown) => string
}

/**
 * The `vocabularies` option of a tracker: the event vocabularies it carries. Without it, a
 * tracker carries any object with a string `type`.
 *
 * @category Trackers
 */
export interface TrackerVocabulariesOption {
  /**
   * The vocabularies whose events this tracker carries, as `vocabularyGate(...)` makes them; an
   * event none of them accepts is refused at `emit` (counted as `unknownVocabulary`, said once).
   * Also what its byte limits are checked against: the largest event among them. Default: any
   * object with a string `type`.
   */
  readonly vocabularies?: VocabularyGate | undefined
}

/** The refusal cause, as the trackers count it. */
export const unknownVocabulary = "unknownVocabulary" as const

/**
 * Adds a problem with the `vocabularies` option (and the gate's own) to `issues`; gives the gate
 * (or undefined).
 */
export const checkVocabularies = (issues: Array<string>, value: unknown): VocabularyGateParts | undefined => {
  if (value === undefined) return undefined
  const gate = value as Partial<VocabularyGateParts> | null
  // A look-alike not made by vocabularyGate (no issues list) is refused like any other value.
  if (gate?._tag === "VocabularyGate" && Array.isArray(gate.issues)) {
    issues.push(...gate.issues)
    return gate as VocabularyGateParts
  }
  issues.push("vocabularies must be made by vocabularyGate(...)")
  return undefined
}

export const typeOf = (event: unknown): string | undefined => {
  const type: unknown = (event as { readonly type?: unknown } | null)?.type
  return typeof type === "string" ? type : undefined
}

/**
 * What `event`, which has no string `type`, is: "null, not an event object", "an object without
 * a string type" followed by `lacking` (" or a toJSON" for a tracker told no vocabularies).
 */
export const notAnEvent = (event: unknown, lacking: string): string =>
  Array.isArray(event) || typeof event !== "object" || event === null
    ? `${Array.isArray(event) ? "an array" : event === null ? "null" : `a ${typeof event}`}, not an event object`
    : `an object without a string type${lacking}`

/**
 * Told no vocabularies: an object with a string `type`, or one with a `toJSON` (what it gives is
 * what is sent; the sink refuses it, as unserializable, when that is no JSON object). Not
 * `toJSON` called here: an event is serialised once, by the sink.
 */
const isEvent = (event: unknown): boolean => {
  try {
    return (
      typeof event === "object" &&
      event !== null &&
      (typeOf(event) !== undefined || typeof (event as { readonly toJSON?: unknown }).toJSON === "function")
    )
  } catch {
    // A throwing getter: not an event the tracker can carry.
    return false
  }
}

// Told none, an event is refused only for not being one (what it is: read without a getter).
const untoldRefusal = (event: unknown): string => notAnEvent(event, " or a toJSON")

/** A tracker's `emit` behind its gate, and how many events the gate refused. */
export interface GatedEmit {
  readonly emit: (event: unknown) => Effect.Effect<void>
  readonly refused: () => number
}

/**
 * Puts `emit` behind `gate` (a tracker told no vocabularies has none): an accepted event reaches
 * it with its vocabulary (undefined when the tracker was told none); a refused one never does: it
 * is counted as `unknownVocabulary`, and the first one is said at warning level (from `module`,
 * with `annotations`, naming where it is counted: `counter`). The check is made when `emit` is
 * called (it only reads the event); the count when the Effect runs.
 */
export const gateEmit = (
  gate: VocabularyGateParts | undefined,
  emit: (event: unknown, vocabulary: AnyVocabulary | undefined) => Effect.Effect<void>,
  module: string,
  annotations?: Readonly<Record<string, unknown>>,
  counter?: (cause: typeof unknownVocabulary) => string
): GatedEmit => {
  const counts = { [unknownVocabulary]: 0 }
  const note = makeDropNotice(counts, module, annotations, counter)
  const refuse = (event: unknown) =>
    Effect.sync(() => note(unknownVocabulary, 1, undefined, (gate?.refusal ?? untoldRefusal)(event)))
  return {
    emit: (event) => {
      const vocabulary = gate?.vocabularyOf(event)
      return vocabulary !== undefined || (gate === undefined && isEvent(event))
        ? emit(event, vocabulary)
        : refuse(event)
    },
    refused: () => counts[unknownVocabulary]
  }
}
