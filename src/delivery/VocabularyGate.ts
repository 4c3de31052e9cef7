/**
 * The `vocabularies` option's value, made by `vocabularyGate(...)`: the vocabularies a tracker
 * carries, and the check it makes of each event at `emit` (a map lookup by type and the
 * vocabulary's own `accepts`, no Schema decode), with the refusal that names what an event lacks.
 * The value carries that code, so that a tracker imports none of it and a Worker whose trackers
 * are told no vocabularies bundles none of it (issue 25).
 */

import type { AnyVocabulary } from "../event/Vocabulary.js"
import { notAnEvent, typeOf, type VocabularyGate, type VocabularyGateParts } from "./EmitGate.js"

const isVocabulary = (v: Partial<AnyVocabulary> | null): boolean =>
  typeof v?.name === "string" &&
  Array.isArray(v.types) &&
  typeof v.accepts === "function" &&
  typeof v.attributeName === "function"

/**
 * The vocabularies a tracker carries, for its `vocabularies` option (HTTP batch, Queue,
 * OpenTelemetry logs and in-memory trackers). An event none of them accepts is refused at `emit`
 * (counted as `unknownVocabulary`, said once, by its type and what it lacks, never its body), and
 * the tracker's byte limits are checked against the largest event among them. The tracker is
 * typed by their events. Told none, a tracker carries any object with a string `type`.
 *
 * @example
 * ```ts
 * import { HttpBatchTracker, jobEvents, vocabularyGate } from "durable-effect-tracking"
 *
 * export const tracker = HttpBatchTracker.layer({
 *   endpoint: "https://collector.example.com/events",
 *   env: "production",
 *   serviceKey: "orders",
 *   vocabularies: vocabularyGate(jobEvents)
 * })
 * ```
 *
 * @category Trackers
 */
export const vocabularyGate = <const V extends readonly [AnyVocabulary, ...ReadonlyArray<AnyVocabulary>]>(
  ...vocabularies: V
): VocabularyGate<V[number]> => {
  const valid = vocabularies.length > 0 && vocabularies.every(isVocabulary)
  // One lookup by type; a type two vocabularies share is tried against each, in the order given.
  const byType = new Map<string, Array<AnyVocabulary>>()
  if (valid)
    for (const vocabulary of vocabularies)
      for (const type of vocabulary.types) byType.set(type, [...(byType.get(type) ?? []), vocabulary])
  const names = vocabularies.map((v: Partial<AnyVocabulary> | null) => v?.name).join(", ")
  const parts: VocabularyGateParts = {
    _tag: "VocabularyGate",
    vocabularies,
    issues: valid ? [] : ["vocabularyGate(...) takes one or more vocabularies (defineVocabulary)"],
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
        // Told vocabularies, an object's own `type` decides (a `toJSON` does not stand in for it).
        if (type === undefined) return `${notAnEvent(event, "")}; this tracker carries the vocabularies ${names}`
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
  return parts as VocabularyGate<V[number]>
}
