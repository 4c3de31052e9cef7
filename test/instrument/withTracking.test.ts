import { Context, Effect, Exit, Fiber, Layer, TestClock, TestContext, Tracer } from "effect"
import { describe, expect, it } from "vitest"
import {
  withTracking,
  NoopTracker,
  InMemoryTracker,
  jobEvents,
  serviceEvents,
  type EventMap
} from "durable-effect-tracking"
import { captureLogs } from "../support/logCapture.js"
import { Inner, InnerLayer, InstanceLayer, Outer, OuterLayer, toyEventMap, trackedToyLayers } from "./support.js"
import { planFor, runtimeFor, type TrackingPlan } from "../../src/instrument/withTracking.js"

const compose = (base: Layer.Layer<any>, known: { readonly name: string } | undefined) => {
  const inner = withTracking(InnerLayer(known), { eventMap: toyEventMap }).pipe(Layer.provideMerge(base))
  return withTracking(OuterLayer, { eventMap: toyEventMap }).pipe(Layer.provideMerge(inner))
}

const run = <A, E>(effect: Effect.Effect<A, E, Outer | Inner>, layer: Layer.Layer<Outer | Inner>) =>
  Effect.runPromise(effect.pipe(Effect.provide(layer), Effect.provide(TestContext.TestContext)))

describe("withTracking: tracking off is free", () => {
  it("returns the same object it was given, with no tracker and with the no-op tracker", async () => {
    const service = {
      label: "x",
      step: () => Effect.succeed(1),
      lookup: () => Effect.succeed(undefined),
      syncSize: () => 1
    }
    const layer = Layer.succeed(Inner, service)
    for (const base of [InstanceLayer, Layer.merge(InstanceLayer, NoopTracker.layer)]) {
      const got = await run(Inner, withTracking(layer, { eventMap: toyEventMap }).pipe(Layer.provide(base)) as never)
      expect(got).toBe(service)
    }
    const memory = InMemoryTracker.layer(InMemoryTracker.make())
    const tracked = await run(
      Inner,
      withTracking(layer, { eventMap: toyEventMap }).pipe(Layer.provide(Layer.merge(InstanceLayer, memory))) as never
    )
    expect(tracked).not.toBe(service)
  })
})

describe("withTracking: events", () => {
  it("emits before, on success, with the context the outer call establishes for the inner one", async () => {
    const { base, handle } = trackedToyLayers()
    const result = await run(
      Effect.flatMap(Outer, (outer) => outer.run("digest", Effect.succeed(5))),
      compose(base, { name: "found" })
    )
    expect(result).toBe(10)
    const events = await Effect.runPromise(handle.getEvents())
    expect(events.map((e) => e.type)).toEqual(["execution.started", "task.event.processed", "execution.succeeded"])
    for (const event of events) {
      expect(event).toMatchObject({ instanceId: "instance-1", jobType: "task", jobName: "digest" })
    }
  })

  it("tells a typed failure from a defect and from an interruption", async () => {
    const { base, handle } = trackedToyLayers()
    const layer = compose(base, { name: "found" })
    const failed = await Effect.runPromiseExit(
      Effect.flatMap(Outer, (outer) => outer.run("a", Effect.fail("bad input"))).pipe(Effect.provide(layer))
    )
    const died = await Effect.runPromiseExit(
      Effect.flatMap(Outer, (outer) => outer.run("b", Effect.die(new Error("kaboom")))).pipe(Effect.provide(layer))
    )
    const interrupted = await Effect.runPromiseExit(
      Effect.flatMap(Outer, (outer) => outer.run("c", Effect.interrupt)).pipe(Effect.provide(layer))
    )
    expect(Exit.isFailure(failed) && Exit.isFailure(died) && Exit.isFailure(interrupted)).toBe(true)
    const failures = await Effect.runPromise(handle.getEventsByType("execution.failed"))
    expect(failures.map((e) => [e.jobName, e.failure, e.error.message])).toEqual([
      ["a", "failure", "bad input"],
      ["b", "defect", "kaboom"],
      ["c", "interrupted", "interrupted"]
    ])
  })

  it("reports an interruption from outside, after the before event, exactly once", async () => {
    const { base, handle } = trackedToyLayers()
    const layer = compose(base, { name: "found" })
    await Effect.runPromise(
      Effect.gen(function* () {
        const outer = yield* Outer
        const fiber = yield* Effect.fork(outer.run("slow", Effect.as(Effect.sleep("1 hour"), 1)))
        yield* TestClock.adjust("1 minute")
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(layer), Effect.provide(TestContext.TestContext))
    )
    const types = (await Effect.runPromise(handle.getEvents())).map((e) => e.type)
    expect(types).toEqual(["execution.started", "execution.failed"])
    const [failed] = await Effect.runPromise(handle.getEventsByType("execution.failed"))
    expect(failed?.failure).toBe("interrupted")
    expect(failed?.durationMs).toBe(60_000)
  })

  it("holds an event back until an inner call teaches the job context, and keeps its timestamp", async () => {
    const { base, handle } = trackedToyLayers()
    await run(
      Effect.flatMap(Outer, (outer) => outer.wake()),
      compose(base, { name: "nightly" })
    )
    const events = await Effect.runPromise(handle.getEvents())
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      type: "alarm.fired",
      instanceId: "instance-1",
      jobType: "task",
      jobName: "nightly"
    })
    expect(events[0]?.timestamp).toBe(new Date(0).toISOString())
  })

  it("drops an event whose job context never becomes known (no job to describe)", async () => {
    const { base, handle } = trackedToyLayers()
    await run(
      Effect.flatMap(Outer, (outer) => outer.wake()),
      compose(base, undefined)
    )
    expect(await Effect.runPromise(handle.getEvents())).toEqual([])
  })
})

describe("withTracking: proxies", () => {
  it("keep sync members sync and values as they are, and build wrapped methods once per build", async () => {
    const { base } = trackedToyLayers()
    const [inner, again] = await run(Effect.all([Inner, Inner]), compose(base, { name: "found" }))
    expect(inner.syncSize()).toBe(42)
    expect(inner.label).toBe("inner")
    expect(inner.step).toBe(inner.step)
    expect(again.step).toBe(inner.step)
  })

  it("wrapping twice, or wrapping a composition of wrapped layers, emits each event once", async () => {
    const { base, handle } = trackedToyLayers()
    const twice = withTracking(withTracking(compose(base, { name: "found" }), { eventMap: toyEventMap }), {
      eventMap: toyEventMap
    })
    await run(
      Effect.flatMap(Outer, (outer) => outer.run("once", Effect.succeed(1))),
      twice
    )
    const types = (await Effect.runPromise(handle.getEvents())).map((e) => e.type)
    expect(types).toEqual(["execution.started", "task.event.processed", "execution.succeeded"])
  })

  it("a frozen service (wrapped in a shadow object, not a proxy) is traced, and wrapped twice emits each event once", async () => {
    const { base, handle } = trackedToyLayers()
    const frozen = Layer.succeed(
      Inner,
      Object.freeze({
        label: "frozen",
        step: (n: number) => Effect.succeed(n + 1),
        lookup: () => Effect.succeed(undefined),
        syncSize: () => 7
      })
    )
    const inner = withTracking(withTracking(frozen, { eventMap: toyEventMap }), { eventMap: toyEventMap }).pipe(
      Layer.provideMerge(base)
    )
    const layer = withTracking(OuterLayer, { eventMap: toyEventMap }).pipe(Layer.provideMerge(inner))
    const [result, label, size] = await run(
      Effect.all([
        Effect.flatMap(Outer, (outer) => outer.run("digest", Effect.succeed(1))),
        Effect.map(Inner, (service) => service.label),
        Effect.map(Inner, (service) => service.syncSize())
      ]),
      layer
    )
    expect([result, label, size]).toEqual([2, "frozen", 7])
    const types = (await Effect.runPromise(handle.getEvents())).map((e) => e.type)
    expect(types).toEqual(["execution.started", "task.event.processed", "execution.succeeded"])
  })

  it("a method that throws when called still throws, untracked", async () => {
    const { base, handle } = trackedToyLayers()
    const throwing = Layer.succeed(Inner, {
      label: "x",
      step: () => {
        throw new Error("sync throw")
      },
      lookup: () => Effect.succeed(undefined),
      syncSize: () => 0
    })
    const inner = await run(Inner, withTracking(throwing, { eventMap: toyEventMap }).pipe(Layer.provide(base)) as never)
    expect(() => inner.step(1)).toThrow("sync throw")
    expect(await Effect.runPromise(handle.getEvents())).toEqual([])
  })

  const spans: Array<{ name: string; parent: string | undefined; attributes: Record<string, unknown> }> = []
  const recordSpan = (n: number) =>
    Effect.currentSpan.pipe(
      Effect.tap((span) =>
        spans.push({
          name: span.name,
          parent: span.parent._tag === "Some" && span.parent.value._tag === "Span" ? span.parent.value.name : undefined,
          attributes: Object.fromEntries(span.attributes)
        })
      ),
      Effect.orDie,
      Effect.as(n)
    )

  it("with spans, runs each mapped method in a span named Service.method carrying the job context", async () => {
    const { base } = trackedToyLayers()
    const inner = withTracking(InnerLayer(undefined, recordSpan), { eventMap: toyEventMap, spans: true }).pipe(
      Layer.provideMerge(base)
    )
    const layer = withTracking(OuterLayer, { eventMap: toyEventMap, spans: true }).pipe(Layer.provideMerge(inner))
    await run(
      Effect.flatMap(Outer, (outer) => outer.run("spanned", Effect.succeed(1))),
      layer
    )
    expect(spans).toEqual([
      {
        name: "Inner.step",
        parent: "Outer.run",
        attributes: { "job.instanceId": "instance-1", "job.type": "task", "job.name": "spanned" }
      }
    ])
  })
})

describe("withTracking: spans carry no stack of this library", () => {
  // Effect's `withSpan` captures its caller's stack by default and puts it on a failed span as
  // `code.stacktrace`: here that caller is always this library's traced call, never the user's code.
  it("a failed method's span ends without a code.stacktrace, with its failure as its exit", async () => {
    const ended: Array<{ name: string; attributes: Record<string, unknown>; failed: boolean }> = []
    const tracer = Tracer.make({
      span: (name, parent, context, links, startTime, kind) => {
        const attributes = new Map<string, unknown>()
        const span: Tracer.Span = {
          _tag: "Span",
          name,
          spanId: `span-${ended.length}`,
          traceId: "trace",
          parent,
          context,
          status: { _tag: "Started", startTime },
          attributes,
          links,
          sampled: true,
          kind,
          end: (_endTime, exit) =>
            void ended.push({ name, attributes: Object.fromEntries(attributes), failed: Exit.isFailure(exit) }),
          attribute: (key, value) => void attributes.set(key, value),
          event: () => undefined,
          addLinks: () => undefined
        }
        return span
      },
      context: (f) => f()
    })
    const { base } = trackedToyLayers()
    const inner = withTracking(InnerLayer(undefined), { eventMap: toyEventMap, spans: true }).pipe(
      Layer.provideMerge(base)
    )
    const layer = withTracking(OuterLayer, { eventMap: toyEventMap, spans: true }).pipe(Layer.provideMerge(inner))
    const exit = await run(
      Effect.exit(Effect.flatMap(Outer, (outer) => outer.run("failing", Effect.succeed(-1)))).pipe(
        Effect.withTracer(tracer)
      ),
      layer
    )
    expect(exit).toEqual(Exit.fail("negative -1"))
    expect(ended.map(({ name, failed }) => ({ name, failed }))).toEqual([
      { name: "Inner.step", failed: true },
      { name: "Outer.run", failed: true }
    ])
    expect(ended.filter((span) => "code.stacktrace" in span.attributes)).toEqual([])
  })
})

describe("withTracking: the runtime a build's proxies share", () => {
  const tracker = InMemoryTracker.make().tracker
  const instance = { instanceId: "i-1" }
  // A fresh map per test (a map's plan, and the runtimes it remembers, is compiled once), and
  // the runtime of a build that sees the instance and, when given, the cleanup service.
  const planWith = (cleanup: (service: any) => Record<string, unknown>) =>
    planFor({ ...toyEventMap, ambient: { ...toyEventMap.ambient, "test/Cleanup": cleanup } }, false, false)
  const runtimeOf = (plan: TrackingPlan, cleanup?: object) => {
    const services = new Map<string, unknown>([["test/Instance", instance]])
    if (cleanup !== undefined) services.set("test/Cleanup", cleanup)
    return runtimeFor(plan, tracker, Context.unsafeMake(services), Context.empty())
  }

  it("is shared by builds whose presence-only service is another object, and keeps none of them", () => {
    const plan = planWith(() => ({ cleanup: true }))
    const first = { build: 1 }
    const runtime = runtimeOf(plan, first)
    expect(runtimeOf(plan, { build: 2 })).toBe(runtime)
    expect(runtime.ambient).toEqual({ instanceId: "i-1", cleanup: true })
    expect(plan.recent.some((entry) => entry.seen.includes(first))).toBe(false)
    // Without the service, the reader's context is not there: another runtime.
    const without = runtimeOf(plan)
    expect(without).not.toBe(runtime)
    expect(without.ambient).toEqual({ instanceId: "i-1" })
  })

  it("is another one when a service whose reader reads it is another object", () => {
    const plan = planWith((service: { build: number }) => ({ build: service.build }))
    const runtime = runtimeOf(plan, { build: 1 })
    const again = runtimeOf(plan, { build: 2 })
    expect(again).not.toBe(runtime)
    expect(again.ambient).toEqual({ instanceId: "i-1", build: 2 })
  })
})

describe("withTracking: a mapped method the service lacks", () => {
  // Its own tag key: what was said is remembered per process, by key and method.
  class Partial extends Context.Tag("test/PartialService")<Partial, { step(n: number): Effect.Effect<number> }>() {}
  // "missing" is no method of Partial: entries are typed by the service, so it is cast in.
  const partialMap: EventMap = {
    ...serviceEvents(jobEvents, Partial, "Partial", {
      step: { context: () => ({ jobType: "task", jobName: "partial" }) },
      missing: { context: () => ({ jobType: "task", jobName: "partial" }) }
    } as never),
    ambient: toyEventMap.ambient
  }
  const PartialLayer = Layer.succeed(Partial, { step: (n: number) => Effect.succeed(n + 1) })

  it("is warned about once per process, with the build's logger, and the call still runs", async () => {
    const { lines, provide } = captureLogs()
    const memory = InMemoryTracker.make()
    const layer = withTracking(PartialLayer, { eventMap: partialMap }).pipe(
      Layer.provide(Layer.merge(InMemoryTracker.layer(memory), InstanceLayer))
    )
    const call = Effect.flatMap(Partial, (partial) => partial.step(1)).pipe(Effect.provide(layer))
    expect(await Effect.runPromise(provide(call))).toBe(2)
    expect(await Effect.runPromise(provide(call))).toBe(2)
    const warnings = lines.filter((line) => line.annotations["module"] === "instrument/withTracking")
    expect(warnings.map((line) => line.level)).toEqual(["WARN"])
    expect(warnings[0]!.message).toContain("Partial.missing")
  })
})
