import type { AnyVocabulary, EventTypeOf } from "../event/Vocabulary.js"
import { functionPhases, type EventMap } from "./EventMap.js"

/**
 * Which event types an event map emits from which `Service.method`, and which it never emits.
 *
 * @category Instrumentation
 */
export interface CoverageReport<T extends string = string> {
  /**
   * Every event type of the map's vocabulary, in its order, with the `Service.method`s (the
   * `Service.path`s of its `reached` entries, and the `Namespace.function`s of its function
   * entries) that emit it.
   */
  readonly events: ReadonlyArray<{ readonly type: T; readonly sources: ReadonlyArray<string> }>
  readonly produced: number
  readonly total: number
  /** The event types no entry emits. */
  readonly missing: ReadonlyArray<T>
}

/**
 * Which event types come from which `Service.method` or `Namespace.function`, and which are not
 * produced at all.
 *
 * @category Instrumentation
 */
export const describeCoverage = <V extends AnyVocabulary>(eventMap: EventMap<V>): CoverageReport<EventTypeOf<V>> => {
  type T = EventTypeOf<V>
  const types: ReadonlyArray<T> = eventMap.vocabulary.types
  const sources = new Map<T, Array<string>>(types.map((type) => [type, []]))
  const add = (source: string, phases: ReadonlyArray<object | undefined>) => {
    for (const phase of phases) {
      for (const type of Object.keys(phase ?? {})) {
        const list = sources.get(type as T)
        if (list !== undefined && !list.includes(source)) list.push(source)
      }
    }
  }
  for (const entry of [...Object.values(eventMap.services), ...Object.values(eventMap.reached?.services ?? {})]) {
    for (const [method, events] of Object.entries(entry.methods))
      add(`${entry.service}.${method}`, [events.before, events.success, events.failure])
  }
  for (const [namespace, entries] of Object.entries(eventMap.functions ?? {})) {
    for (const [name, entry] of Object.entries(entries)) add(`${namespace}.${name}`, functionPhases(entry))
  }
  const events = types.map((type) => ({ type, sources: sources.get(type) ?? [] }))
  const missing = events.filter((event) => event.sources.length === 0).map((event) => event.type)
  return { events, produced: events.length - missing.length, total: events.length, missing }
}
