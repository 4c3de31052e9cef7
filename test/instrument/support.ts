import { jobEvents } from "durable-effect-tracking"
import { Context, Effect, Layer } from "effect"
import { serviceEvents } from "../../src/instrument/EventMap.js"
import { summarizeFailure } from "../../src/instrument/failure.js"
import { InMemoryTracker } from "../../src/tracker/InMemoryTracker.js"
import type { JobEvent } from "../../src/jobs/events/JobEvent.js"

/** A toy runtime for the proxy machinery: an instance id, an outer and an inner service. */
export class Instance extends Context.Tag("test/Instance")<Instance, { readonly instanceId: string }>() {}

export interface OuterShape {
  run(jobName: string, work: Effect.Effect<number, string>): Effect.Effect<number, string>
  wake(): Effect.Effect<void>
}
export class Outer extends Context.Tag("test/Outer")<Outer, OuterShape>() {}

export interface InnerShape {
  readonly label: string
  step(n: number): Effect.Effect<number, string>
  lookup(): Effect.Effect<{ readonly name: string } | undefined>
  syncSize(): number
}
export class Inner extends Context.Tag("test/Inner")<Inner, InnerShape>() {}

export const InnerLayer = (
  known: { readonly name: string } | undefined,
  step: (n: number) => Effect.Effect<number, string> = (n) =>
    n < 0 ? Effect.fail(`negative ${n}`) : Effect.succeed(n * 2)
) =>
  Layer.succeed(Inner, {
    label: "inner",
    step,
    lookup: () => Effect.succeed(known),
    syncSize: () => 42
  })

export const OuterLayer = Layer.effect(
  Outer,
  Effect.gen(function* () {
    const inner = yield* Inner
    return {
      run: (_jobName, work) => Effect.flatMap(work, (n) => inner.step(n)),
      wake: () => Effect.asVoid(inner.lookup())
    }
  })
)

export const toyEventMap = {
  vocabulary: jobEvents,
  services: {
    ...serviceEvents(jobEvents, Outer, "Outer", {
      run: {
        context: ([jobName]) => ({ jobType: "task", jobName }),
        before: { "execution.started": () => ({}) },
        success: { "execution.succeeded": ({ durationMs }) => ({ durationMs }) },
        failure: {
          "execution.failed": (call) => ({
            durationMs: call.durationMs,
            error: summarizeFailure(call),
            failure: call.kind
          })
        }
      },
      wake: {
        context: () => ({ trigger: "alarm" }),
        before: { "alarm.fired": () => ({}) }
      }
    }).services,
    ...serviceEvents(jobEvents, Inner, "Inner", {
      step: {
        success: { "task.event.processed": ({ durationMs }) => ({ durationMs, outcome: "success" as const }) },
        failure: { "task.event.processed": ({ durationMs }) => ({ durationMs, outcome: "failure" as const }) }
      },
      lookup: {
        learn: (found) => (found === undefined ? undefined : { jobType: "task" as const, jobName: found.name })
      }
    }).services
  },
  ambient: { "test/Instance": (service: { readonly instanceId: string }) => ({ instanceId: service.instanceId }) }
}

export const InstanceLayer = Layer.succeed(Instance, { instanceId: "instance-1" })

export const trackedToyLayers = () => {
  const memory = InMemoryTracker.make<JobEvent>()
  return { handle: memory.handle, base: Layer.mergeAll(InMemoryTracker.layer(memory), InstanceLayer) }
}
