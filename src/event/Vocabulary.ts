/**
 * An event vocabulary: the event types a family of events has, the context every event needs
 * before it can be sent (the keys that say what it is about: a job's instance, type and name; a
 * workflow's id and name; a user's account), how an event is built (id, timestamp, constant
 * fields) and how it is checked (a Schema). Instrumentation, maps, coverage and trackers are
 * written against a vocabulary, never against one package's events.
 *
 * The Schema is optional and only imported as a type here: a vocabulary used at run time by
 * event maps and trackers needs no `effect/Schema`, which keeps a Worker bundle lean. Give it
 * where events are decoded (a collector, tests).
 */

import type { Schema } from "effect"
import { newEventId } from "./eventId.js"
import { isoTimestamp } from "./timestamp.js"

/**
 * The least every event of every vocabulary has: a `type`.
 *
 * @category Vocabularies
 */
export interface EventShape {
  readonly type: string
}

/**
 * What an event is built from: its type, the fields its recipe gave, the context values the
 * vocabulary asks for (every required key present) and when it happened. The instrumentation
 * hands `build` one object of parts, reused for every event: a builder copies what it keeps.
 *
 * @category Vocabularies
 */
export interface EventParts {
  readonly type: string
  readonly fields: Readonly<Record<string, unknown>>
  readonly context: Readonly<Record<string, unknown>>
  readonly timestampMs: number
}

/**
 * An event vocabulary; make one with {@link defineVocabulary}.
 *
 * - `E`: the union of its events.
 * - `C`: the context keys every event needs before it can be sent.
 * - `K`: the keys its builder fills itself (id, timestamp, constants): recipes never give them.
 *
 * @category Vocabularies
 */
export interface Vocabulary<E extends EventShape = EventShape, C extends string = string, K extends string = string> {
  /** The vocabulary's name, as warnings and coverage show it (`"jobs"`, `"payments"`). */
  readonly name: string
  /** Every event type, in the order coverage lists them. */
  readonly types: ReadonlyArray<E["type"]>
  /**
   * The context keys an event needs before it can be sent. Each value is taken from the
   * recipe's fields first, then from the call's context (what the call and its callers
   * established or learnt), then from the request's outermost call. An event waits until every
   * key is known, and is dropped (counted, warned once) when the request ends without one.
   */
  readonly context: ReadonlyArray<C>
  /** Context keys copied into the event when known, never waited for. */
  readonly optionalContext: ReadonlyArray<string>
  /** Fields every event carries with the same value (`source: "job"`). */
  readonly constants: Readonly<Record<string, unknown>>
  /** Builds one event from its parts: id, timestamp, constants, fields, type, context. */
  readonly build: (parts: EventParts) => E
  /** How events are checked, where a decoder is wanted; absent keeps Schema out of a bundle. */
  readonly schema: Schema.Schema<E, any, never> | undefined
  /** The largest event the vocabulary produces, for trackers to check their byte limits against. */
  readonly largestEvent: Readonly<Record<string, unknown>> | undefined
  /** The attribute name for a context key in spans and log records (`job.instanceId`). */
  readonly attributeName: (key: string) => string
  /** Whether `type` is one of the vocabulary's types. */
  readonly hasType: (type: string) => boolean
  /** How grave an event of `type` is, for log records (`"info"` unless the vocabulary says). */
  readonly severity: (type: string) => EventSeverity
  /**
   * A cheap check at emit time: an object whose `type` is one of this vocabulary's, whose
   * required context keys are set and whose constants match. Not a full Schema decode.
   */
  readonly accepts: (event: unknown) => event is E
  /** Phantom: the keys the builder fills (never a recipe's). */
  readonly _builtKeys?: K
}

/**
 * How grave an event is: what a log record's severity is made from.
 *
 * @category Vocabularies
 */
export type EventSeverity = "info" | "warn" | "error"

/** Every field name some event of `E` has. */
type FieldOf<E> = E extends unknown ? keyof E & string : never

/**
 * How to define a vocabulary.
 *
 * @category Vocabularies
 */
export interface VocabularyOptions<E extends EventShape, C extends string, K extends string> {
  readonly name: string
  readonly types: ReadonlyArray<E["type"]>
  /** The context keys: each a field of some event of `E` (a misspelt key does not compile). */
  readonly context: ReadonlyArray<C & FieldOf<E>>
  readonly optionalContext?: ReadonlyArray<string>
  readonly constants?: Readonly<Record<string, unknown>>
  /** The id field (default `"eventId"`) and how ids are made (default UUIDv7, time-ordered). */
  readonly id?: { readonly field?: string; readonly make?: () => string }
  /** The timestamp field (default `"timestamp"`) and its form (default ISO 8601 text). */
  readonly timestamp?: { readonly field?: string; readonly format?: "iso" | "epochMs" }
  readonly schema?: Schema.Schema<E, any, never>
  readonly largestEvent?: Readonly<Record<string, unknown>>
  /** The prefix of attribute names (default the vocabulary's name): `<prefix>.<key>`. */
  readonly attributePrefix?: string
  /** Attribute names of particular context keys, overriding `<prefix>.<key>`. */
  readonly attributeNames?: Readonly<Partial<Record<string, string>>>
  /** Event types graver than `"info"` (failures, say), for log records' severity. */
  readonly severities?: Readonly<Partial<Record<E["type"], EventSeverity>>>
  /** Replaces the default builder (for speed, or for a layout of one's own). */
  readonly build?: (parts: EventParts) => E
  /**
   * A further cheap check `accepts` makes, after its own (type, context keys, constants): what
   * tells this vocabulary's events from another's of the same type.
   */
  readonly check?: (event: E) => boolean
  /** Phantom: the keys the builder fills. */
  readonly _builtKeys?: K
}

/**
 * Defines a vocabulary. Give its events' type as `E` (or a `schema`, from which it is read) and
 * list its types; the types list is checked against `E` where it is written.
 *
 * @example
 * ```ts
 * import { defineVocabulary } from "durable-effect-tracking"
 *
 * type PaymentEvent =
 *   | { eventId: string; timestamp: string; type: "payment.charged"; accountId: string; amountCents: number }
 *   | { eventId: string; timestamp: string; type: "payment.refunded"; accountId: string; amountCents: number }
 *
 * export const paymentEvents = defineVocabulary<PaymentEvent, "accountId">({
 *   name: "payments",
 *   types: ["payment.charged", "payment.refunded"],
 *   context: ["accountId"]
 * })
 * ```
 *
 * @category Vocabularies
 */
export const defineVocabulary = <
  E extends EventShape,
  C extends string = never,
  K extends string = "eventId" | "timestamp"
>(
  options: VocabularyOptions<E, C, K>
): Vocabulary<E, C, K> => {
  const types = [...options.types]
  const typeSet: ReadonlySet<string> = new Set(types)
  const context = [...options.context]
  const optionalContext = [...(options.optionalContext ?? [])]
  const constants = { ...options.constants }
  const idField = options.id?.field ?? "eventId"
  const makeId = options.id?.make ?? newEventId
  const timestampField = options.timestamp?.field ?? "timestamp"
  const epochMs = options.timestamp?.format === "epochMs"
  const constantKeys = Object.keys(constants)
  const prefix = options.attributePrefix ?? options.name
  const names = options.attributeNames ?? {}
  const severities: Readonly<Record<string, EventSeverity | undefined>> = options.severities ?? {}

  const build =
    options.build ??
    (({ type, fields, context: values, timestampMs }: EventParts): E => {
      const event: Record<string, unknown> = {}
      event[idField] = makeId()
      event[timestampField] = epochMs ? timestampMs : isoTimestamp(timestampMs)
      for (let i = 0; i < constantKeys.length; i++) event[constantKeys[i]!] = constants[constantKeys[i]!]
      for (const key in fields) event[key] = fields[key]
      event["type"] = type
      for (const key in values) if (values[key] !== undefined) event[key] = values[key]
      return event as unknown as E
    })

  const check = options.check
  const accepts = (event: unknown): event is E => {
    if (typeof event !== "object" || event === null) return false
    const record = event as Record<string, unknown>
    if (typeof record["type"] !== "string" || !typeSet.has(record["type"])) return false
    for (let i = 0; i < context.length; i++) if (record[context[i]!] === undefined) return false
    for (let i = 0; i < constantKeys.length; i++) {
      if (record[constantKeys[i]!] !== constants[constantKeys[i]!]) return false
    }
    return check === undefined || check(event as E)
  }

  return {
    name: options.name,
    types,
    context,
    optionalContext,
    constants,
    build,
    schema: options.schema,
    largestEvent: options.largestEvent,
    attributeName: (key) => names[key] ?? `${prefix}.${key}`,
    hasType: (type) => typeSet.has(type),
    severity: (type) => severities[type] ?? "info",
    accepts
  }
}

/**
 * Any vocabulary: what a map or a tracker of unknown vocabulary is typed by.
 *
 * @category Vocabularies
 */
export type AnyVocabulary = Vocabulary<any, any, any>

/**
 * The events of a vocabulary.
 *
 * @category Vocabularies
 */
export type EventOf<V> = V extends Vocabulary<infer E, any, any> ? E : never

/**
 * The event types of a vocabulary.
 *
 * @category Vocabularies
 */
export type EventTypeOf<V> = EventOf<V>["type"]

/**
 * The context keys of a vocabulary.
 *
 * @category Vocabularies
 */
export type ContextKeyOf<V> = V extends Vocabulary<any, infer C, any> ? C : never

/**
 * The fields a recipe gives for an event of type `T`: the event's own, plus the context keys it
 * knows better (optional); never the ones the builder fills.
 *
 * @category Vocabularies
 */
export type RecipeFieldsOf<V, T extends string> =
  V extends Vocabulary<infer E, infer C, infer K>
    ? Omit<Extract<E, { readonly type: T }>, "type" | C | K> &
        Partial<Pick<Extract<E, { readonly type: T }>, C & keyof Extract<E, { readonly type: T }>>>
    : never
