/**
 * Entries for a package's exported functions (combinators such as `Workflow.step(config)` that
 * return an Effect), typed against the functions and the vocabulary of their events, as
 * `serviceEvents` types a service's entries.
 */

import type { Effect } from "effect"
import type { AnyVocabulary } from "../event/Vocabulary.js"
import type { EffectMethodKeys, EventMap, FunctionEvents, FunctionsEvents } from "./EventMap.js"

/**
 * Typed function entries for a namespace of exports `NS` in the vocabulary `V`: a misspelt
 * function, an event type `V` does not have or a field of the wrong type is a compile error.
 *
 * @category Instrumentation
 */
export type FunctionEntriesOf<NS, V = AnyVocabulary> = {
  readonly [K in EffectMethodKeys<NS>]?: NS[K] extends (...args: infer Args) => Effect.Effect<infer A, infer E, any>
    ? FunctionEvents<Args, A, E, V>
    : never
}

/**
 * Entries for the functions a namespace exports, typed against the namespace object and the
 * vocabulary of their events; `namespace` names it in events' sources, spans and the map
 * (`trackExports` finds the entries by it).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { defineVocabulary, functionEvents } from "durable-effect-tracking"
 *
 * type ChargeFailed = {
 *   readonly eventId: string
 *   readonly timestamp: string
 *   readonly type: "charge.failed"
 *   readonly account: string
 *   readonly attempt: number
 * }
 * export const payments = defineVocabulary<ChargeFailed, "account">({
 *   name: "payments",
 *   types: ["charge.failed"],
 *   context: ["account"]
 * })
 * export const Payments = {
 *   charge: (account: string, attempt: number) => (attempt > 1 ? Effect.void : Effect.fail("declined"))
 * }
 *
 * // Typed against the functions and the vocabulary: a misspelt function, an unknown event type
 * // or a wrong field does not compile.
 * export const chargeEvents = functionEvents(payments, Payments, "Payments", {
 *   charge: { failure: { "charge.failed": ({ args: [account, attempt] }) => ({ account, attempt }) } }
 * })
 * ```
 *
 * @category Instrumentation
 */
export const functionEvents = <V extends AnyVocabulary, NS extends object>(
  vocabulary: V,
  _exports: NS,
  namespace: string,
  entries: FunctionEntriesOf<NS, V>
): EventMap<V> => ({ vocabulary, services: {}, functions: { [namespace]: entries as FunctionsEvents<V> } })

/**
 * Entries for a namespace known only by its shape: how a library writes entries for a package it
 * does not import (`functionEventsByName<Shape>()(vocabulary, "Workflow", entries)`).
 *
 * @category Instrumentation
 */
export const functionEventsByName =
  <NS>() =>
  <V extends AnyVocabulary>(vocabulary: V, namespace: string, entries: FunctionEntriesOf<NS, V>): EventMap<V> => ({
    vocabulary,
    services: {},
    functions: { [namespace]: entries as FunctionsEvents<V> }
  })
