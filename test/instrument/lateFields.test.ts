import { Effect, Exit, Layer } from "effect"
import { describe, expect, it } from "vitest"
import {
  eventMapProblems,
  serviceEvents,
  withLateFields,
  type EventMap,
  summarizeFailure,
  withTracking,
  jobEvents
} from "durable-effect-tracking"
import { Inner, InnerLayer, Outer, OuterLayer, toyEventMap, trackedToyLayers } from "./support.js"

// The generic mechanism behind the jobs map's late fields and observed arguments, on the toy
// services: Outer.run(jobName, work) runs `work`, then Inner.step on its result.
const lateMap: EventMap = {
  ...toyEventMap,
  vocabulary: jobEvents,
  services: {
    ...serviceEvents(jobEvents, Outer, "Outer", {
      run: {
        context: ([jobName]) => ({ jobType: "task", jobName }),
        // What `work` (argument 1) failed with, seen as it failed.
        learnOnArgFailure: { 1: (outcome) => ({ workFailed: summarizeFailure(outcome).message }) },
        before: {
          // Its attempt is told only later, by Inner.step's result.
          "execution.started": () =>
            withLateFields({}, (known) =>
              typeof known["stepped"] === "number" ? { attempt: known["stepped"] } : undefined
            )
        },
        success: { "execution.succeeded": ({ durationMs }) => ({ durationMs }) },
        failure: {
          "execution.failed": ({ durationMs, context, kind }) => ({
            durationMs,
            error: { message: String(context["workFailed"]) },
            failure: kind
          })
        }
      }
    }).services,
    ...serviceEvents(jobEvents, Inner, "Inner", {
      step: {
        learn: (n) => ({ stepped: n }),
        success: { "task.event.processed": () => ({ outcome: "success" as const }) }
      }
    }).services
  }
}

const compose = (base: Layer.Layer<any>) => {
  const inner = withTracking(InnerLayer({ name: "found" }), { eventMap: lateMap }).pipe(Layer.provideMerge(base))
  return withTracking(OuterLayer, { eventMap: lateMap }).pipe(Layer.provideMerge(inner))
}

describe("late fields and observed arguments", () => {
  it("an event waits in its place for a field told later; the events after it wait behind it", async () => {
    const { base, handle } = trackedToyLayers()
    const result = await Effect.runPromise(
      Effect.flatMap(Outer, (outer) => outer.run("digest", Effect.succeed(5))).pipe(Effect.provide(compose(base)))
    )
    expect(result).toBe(10)
    const events = await Effect.runPromise(handle.getEvents())
    expect(events.map((event) => event.type)).toEqual([
      "execution.started",
      "task.event.processed",
      "execution.succeeded"
    ])
    expect(events[0]).toMatchObject({ attempt: 10, jobName: "digest" })
    // eventIds are made when an event goes out: still in order.
    expect(events.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId).sort())
  })

  it("when the request ends first, the event goes out without its late fields, still first; an argument's failure is seen, untouched", async () => {
    const { base, handle } = trackedToyLayers()
    const exit = await Effect.runPromiseExit(
      Effect.flatMap(Outer, (outer) => outer.run("digest", Effect.fail("no input"))).pipe(Effect.provide(compose(base)))
    )
    expect(exit).toEqual(Exit.fail("no input"))
    const events = await Effect.runPromise(handle.getEvents())
    expect(events.map((event) => event.type)).toEqual(["execution.started", "execution.failed"])
    expect(events[0]).not.toHaveProperty("attempt")
    expect(events[1]).toMatchObject({ error: { message: "no input" }, failure: "failure" })
  })

  it("a malformed learnOnArgFailure is named", () => {
    const map = {
      vocabulary: jobEvents,
      services: { "test/Outer": { service: "Outer", methods: { run: { learnOnArgFailure: { 0: "nope" } } } } }
    }
    expect(eventMapProblems(map as never)).toEqual(["Outer.run: `learnOnArgFailure` for argument 0 must be a function"])
  })
})
