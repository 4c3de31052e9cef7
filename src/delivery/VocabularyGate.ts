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
  /**
   * The told vocabulary that accepts `event`; undefined when none does, or none was told.
   * Never throws.
   */
  readonly vocabularyOf: (event: unknown) => AnyVocabulary | undefined
  /** Why `event` is refused: its type (or that it has none) and the vocabularies told. Never throws. */
  readonly refusal: (event: unknown) => string
}

/** Adds a problem with the `vocabularies` option to `issues`; gives the vocabularies (or undefined). */
export const checkVocabularies = (issues: Array<string>, value: unknown): ReadonlyArray<AnyVocabulary> | undefined => {
  if (value === undefined) return undefined
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (v: Partial<AnyVocabulary> | null) =>
        typeof v?.name === "string" &&
        Array.isArray(v.types) &&
        typeof v.accepts === "function" &&
        typeof v.attributeName === "function"
    )
  if (valid) return value
  issues.push("vocabularies must be a non-empty array of vocabularies (defineVocabulary)")
  return undefined
}

const typeOf = (event: unknown): string | undefined => {
  const type: unknown = (event as { readonly type?: unknown } | null)?.type
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
      typeof event === "object" &&
      event !== null &&
      (typeOf(event) !== undefined || typeof (event as { readonly toJSON?: unknown }).toJSON === "function")
    )
  } catch {
    // A throwing getter: not an event the tracker can carry.
    return false
  }
}

export const makeVocabularyGate = (vocabularies: ReadonlyArray<AnyVocabulary> | undefined): VocabularyGate => {
  // One lookup by type; a type two vocabularies share is tried against each, in the order told.
  const byType = new Map<string, Array<AnyVocabulary>>()
  for (const vocabulary of vocabularies ?? [])
    for (const type of vocabulary.types) byType.set(type, [...(byType.get(type) ?? []), vocabulary])
  const names = vocabularies?.map((v) => v.name).join(", ")
  return {
    told: vocabularies,
    vocabularyOf: (event) => {
      try {
        return byType.get(typeOf(event)!)?.find((v) => v.accepts(event))
      } catch {
        return undefined
      }
    },
    refusal: (event) => {
      try {
        const type = typeOf(event)
        if (type === undefined) {
          // Told vocabularies, an object's own `type` decides (a `toJSON` does not stand in for it).
          const what =
            Array.isArray(event) || typeof event !== "object" || event === null
              ? `${Array.isArray(event) ? "an array" : event === null ? "null" : `a ${typeof event}`}, not an event object`
              : `an object without a string type${names === undefined ? " or a toJSON" : ""}`
          return names === undefined ? what : `${what}; this tracker carries the vocabularies ${names}`
        }
        const shown = JSON.stringify(type.length > 80 ? `${type.slice(0, 80)}…` : type)
        const candidates = byType.get(type)
        if (candidates === undefined) return `type ${shown} is of none of the vocabularies ${names}`
        // Known type, not accepted: say which context keys or constants it lacks (names, no values).
        const record = event as Record<string, unknown>
        const lacking = candidates.map((v) => {
          const what = [
            ["context", v.context.filter((key: string) => record[key] === undefined)] as const,
            ["constants", Object.keys(v.constants).filter((key) => record[key] !== v.constants[key])] as const
          ].flatMap(([part, keys]) => (keys.length > 0 ? [`${part} ${keys.join(", ")}`] : []))
          return `${v.name} (${what.length > 0 ? `lacks ${what.join("; ")}` : "not accepted"})`
        })
        return `type ${shown} is not accepted by ${lacking.join(", ")}`
      } catch {
        // A getter that throws leaves it undescribed.
        return "an event whose fields cannot be read"
      }
    }
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
  const refuse = (event: unknown) => Effect.sync(() => note(unknownVocabulary, 1, undefined, gate.refusal(event)))
  return {
    emit: (event) => {
      const vocabulary = gate.vocabularyOf(event)
      return vocabulary !== undefined || (gate.told === undefined && isEvent(event))
        ? emit(event, vocabulary)
        : refuse(event)
    },
    refused: () => counts[unknownVocabulary]
  }
}
