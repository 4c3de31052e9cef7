import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  describeCoverage,
  eventMapProblems,
  extendEventMap,
  filterEventMap,
  InvalidEventMapError,
  removeFromEventMap,
  serviceEvents,
  validateEventMap,
  type EventMap,
  withTracking,
  jobEvents
} from "durable-effect-tracking"
import { Inner, InnerLayer, Outer, toyEventMap } from "./support.js"

describe("typed entries", () => {
  it("key entries by the tag's key and reject misspelt methods at compile time", () => {
    const map = serviceEvents(jobEvents, Inner, "Inner", {
      step: { success: { "task.event.processed": () => ({}) } },
      // @ts-expect-error: Inner has no method "stepp"
      stepp: { success: { "task.event.processed": () => ({}) } }
    })
    expect(Object.keys(map.services)).toEqual(["test/Inner"])
    // A sync member is not an Effect method: no entry can name it either.
    // @ts-expect-error: syncSize returns a number, not an Effect
    serviceEvents(jobEvents, Inner, "Inner", { syncSize: { before: { "task.idle": () => ({}) } } })
    // Recipes return the event's own fields, typed.
    // @ts-expect-error: retry.scheduled needs attempt and resumeAt
    serviceEvents(jobEvents, Inner, "Inner", { step: { failure: { "retry.scheduled": () => ({ attempt: 1 }) } } })
  })
})

describe("validation", () => {
  it("accepts the toy map", () => {
    expect(eventMapProblems(toyEventMap)).toEqual([])
  })

  it("names every entry that names nothing or is malformed", () => {
    const bad = {
      vocabulary: jobEvents,
      services: {
        "test/Inner": {
          service: "Inner",
          methods: {
            step: { success: { "task.event.done": () => ({}) } },
            lookup: {},
            other: { before: { "task.idle": "not a function" } }
          }
        },
        "test/Empty": { service: "Empty", methods: {} }
      }
    } as unknown as EventMap
    const problems = eventMapProblems(bad)
    expect(problems).toEqual([
      'Inner.step: `success` names "task.event.done", which is not a jobs event type',
      "Inner.lookup: the entry emits nothing and establishes no context",
      'Inner.other: `before` recipe for "task.idle" must be a function',
      "Empty: no method entries"
    ])
    expect(() => validateEventMap(bad)).toThrow(InvalidEventMapError)
    expect(() => withTracking(InnerLayer(undefined), { eventMap: bad })).toThrow(
      /Inner\.lookup: the entry emits nothing/
    )
  })

  it("a missing event map throws InvalidEventMapError at the call, data-first and piped", () => {
    const missing = {} as Parameters<typeof withTracking>[0]
    expect(() => withTracking(InnerLayer(undefined), missing as never)).toThrow(InvalidEventMapError)
    expect(() => withTracking(InnerLayer(undefined), undefined as never)).toThrow(/no event map/)
    // Piped: thrown when `withTracking(options)` is called, before any layer comes through.
    expect(() => withTracking(missing as never)).toThrow(InvalidEventMapError)
    expect(() => withTracking({ enabled: false } as never)).toThrow(InvalidEventMapError)
  })

  it("warns once when an entry names a method the service lacks", async () => {
    const map = {
      vocabulary: jobEvents,
      services: { "test/Inner": { service: "Inner", methods: { vanished: { before: { "task.idle": () => ({}) } } } } }
    }
    const { InMemoryTracker } = await import("../../src/tracker/InMemoryTracker.js")
    const { Layer, Logger } = await import("effect")
    const warnings: Array<string> = []
    const logger = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ message }) => void warnings.push(String(message)))
    )
    const layer = withTracking(InnerLayer(undefined), { eventMap: map }).pipe(
      Layer.provide(InMemoryTracker.layer(InMemoryTracker.make()))
    )
    for (let i = 0; i < 2; i++)
      await Effect.runPromise(Effect.asVoid(Inner).pipe(Effect.provide(layer), Effect.provide(logger)))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain("Inner.vanished")
  })
})

describe("editing a map", () => {
  it("extends: a later method entry replaces the same method, others stay", () => {
    const extended = extendEventMap(
      toyEventMap,
      serviceEvents(jobEvents, Outer, "Outer", { wake: { before: { "task.idle": () => ({}) } } })
    )
    expect(Object.keys(extended.services["test/Outer"]!.methods)).toEqual(["run", "wake"])
    expect(Object.keys(extended.services["test/Outer"]!.methods["wake"]!.before!)).toEqual(["task.idle"])
    expect(extended.services["test/Inner"]).toBe(toyEventMap.services["test/Inner"])
    expect(extended.ambient).toEqual(toyEventMap.ambient)
  })

  it("removes a method or a whole service", () => {
    expect(Object.keys(removeFromEventMap(toyEventMap, "test/Outer", "wake").services["test/Outer"]!.methods)).toEqual([
      "run"
    ])
    expect(Object.keys(removeFromEventMap(toyEventMap, "test/Outer").services)).toEqual(["test/Inner"])
    expect(removeFromEventMap(toyEventMap, "nope")).toBe(toyEventMap)
  })

  it("filters recipes by event type, and coverage follows every edit", () => {
    const before = describeCoverage(toyEventMap)
    expect(before.produced).toBe(5)
    expect(before.total).toBe(20)
    expect(before.events.find((e) => e.type === "task.event.processed")?.sources).toEqual(["Inner.step"])
    expect(before.events.find((e) => e.type === "execution.started")?.sources).toEqual(["Outer.run"])
    expect(before.missing).toContain("job.created")

    const narrowed = describeCoverage(filterEventMap(toyEventMap, (type) => type.startsWith("execution.")))
    expect(narrowed.produced).toBe(3)
    expect(narrowed.missing).toContain("alarm.fired")
  })
})
