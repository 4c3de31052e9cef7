import { Context, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { serviceEvents, withTracking, EventTracker, jobEvents } from "durable-effect-tracking"
import type { JobEvent, EventMap, EventTrackerService } from "durable-effect-tracking"

/**
 * Clock reads and emits that are plain `Effect.sync` run in place (see effectInternals.ts); others
 * run as effects. Either way, and mixed, events keep their order and times.
 */

class Clock extends Context.Tag("test/ClockSource")<Clock, { readonly now: () => Effect.Effect<number> }>() {}
class Work extends Context.Tag("test/Work")<Work, { readonly run: (name: string) => Effect.Effect<string> }>() {}

const WorkLayer = Layer.succeed(Work, { run: (name: string) => Effect.succeed(`done ${name}`) })

// Two events from one step (success), so that both ride in the same batch of emits.
const eventMap: EventMap = {
  vocabulary: jobEvents,
  services: serviceEvents(jobEvents, Work, "Work", {
    run: {
      context: ([jobName]) => ({ instanceId: "i-1", jobType: "task", jobName }),
      before: { "execution.started": () => ({}) },
      success: {
        "execution.succeeded": ({ durationMs }) => ({ durationMs }),
        "task.event.processed": ({ durationMs }) => ({ durationMs, outcome: "success" as const })
      }
    }
  }).services,
  clock: { tagKey: "test/ClockSource", now: (clock: { readonly now: () => Effect.Effect<number> }) => clock.now() }
}

const recording = (emitOf: (push: () => void, index: number) => Effect.Effect<void>) => {
  const events: Array<JobEvent> = []
  let index = 0
  const tracker: EventTrackerService<JobEvent> = {
    emit: (event) => emitOf(() => void events.push(event), index++),
    flush: () => Effect.void,
    pending: () => Effect.succeed(0)
  }
  return { events, tracker: tracker as EventTrackerService }
}

const runWork = (tracker: EventTrackerService, clock: { readonly now: () => Effect.Effect<number> }) =>
  Effect.runPromise(
    Effect.flatMap(Work, (work) => work.run("job-a")).pipe(
      Effect.provide(
        withTracking(WorkLayer, { eventMap }).pipe(
          Layer.provide(Layer.mergeAll(Layer.succeed(EventTracker, tracker), Layer.succeed(Clock, clock)))
        )
      )
    )
  )

const at = (ms: number) => new Date(ms).toISOString()

describe("withTracking: clock reads and emits in place or as effects", () => {
  const trackers = {
    "every emit a plain Effect.sync": (push: () => void) => Effect.sync(push),
    "every emit asynchronous": (push: () => void) => Effect.zipRight(Effect.yieldNow(), Effect.sync(push)),
    // The first of the two success events waits as an effect; the second, though in place-able, must wait behind it.
    "asynchronous, then plain": (push: () => void, index: number) =>
      index === 1 ? Effect.zipRight(Effect.yieldNow(), Effect.sync(push)) : Effect.sync(push)
  } as const

  for (const [name, emitOf] of Object.entries(trackers)) {
    it(`keeps the events' order: ${name}`, async () => {
      const { events, tracker } = recording(emitOf)
      let now = 1_000
      const result = await runWork(tracker, { now: () => Effect.sync(() => (now += 10)) })
      expect(result).toBe("done job-a")
      expect(events.map((e) => e.type)).toEqual(["execution.started", "execution.succeeded", "task.event.processed"])
      // Read once as the call starts and once as it ends.
      expect(events.map((e) => e.timestamp)).toEqual([at(1_010), at(1_020), at(1_020)])
      expect(events.map((e) => (e as { durationMs?: number }).durationMs)).toEqual([undefined, 10, 10])
    })
  }

  it("reads a clock that is not a plain Effect.sync as an effect", async () => {
    const { events, tracker } = recording((push) => Effect.sync(push))
    let now = 5_000
    await runWork(tracker, { now: () => Effect.map(Effect.yieldNow(), () => (now += 100)) })
    expect(events.map((e) => e.timestamp)).toEqual([at(5_100), at(5_200), at(5_200)])
  })

  it("goes on with Effect's clock when the map's clock throws in place, and with the other events when an emit throws", async () => {
    const { events, tracker } = recording((push, index) => {
      if (index === 0) throw new Error("tracker broke while making its effect")
      return Effect.sync(push)
    })
    const before = Date.now()
    const result = await runWork(tracker, {
      now: () =>
        Effect.sync(() => {
          throw new Error("clock broke")
        })
    })
    const after = Date.now()
    expect(result).toBe("done job-a")
    expect(events.map((e) => e.type)).toEqual(["execution.succeeded", "task.event.processed"])
    for (const event of events) {
      expect(Date.parse(event.timestamp)).toBeGreaterThanOrEqual(before)
      expect(Date.parse(event.timestamp)).toBeLessThanOrEqual(after)
    }
  })
})
