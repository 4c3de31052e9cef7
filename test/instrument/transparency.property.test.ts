import { Cause, Chunk, Context, Effect, Exit, Layer } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  withTracking,
  EventTracker,
  type EventTrackerService,
  InMemoryTracker,
  jobEvents
} from "durable-effect-tracking"
// A service whose one method does whatever the generated behaviour says.
type Behaviour =
  | { readonly _tag: "succeed"; readonly value: number }
  | { readonly _tag: "fail"; readonly error: string }
  | { readonly _tag: "die"; readonly defect: string }
  | { readonly _tag: "interrupt" }
  | { readonly _tag: "throw"; readonly message: string }
  | { readonly _tag: "plain"; readonly value: number }
  | { readonly _tag: "async"; readonly value: number }

interface Subject {
  act(behaviour: Behaviour): Effect.Effect<number, string> | number
}
class Subject$ extends Context.Tag("test/Subject")<Subject$, Subject>() {}

const subject: Subject = {
  act: (behaviour) => {
    switch (behaviour._tag) {
      case "succeed":
        return Effect.succeed(behaviour.value)
      case "fail":
        return Effect.fail(behaviour.error)
      case "die":
        return Effect.die(behaviour.defect)
      case "interrupt":
        return Effect.interrupt
      case "throw":
        throw new Error(behaviour.message)
      case "plain":
        return behaviour.value
      case "async":
        return Effect.as(Effect.yieldNow(), behaviour.value)
    }
  }
}

type TrackerBehaviour = "records" | "fails" | "dies" | "throws" | "interrupts"
const hostileTracker = (mode: TrackerBehaviour, recorded: EventTrackerService<never>): EventTrackerService => {
  const act = (): Effect.Effect<void> => {
    switch (mode) {
      case "records":
        return Effect.void
      case "fails":
        return Effect.fail("tracker down") as never
      case "dies":
        return Effect.die(new Error("tracker bug"))
      case "throws":
        throw new Error("thrown inside emit")
      case "interrupts":
        return Effect.interrupt
    }
  }
  return {
    emit: (event) => (mode === "records" ? recorded.emit(event as never) : act()),
    flush: act,
    pending: () => Effect.succeed(0)
  }
}

// Recipes that also misbehave: one throws, one reads fields that may not exist.
const eventMap = {
  vocabulary: jobEvents,
  services: {
    "test/Subject": {
      service: "Subject",
      methods: {
        act: {
          context: () => ({ instanceId: "subject-1", jobType: "task" as const, jobName: "subject" }),
          before: {
            "execution.started": () => ({}),
            "task.idle": (): never => {
              throw new Error("recipe bug")
            }
          },
          success: { "execution.succeeded": ({ durationMs }: { durationMs: number }) => ({ durationMs }) },
          failure: {
            "execution.failed": (call: { durationMs: number; error: unknown }) => ({
              durationMs: call.durationMs,
              error: { message: String((call.error as { missing: { deep: string } }).missing.deep) }
            })
          }
        }
      }
    }
  },
  ambient: {}
}

// An entry that only learns takes the proxies' lighter path; its learners misbehave too.
const learnOnlyMap = {
  vocabulary: jobEvents,
  services: {
    "test/Subject": {
      service: "Subject",
      methods: {
        act: {
          learn: (result: unknown) => ({ jobName: String((result as { deep: { field: string } }).deep.field) }),
          learnOnFailure: () => {
            throw new Error("learner bug")
          }
        }
      }
    }
  }
}

// Exits compared by what a caller can observe: interruption fiber ids differ run to run.
const observe = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isSuccess(exit)
    ? { success: exit.value }
    : {
        failures: Chunk.toArray(Cause.failures(exit.cause)),
        defects: Chunk.toArray(Cause.defects(exit.cause)).map((d) => (d instanceof Error ? d.message : d)),
        interrupted: Cause.isInterrupted(exit.cause)
      }

const callThrough = (layer: Layer.Layer<Subject$>, behaviour: Behaviour) =>
  Effect.runPromiseExit(
    Effect.flatMap(Subject$, (s): Effect.Effect<unknown, string> => {
      const result = s.act(behaviour)
      return Effect.isEffect(result) ? result : Effect.succeed({ plain: result })
    }).pipe(Effect.provide(layer))
  )

const behaviourArb: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({ _tag: fc.constant("succeed" as const), value: fc.integer() }),
  fc.record({ _tag: fc.constant("fail" as const), error: fc.string() }),
  fc.record({ _tag: fc.constant("die" as const), defect: fc.string() }),
  fc.constant({ _tag: "interrupt" as const }),
  fc.record({ _tag: fc.constant("throw" as const), message: fc.string() }),
  fc.record({ _tag: fc.constant("plain" as const), value: fc.integer() }),
  fc.record({ _tag: fc.constant("async" as const), value: fc.integer() })
)

describe("transparency", () => {
  it("an entry that only learns leaves every exit exactly as it was", async () => {
    const plain = Layer.succeed(Subject$, subject)
    await fc.assert(
      fc.asyncProperty(behaviourArb, async (behaviour) => {
        const tracked = withTracking(plain, { eventMap: learnOnlyMap }).pipe(
          Layer.provide(Layer.succeed(EventTracker, InMemoryTracker.make().tracker))
        )
        const run = (layer: Layer.Layer<Subject$>) =>
          callThrough(layer, behaviour).then(observe, (thrown: unknown) => ({ thrown: (thrown as Error).message }))
        expect(await run(tracked)).toEqual(await run(plain))
      }),
      { numRuns: 150 }
    )
  })

  it("a wrapped method's exit is exactly the unwrapped one's, whatever the tracker and the recipes do", async () => {
    const plain = Layer.succeed(Subject$, subject)
    await fc.assert(
      fc.asyncProperty(
        behaviourArb,
        fc.constantFrom<TrackerBehaviour>("records", "fails", "dies", "throws", "interrupts"),
        fc.boolean(),
        async (behaviour, trackerMode, spans) => {
          const memory = InMemoryTracker.make()
          const tracked = withTracking(plain, { eventMap, spans }).pipe(
            Layer.provide(Layer.succeed(EventTracker, hostileTracker(trackerMode, memory.tracker)))
          )
          const run = (layer: Layer.Layer<Subject$>) =>
            callThrough(layer, behaviour).then(observe, (thrown: unknown) => ({ thrown: (thrown as Error).message }))
          expect(await run(tracked)).toEqual(await run(plain))
          // The property is not vacuous: when the tracker works, the call was really traced.
          const traced = trackerMode === "records" && behaviour._tag !== "throw" && behaviour._tag !== "plain"
          const succeeded = behaviour._tag === "succeed" || behaviour._tag === "async"
          // The failure recipe reads a field no error has: it throws, so it emits nothing.
          const expected = !traced
            ? []
            : succeeded
              ? ["execution.started", "execution.succeeded"]
              : ["execution.started"]
          const events = await Effect.runPromise(memory.handle.getEvents())
          expect(events.map((e) => e.type)).toEqual(expected)
        }
      ),
      { numRuns: 300 }
    )
  })
})
