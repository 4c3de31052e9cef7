/**
 * Checks a vocabulary against upstream core's own event format (the release's schemas in
 * `test/fixtures/core-tracked/events.ts`), both ways, type by type: events the vocabulary builds
 * decode with its Schema and with upstream's; events upstream's base builder makes decode with
 * its Schema and are accepted; a missing field is refused by both.
 */

import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { Vocabulary } from "../../src/event/Vocabulary.js"
// By path: `@durable-effect/core` is the pre-tracking core for the tests.
import { InternalTrackingEventSchema, TrackingEventSchema } from "../fixtures/core-tracked/events.js"

/** Each type's own fields. */
export type FieldsByType<T extends string> = { readonly [K in T]: Readonly<Record<string, unknown>> }

/** The event types of one of upstream's unions, in its order. */
export const typesOf = (union: {
  readonly members: ReadonlyArray<{ readonly fields: { readonly type: { readonly literals: ReadonlyArray<unknown> } } }>
}): Array<string> => union.members.map((member) => String(member.fields.type.literals[0]))

/** The bytes of an event as JSON. */
export const jsonBytes = (event: object): number => Buffer.byteLength(JSON.stringify(event))

/** The longest ISO time of a four-digit year, as every time until 9999 is written. */
export const latestTime = "9999-12-31T23:59:59.999Z"

/** A text cut at `length` characters as the error summaries cut it, ending in "…". */
export const cutAt = (length: number): string => `${"y".repeat(length - 1)}…`

export interface UpstreamFormat<T extends string> {
  readonly vocabulary: Vocabulary<any, any, any>
  /** The vocabulary's own Schema. */
  readonly schema: Schema.Schema<any, any, never>
  readonly types: ReadonlyArray<T>
  /** The fields each type has as the hand-placed code fills them, and with optional ones left out. */
  readonly fieldsOf: FieldsByType<T>
  readonly leastFieldsOf: FieldsByType<T>
  /** The required context, and the optional key with the values a test gives it. */
  readonly context: Readonly<Record<string, string>>
  readonly optional: { readonly key: string; readonly values: ReadonlyArray<string | undefined> }
  /** Upstream's base builder, with the type and fields spread after it. */
  readonly upstreamMade: (type: T, fields: Readonly<Record<string, unknown>>, optional?: string) => object
  readonly at: number
  /** Events with a value upstream does not have: both Schemas refuse them. */
  readonly wrong: (build: (type: T, fields: Readonly<Record<string, unknown>>) => object) => ReadonlyArray<object>
  /** A type with a time field, to show that only ids and times are checked more closely here. */
  readonly timed: { readonly type: T; readonly field: string }
  /** The largest event, each type's fields at their caps and context of the longest names. */
  readonly largest: {
    readonly event: object
    readonly atCaps: FieldsByType<T>
    readonly context: Readonly<Record<string, string>>
  }
  /** The vocabulary's batch decoder and batch Schema. */
  readonly batch: {
    readonly decode: (body: unknown) => Either.Either<{ readonly events: ReadonlyArray<unknown> }, unknown>
    readonly schema: Schema.Schema<any, any, never>
  }
}

export const describeUpstreamFormat = <T extends string>(format: UpstreamFormat<T>): void => {
  const { vocabulary, fieldsOf, leastFieldsOf, context, optional, at, largest } = format
  const decodeOurs = Schema.decodeUnknownEither(format.schema)
  const decodeUpstream = Schema.decodeUnknownEither(InternalTrackingEventSchema)
  const build = (type: T, fields: Readonly<Record<string, unknown>>, value?: string) =>
    vocabulary.build({ type, fields, context: { ...context, [optional.key]: value }, timestampMs: at }) as object

  describe.each(format.types)("%s", (type) => {
    it("built by the vocabulary, decodes with its Schema and with upstream core's", () => {
      for (const fields of [fieldsOf[type], leastFieldsOf[type]]) {
        for (const value of optional.values) {
          const event = build(type, fields, value)
          expect(event).toMatchObject({
            ...vocabulary.constants,
            type,
            ...context,
            timestamp: new Date(at).toISOString()
          })
          // An unknown optional key is left out, as upstream's builder leaves it out.
          expect(optional.key in event).toBe(value !== undefined)
          expect(Either.getOrThrow(decodeOurs(event))).toEqual(event)
          expect(Either.getOrThrow(decodeUpstream(event))).toEqual(event)
          expect(vocabulary.accepts(event)).toBe(true)
        }
      }
    })

    it("made by upstream core's builder, decodes with the vocabulary's Schema and is accepted", () => {
      for (const fields of [fieldsOf[type], leastFieldsOf[type]]) {
        for (const value of [...optional.values, ""]) {
          const event = format.upstreamMade(type, fields, value)
          expect(Either.getOrThrow(decodeOurs(event))).toEqual(event)
          expect(vocabulary.accepts(event)).toBe(true)
        }
      }
    })

    it("is refused by both Schemas without a field of its own", () => {
      // `input: unknown` is satisfied by its absence, in both.
      for (const key of Object.keys(leastFieldsOf[type]).filter((key) => key !== "input")) {
        const { [key]: _left, ...event } = build(type, leastFieldsOf[type]) as Record<string, unknown>
        expect(Either.isLeft(decodeOurs(event))).toBe(true)
        expect(Either.isLeft(decodeUpstream(event))).toBe(true)
      }
    })
  })

  it("is refused by both Schemas with a value upstream does not have", () => {
    for (const event of format.wrong(build)) {
      expect(Either.isLeft(decodeOurs(event))).toBe(true)
      expect(Either.isLeft(decodeUpstream(event))).toBe(true)
    }
  })

  it("is stricter than upstream's Schema on ids and times only", () => {
    const event = build(format.timed.type, fieldsOf[format.timed.type])
    for (const broken of [
      { ...event, eventId: "e-1" },
      { ...event, [format.timed.field]: "soon" }
    ]) {
      expect(Either.isLeft(decodeOurs(broken))).toBe(true)
      expect(Either.isRight(decodeUpstream(broken))).toBe(true)
    }
  })

  it("has a largest event that is one of its events and no smaller than any at the caps", () => {
    expect(Either.getOrThrow(decodeOurs(largest.event))).toEqual(largest.event)
    expect(Either.isRight(decodeUpstream(largest.event))).toBe(true)
    for (const type of format.types) {
      const event = vocabulary.build({
        type,
        fields: largest.atCaps[type],
        context: largest.context,
        timestampMs: Date.parse(latestTime)
      }) as object
      expect(Either.isRight(decodeOurs(event))).toBe(true)
      expect(jsonBytes(event)).toBeLessThanOrEqual(jsonBytes(largest.event))
    }
  })

  it("decodes a batch as trackers send it, as the batch Schema and upstream's wire Schema do", () => {
    const body = { events: format.types.map((type) => ({ ...build(type, fieldsOf[type]), env: "e", serviceKey: "s" })) }
    const decoded = Either.getOrThrow(format.batch.decode(body))
    expect(decoded).toEqual(Schema.decodeUnknownSync(format.batch.schema)(body))
    expect(decoded.events).toEqual(body.events)
    for (const event of body.events)
      expect(Either.isRight(Schema.decodeUnknownEither(TrackingEventSchema)(event))).toBe(true)
  })
}
