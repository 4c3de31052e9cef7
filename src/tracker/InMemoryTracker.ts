import { Effect, Layer } from "effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { makeDropNotice } from "../delivery/DropNotice.js"
import { checkVocabularies, typeOf, type VocabularyGate, type VocabularyGateParts } from "../delivery/EmitGate.js"
import { InvalidTrackerConfigError } from "./InvalidTrackerConfigError.js"
import type { AnyVocabulary, EventOf, EventShape } from "../event/Vocabulary.js"
import { EventTracker, type EventTrackerService } from "./EventTracker.js"

/**
 * The events an untyped in-memory tracker records: any event with a `type`, its other fields
 * readable (as `unknown`).
 *
 * @category Trackers
 */
export type RecordedEvent = EventShape & { readonly [field: string]: unknown }

/**
 * The events of type `T` among `E`; for an `E` that does not list its types (`RecordedEvent`),
 * an `E` whose `type` is `T`.
 *
 * @category Trackers
 */
export type RecordedOfType<E extends EventShape, T extends string> = [Extract<E, { readonly type: T }>] extends [never]
  ? E & { readonly type: T }
  : Extract<E, { readonly type: T }>

/**
 * An event the in-memory tracker refused: of no vocabulary it was told about
 * (`unknownVocabulary`), or not valid against its vocabulary's Schema (`invalid`).
 *
 * @category Trackers
 */
export interface RefusedEvent {
  readonly cause: "unknownVocabulary" | "invalid"
  /** The event's type, when it has a string one. */
  readonly type: string | undefined
  /** Why: the vocabularies it is of none of, or the Schema's parse error message. */
  readonly reason: string
  readonly event: unknown
}

/**
 * Reads what an in-memory tracker has recorded. Each member is a function returning an Effect,
 * as on the in-memory tracker of `@durable-effect/core` that jobs tests already use.
 *
 * @category Trackers
 */
export interface InMemoryTrackerHandle<E extends EventShape = RecordedEvent> {
  readonly getEvents: () => Effect.Effect<Array<E>>
  readonly getEventsByType: <T extends E["type"]>(type: T) => Effect.Effect<Array<RecordedOfType<E, T>>>
  readonly hasEvent: (type: E["type"]) => Effect.Effect<boolean>
  /** The events refused (only a tracker told `vocabularies` refuses any), oldest first. */
  readonly refused: () => Effect.Effect<Array<RefusedEvent>>
  /** Forgets the recorded and the refused events. */
  readonly clear: () => Effect.Effect<void>
}

/**
 * What `InMemoryTracker.make()` returns: the tracker (also as `service`, core's name for it) and
 * its handle. It can also be `yield*`ed in `Effect.gen`, where it gives itself, so a test
 * written against core's `yield* createInMemoryTracker()` reads the same.
 *
 * @category Trackers
 */
export interface InMemoryTrackerInstance<E extends EventShape = RecordedEvent> {
  readonly tracker: EventTrackerService<E>
  readonly service: EventTrackerService<E>
  readonly handle: InMemoryTrackerHandle<E>
  [Symbol.iterator](): Effect.EffectGenerator<Effect.Effect<InMemoryTrackerInstance<E>>>
}

/**
 * The in-memory tracker's options.
 *
 * @category Trackers
 */
export interface InMemoryTrackerOptions {
  /**
   * The vocabularies whose events it records, as `vocabularyGate(...)` makes them. An event none
   * of them accepts is refused, and an
   * event its vocabulary's `schema` does not decode too (the Schema is run: this tracker is for
   * tests); `handle.refused()` lists them. Default: every event is recorded, unchecked.
   */
  readonly vocabularies?: VocabularyGate | undefined
}

const module = "tracker/InMemoryTracker"

/** Why `event` is refused, or undefined when the tracker records it. */
type Check = (event: unknown) => RefusedEvent | undefined

const checkOf = (gate: VocabularyGateParts): Check => {
  const decoders = new Map(
    gate.vocabularies.flatMap((v) =>
      v.schema === undefined ? [] : [[v, Schema.decodeUnknownEither(v.schema)] as const]
    )
  )
  return (event) => {
    const vocabulary = gate.vocabularyOf(event)
    if (vocabulary === undefined) {
      return { cause: "unknownVocabulary", type: typeOf(event), reason: gate.refusal(event), event }
    }
    const decoded = decoders.get(vocabulary)?.(event)
    if (decoded === undefined || decoded._tag === "Right") return undefined
    const reason = ParseResult.TreeFormatter.formatErrorSync(decoded.left)
    return { cause: "invalid", type: typeOf(event), reason: `not a valid ${vocabulary.name} event: ${reason}`, event }
  }
}

const makeTracker = <E extends EventShape>(options?: InMemoryTrackerOptions): InMemoryTrackerInstance<E> => {
  const events: Array<E> = []
  const refused: Array<RefusedEvent> = []
  const issues: Array<string> = []
  const gate = checkVocabularies(issues, options?.vocabularies)
  if (issues.length > 0) throw new InvalidTrackerConfigError({ tracker: "in-memory", issues })
  const check = gate === undefined ? undefined : checkOf(gate)
  const counts = { unknownVocabulary: 0, invalid: 0 }
  const note = makeDropNotice(counts, module, {}, () => "handle.refused()")
  const tracker: EventTrackerService<E> = {
    emit:
      check === undefined
        ? (event) => Effect.sync(() => void events.push(event))
        : (event) =>
            Effect.sync(() => {
              const refusal = check(event)
              if (refusal === undefined) events.push(event)
              else {
                refused.push(refusal)
                note(refusal.cause, 1, undefined, refusal.cause === "invalid" ? refusal.type : refusal.reason)
              }
            }),
    // Nothing to deliver: the events are already where the reader looks.
    flush: () => Effect.void,
    pending: () => Effect.succeed(0)
  }
  const handle: InMemoryTrackerHandle<E> = {
    getEvents: () => Effect.sync(() => events.slice()),
    getEventsByType: <T extends E["type"]>(type: T) =>
      Effect.sync(() => events.filter((event): event is RecordedOfType<E, T> & E => event.type === type)),
    hasEvent: (type) => Effect.sync(() => events.some((event) => event.type === type)),
    refused: () => Effect.sync(() => refused.slice()),
    clear: () =>
      Effect.sync(() => {
        events.splice(0, events.length)
        refused.splice(0, refused.length)
      })
  }
  const instance = { tracker, service: tracker, handle }
  // `yield* instance` in Effect.gen runs the Effect its iterator yields: here, the instance itself.
  return Object.assign(instance, {
    [Symbol.iterator]: () => Effect.succeed(instance)[Symbol.iterator]()
  }) as unknown as InMemoryTrackerInstance<E>
}

/**
 * `make`'s signatures: told `vocabularies`, typed by their events; else by `E` (default: any
 * event with a `type`).
 */
interface MakeInMemoryTracker {
  <V extends AnyVocabulary>(options: { readonly vocabularies: VocabularyGate<V> }): InMemoryTrackerInstance<EventOf<V>>
  <E extends EventShape = RecordedEvent>(options?: InMemoryTrackerOptions): InMemoryTrackerInstance<E>
}

const make: MakeInMemoryTracker = makeTracker

const layer = <E extends EventShape>(memory: { readonly tracker: EventTrackerService<E> }): Layer.Layer<EventTracker> =>
  Layer.succeed(EventTracker, memory.tracker as unknown as EventTrackerService)

/**
 * A tracker that keeps every event in memory, for tests. `make()` returns the tracker and a
 * `handle` to read its events; `layer(memory)` is the layer providing that tracker as
 * {@link EventTracker}. The events live in what `make()` returned, not in a layer build, so they
 * outlast the per-call layer rebuilds of a jobs runtime.
 *
 * `make({ vocabularies: vocabularyGate(...) })` records only the events of those vocabularies,
 * each checked against its vocabulary's Schema when it has one; the others are listed by
 * `handle.refused()`. `make` throws `InvalidTrackerConfigError` when `vocabularies` is not made
 * by `vocabularyGate` (a plain list of vocabularies included).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { emitEvent, InMemoryTracker, makeJobEvent } from "durable-effect-tracking"
 *
 * const memory = InMemoryTracker.make()
 * const program = Effect.gen(function* () {
 *   yield* emitEvent(makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "orders" }))
 *   return yield* memory.handle.getEventsByType("job.created")
 * })
 * export const created = () => Effect.runPromise(program.pipe(Effect.provide(InMemoryTracker.layer(memory))))
 * ```
 *
 * @category Trackers
 */
export const InMemoryTracker: {
  /** A fresh tracker and the handle that reads its events. */
  readonly make: MakeInMemoryTracker
  /** The layer providing `memory`'s tracker as {@link EventTracker}. */
  readonly layer: <E extends EventShape>(memory: {
    readonly tracker: EventTrackerService<E>
  }) => Layer.Layer<EventTracker>
} = { make, layer }
