/**
 * What a tracker carries: the events of the vocabularies it was told about (its `vocabularies`
 * option), or, told none, any object with a string `type` (or a `toJSON` giving the event). The check runs at `emit`, before any
 * buffering or sizing, and is cheap: a map lookup by type and the vocabulary's own `accepts`
 * (no Schema decode). A refused event is counted and said once per tracker; the line names its
 * type and the vocabularies told, never its body.
 */

import { Effect } from "effect"
import type { AnyVocabulary, EventShape } from "../event/Vocabulary.js"

export type { AnyVocabulary }
import { makeDropNotice } from "./DropNotice.js"

/**
 * The `vocabularies` option of a tracker: the event vocabularies it carries. Without it, a
 * tracker carries any object with a string `type`.
 *
 * @category Trackers
 */
export interface TrackerVocabulariesOption {
  /**
   * The vocabularies whose events this tracker carries; an event none of them accepts is refused
   * at `emit` (counted as `unknownVocabulary`, said once). Also what its byte limits are checked
   * against: the largest event among them. Default: any object with a string `type`.
   */
  readonly vocabularies?: ReadonlyArray<AnyVocabulary> | undefined
}

/** The refusal cause, as the trackers count it. */
export const unknownVocabulary = "unknownVocabulary" as const

export interface VocabularyGate {
  /** The vocabularies told; undefined when none were. */
  readonly told: ReadonlyArray<AnyVocabulary> | undefined
  /** Whether the tracker carries `event`. Never throws. */
  readonly admits: (event: unknown) => boolean
  /**
   * The told vocabulary that accepts `event`; undefined when none does, or none was told.
   * Never throws.
   */
  readonly vocabularyOf: (event: unknown) => AnyVocabulary | undefined
  /** Why `event` is refused: its type (or that it has none) and the vocabularies told. */
  readonly refusal: (event: unknown) => string
}

const isVocabulary = (value: unknown): value is AnyVocabulary => {
  if (typeof value !== "object" || value === null) return false
  const v = value as Partial<AnyVocabulary>
  return (
    typeof v.name === "string" &&
    Array.isArray(v.types) &&
    typeof v.accepts === "function" &&
    typeof v.attributeName === "function"
  )
}

/** Adds a problem with the `vocabularies` option to `issues`; gives the vocabularies (or undefined). */
export const checkVocabularies = (issues: Array<string>, value: unknown): ReadonlyArray<AnyVocabulary> | undefined => {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.length === 0 || !value.every(isVocabulary)) {
    issues.push("vocabularies must be a non-empty array of vocabularies (defineVocabulary)")
    return undefined
  }
  return value
}

const typeOf = (event: unknown): string | undefined => {
  if (typeof event !== "object" || event === null) return undefined
  const type: unknown = (event as { readonly type?: unknown }).type
  return typeof type === "string" ? type : undefined
}

/**
 * Told no vocabularies: an object with a string `type`, or one with a `toJSON` (what it gives is
 * what is sent; the sink refuses it, as unserializable, when that is no JSON object). Not
 * `toJSON` called here: an event is serialised once, by the sink.
 */
const isEvent = (event: unknown): event is EventShape => {
  try {
    return (
      typeOf(event) !== undefined ||
      (typeof event === "object" &&
        event !== null &&
        typeof (event as { readonly toJSON?: unknown }).toJSON === "function")
    )
  } catch {
    // A throwing getter: not an event the tracker can carry.
    return false
  }
}

const shownType = (type: string): string => JSON.stringify(type.length > 80 ? `${type.slice(0, 80)}…` : type)

// Told vocabularies, an object's own `type` decides (a `toJSON` does not stand in for it).
const describeNonEvent = (event: unknown, told = false): string =>
  Array.isArray(event) || typeof event !== "object" || event === null
    ? `${Array.isArray(event) ? "an array" : event === null ? "null" : `a ${typeof event}`}, not an event object`
    : told
      ? "an object without a string type"
      : "an object without a string type or a toJSON"

export const makeVocabularyGate = (vocabularies: ReadonlyArray<AnyVocabulary> | undefined): VocabularyGate => {
  if (vocabularies === undefined) {
    return {
      told: undefined,
      admits: isEvent,
      vocabularyOf: () => undefined,
      refusal: (event) => describeNonEvent(event)
    }
  }
  // One lookup by type; a type two vocabularies share is tried against each, in the order told.
  const byType = new Map<string, Array<AnyVocabulary>>()
  for (const vocabulary of vocabularies) {
    for (const type of vocabulary.types) {
      const list = byType.get(type)
      if (list === undefined) byType.set(type, [vocabulary])
      else list.push(vocabulary)
    }
  }
  const names = vocabularies.map((v) => v.name).join(", ")

  const vocabularyOf = (event: unknown): AnyVocabulary | undefined => {
    try {
      const type = typeOf(event)
      const candidates = type === undefined ? undefined : byType.get(type)
      if (candidates === undefined) return undefined
      for (let i = 0; i < candidates.length; i++) if (candidates[i]!.accepts(event)) return candidates[i]
      return undefined
    } catch {
      return undefined
    }
  }

  const refusal = (event: unknown): string => {
    const type = typeOf(event)
    if (type === undefined) return `${describeNonEvent(event, true)}; this tracker carries the vocabularies ${names}`
    const candidates = byType.get(type)
    if (candidates === undefined) return `type ${shownType(type)} is of none of the vocabularies ${names}`
    // Known type, not accepted: say which context keys or constants it lacks (names, no values).
    const record = event as Record<string, unknown>
    const lacking = candidates.map((v) => {
      const missing = v.context.filter((key: string) => record[key] === undefined)
      const wrong = Object.keys(v.constants).filter((key) => record[key] !== v.constants[key])
      const what = [
        ...(missing.length > 0 ? [`context ${missing.join(", ")}`] : []),
        ...(wrong.length > 0 ? [`constants ${wrong.join(", ")}`] : [])
      ]
      return `${v.name} (${what.length > 0 ? `lacks ${what.join("; ")}` : "not accepted"})`
    })
    return `type ${shownType(type)} is not accepted by ${lacking.join(", ")}`
  }

  return { told: vocabularies, admits: (event) => vocabularyOf(event) !== undefined, vocabularyOf, refusal }
}

/** Why an event is refused, never throwing (a getter that throws leaves it undescribed). */
const refusalOf = (gate: VocabularyGate, event: unknown): string => {
  try {
    return gate.refusal(event)
  } catch {
    return "an event whose fields cannot be read"
  }
}

/** A tracker's `emit` behind its gate, and how many events the gate refused. */
export interface GatedEmit {
  readonly emit: (event: unknown) => Effect.Effect<void>
  readonly refused: () => number
}

/**
 * Puts `emit` behind `gate`: an accepted event reaches it with its vocabulary (undefined when
 * the tracker was told none); a refused one never does: it is counted as `unknownVocabulary`,
 * and the first one is said at warning level (from `module`, with `annotations`, naming where
 * it is counted: `counter`). The check is made when `emit` is called (it only reads the event);
 * the count when the Effect runs.
 */
export const gateEmit = (
  gate: VocabularyGate,
  emit: (event: unknown, vocabulary: AnyVocabulary | undefined) => Effect.Effect<void>,
  module: string,
  annotations?: Readonly<Record<string, unknown>>,
  counter?: (cause: typeof unknownVocabulary) => string
): GatedEmit => {
  const counts = { [unknownVocabulary]: 0 }
  const note = makeDropNotice(counts, module, annotations, counter)
  const refuse = (event: unknown) => Effect.sync(() => note(unknownVocabulary, 1, undefined, refusalOf(gate, event)))
  return {
    emit:
      gate.told === undefined
        ? (event) => (isEvent(event) ? emit(event, undefined) : refuse(event))
        : (event) => {
            const vocabulary = gate.vocabularyOf(event)
            return vocabulary === undefined ? refuse(event) : emit(event, vocabulary)
          },
    refused: () => counts[unknownVocabulary]
  }
}
