import { Context, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import {
  eventMapProblems,
  jobEvents,
  omitEventFields,
  serviceEvents,
  withLateFields,
  watchArgCalls,
  withTracking,
  type EventMap
} from "durable-effect-tracking"
import { toyEventMap, trackedToyLayers } from "./support.js"

// Two generic pieces behind the upstream jobs map: an entry learning from a function its
// argument carries when the service calls it (an execution's `createContext(base)`), and a map
// with named fields left out of its events.

interface RunOptions {
  readonly jobName: string
  /** Called by the service with what the run starts from. */
  readonly prepare: (start: number) => number
}
class Runner extends Context.Tag("test/Runner")<
  Runner,
  { readonly run: (options: RunOptions) => Effect.Effect<number> }
>() {}
const RunnerLayer = Layer.succeed(Runner, {
  // Reads the options as given: a copy with `prepare` observed must be the same to it.
  run: (options) => Effect.sync(() => options.prepare(Object.keys(options).length))
})

const map: EventMap = {
  ...toyEventMap,
  services: serviceEvents(jobEvents, Runner, "Runner", {
    run: {
      context: ([options]) => ({ jobType: "task", jobName: options.jobName }),
      learnOnArgCall: watchArgCalls({ 0: { prepare: ([start]) => ({ preparedFrom: start }) } }),
      success: {
        "execution.succeeded": ({ context, durationMs }) => ({
          durationMs,
          attempt: context["preparedFrom"] as number,
          runCount: 7
        }),
        "task.event.processed": () =>
          withLateFields({ outcome: "success" as const }, () => ({ durationMs: 1, runCount: 7 }))
      }
    }
  }).services
}

const runOnce = async (eventMap: EventMap) => {
  const { base, handle } = trackedToyLayers()
  const prepared: Array<unknown> = []
  const result = await Effect.runPromise(
    Effect.flatMap(Runner, (runner) =>
      runner.run({
        jobName: "digest",
        prepare(start) {
          prepared.push(this)
          return start * 10
        }
      })
    ).pipe(Effect.provide(withTracking(RunnerLayer, { eventMap }).pipe(Layer.provideMerge(base))))
  )
  return { result, prepared, events: await Effect.runPromise(handle.getEvents()) }
}

describe("learnOnArgCall", () => {
  it("teaches the call what its argument's member was called with; the member runs as given", async () => {
    const { result, prepared, events } = await runOnce(map)
    // Two own properties seen by the service, the member's result and `this` as without tracking.
    expect(result).toBe(20)
    expect(prepared).toHaveLength(1)
    expect(Object.keys(prepared[0] as object)).toEqual(["jobName", "prepare"])
    expect(events[0]).toMatchObject({ type: "execution.succeeded", attempt: 2, jobName: "digest" })
  })

  it("a member that is not a function is named as a problem", () => {
    const broken = {
      ...map,
      services: {
        "test/Runner": {
          service: "Runner",
          methods: { run: { learnOnArgCall: watchArgCalls({ 0: { prepare: "x" as never } }) } }
        }
      }
    }
    expect(eventMapProblems(broken as never)).toEqual([
      "Runner.run: `learnOnArgCall` for argument 0's prepare must be a function"
    ])
    const notRecords = {
      ...map,
      services: {
        "test/Runner": {
          service: "Runner",
          methods: { run: { learnOnArgCall: watchArgCalls(1 as never), learnOnArgFailure: "x" } }
        }
      }
    }
    expect(eventMapProblems(notRecords as never)).toEqual([
      "Runner.run: `learnOnArgFailure` must be a record of functions by argument index",
      "Runner.run: `learnOnArgCall` must be a record of members by argument index"
    ])
    // Written by hand, not by `watchArgCalls`: the map says how to write it.
    const byHand = {
      ...map,
      services: {
        "test/Runner": { service: "Runner", methods: { run: { learnOnArgCall: { 0: { prepare: () => undefined } } } } }
      }
    }
    expect(eventMapProblems(byHand as never)).toEqual(["Runner.run: `learnOnArgCall` must be made by `watchArgCalls`"])
    expect(() => withTracking(Layer.empty, { eventMap: byHand as never })).toThrow(/must be made by `watchArgCalls`/)
  })
})

describe("omitEventFields", () => {
  it("leaves the named fields out of every event, late fields included; the rest as before", async () => {
    const { events } = await runOnce(omitEventFields(map, ["runCount", "attempt"]))
    expect(events.map((event) => event.type)).toEqual(["execution.succeeded", "task.event.processed"])
    for (const event of events) {
      expect(event).not.toHaveProperty("runCount")
      expect(event).not.toHaveProperty("attempt")
    }
    expect(events[1]).toMatchObject({ outcome: "success", durationMs: 1, jobName: "digest" })
    // The map itself is untouched.
    const { events: full } = await runOnce(map)
    expect(full[0]).toMatchObject({ runCount: 7, attempt: 2 })
  })
})
