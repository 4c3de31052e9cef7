import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Context, Effect, Either, Layer, Schema } from "effect"
import { beforeAll, describe, expect, it, vi } from "vitest"
import { repoRoot } from "./fixtureCopy.js"
// The release's core, by path: both packages import it as `@durable-effect/core` (vitest.config.ts).
import { createTestRuntime, InternalTrackingEventSchema, RuntimeAdapter } from "../fixtures/core-tracked/index.js"
import { forgetInstanceMemory } from "../../src/jobs/instanceMemory.js"
import { fakeState } from "../fixtures/jobs/test/fakeDurableObjectState.js"

// The differential test of issue 26: the same scripted requests on the hand-tracked release and
// on its copy migrated with `--events upstream` (the default), each through its public runtime
// entry with upstream core's tracker config and fetch standing in for the collector. The
// upstream-format events must be equal field by field but for ids, timestamps and durations,
// and but for the listed corrections, each applied here by name to the release's events.
// Described inside the test file that migrates the copy (one migration per run); that file mocks
// `cloudflare:workers` (the engine's base class) and unstubs globals after each test.

type Sent = Record<string, unknown> & { readonly type: string }
type Request = { readonly type: string; readonly action: string; readonly name: string } & Record<string, unknown>
/** A request, the alarm firing, or an eviction: the next steps run in a fresh isolate. */
type Step = Request | "alarm" | "evict"

/**
 * What the test uses of either package's public API (both are loaded by path: the main tsconfig
 * leaves the hand-tracked fixtures out, their core being the release's).
 */
interface JobsPackage {
  readonly Continuous: {
    make(definition: object): unknown
    every(interval: string): unknown
  }
  readonly Debounce: { make(definition: object): unknown }
  readonly Task: { make(definition: object): unknown }
  readonly createJobRegistry: (definitions: Record<string, unknown>) => unknown
  readonly createJobsRuntimeFromLayer: (
    layer: unknown,
    registry: unknown,
    trackerConfig: typeof tracker
  ) => { handle(request: Request): Promise<unknown>; handleAlarm(): Promise<void> }
  readonly createDurableJobs: (
    definitions: Record<string, unknown>,
    options: { readonly tracker: typeof tracker }
  ) => { readonly Jobs: new (state: unknown, env: unknown) => { call(request: Request): Promise<unknown> } }
}
type State = { readonly count: number }
interface ContinuousContext {
  readonly state: State
  terminate(options: { reason: string }): Effect.Effect<never>
  updateState(f: (state: State) => State): void
}
interface TaskContext {
  setState(state: number): Effect.Effect<void>
  schedule(when: string): Effect.Effect<void>
}

const load = async (packageDir: string) =>
  (await import(pathToFileURL(join(packageDir, "src/index.ts")).href)) as JobsPackage

const tracker = { endpoint: "https://collector.test/events", env: "test", serviceKey: "svc" }
const START = 1_000_000

/** Every POSTed batch's events, in order, since the last take; fetch is stubbed by `collect`. */
const sent: Array<Sent> = []
const take = (): Array<Sent> => sent.splice(0)
const collect = () => {
  take()
  vi.stubGlobal("fetch", async (_url: string, init: { body: string }) => {
    sent.push(...(JSON.parse(init.body) as { events: Array<Sent> }).events)
    return new Response(null, { status: 200 })
  })
}

const Counter = Schema.Struct({ count: Schema.Number })
const fail = () => Effect.fail(new Error("flaky"))

/** The same jobs, made with each package's own definition helpers. */
const registryOf = (jobs: JobsPackage) =>
  jobs.createJobRegistry({
    counter: jobs.Continuous.make({
      stateSchema: Counter,
      schedule: jobs.Continuous.every("30 minutes"),
      execute: (ctx: ContinuousContext) =>
        Effect.gen(function* () {
          if (ctx.state.count < 0) return yield* ctx.terminate({ reason: "negative" })
          ctx.updateState((state) => ({ count: state.count + 1 }))
        })
    }),
    failing: jobs.Continuous.make({
      stateSchema: Counter,
      schedule: jobs.Continuous.every("30 minutes"),
      execute: () => Effect.fail(new Error("Intentional test failure"))
    }),
    flaky: jobs.Continuous.make({
      stateSchema: Counter,
      schedule: jobs.Continuous.every("30 minutes"),
      retry: { maxAttempts: 3, delay: "1 second", jitter: false },
      execute: fail
    }),
    slow: jobs.Continuous.make({
      stateSchema: Counter,
      schedule: jobs.Continuous.every("30 minutes"),
      retry: { maxAttempts: 5, delay: "2 seconds", maxDuration: "1 second", jitter: false },
      execute: fail
    }),
    clicks: jobs.Debounce.make({
      eventSchema: Schema.Number,
      stateSchema: Schema.Number,
      flushAfter: "10 seconds",
      maxEvents: 3,
      execute: () => Effect.void
    }),
    orders: jobs.Task.make({
      stateSchema: Schema.Number,
      eventSchema: Schema.Number,
      onEvent: (event: number, ctx: TaskContext) => Effect.zipRight(ctx.setState(event), ctx.schedule("1 minute")),
      execute: () => Effect.void,
      onIdle: (ctx: TaskContext) => ctx.schedule("1 hour")
    })
  })

const start = (name: string, count: number): Request => ({
  type: "continuous",
  action: "start",
  name,
  id: `${name}-1`,
  input: { count }
})
const add = (event: number): Request => ({ type: "debounce", action: "add", name: "clicks", id: "c-1", event })

/**
 * The runtime of an isolate hosting the instance: over the same storage, alarm and clock, with
 * adapters of its own and nothing remembered by tracking (as after an eviction).
 */
const isolate = (jobs: JobsPackage, layer: ReturnType<typeof createTestRuntime>["layer"], instanceId: string) => {
  forgetInstanceMemory(instanceId)
  let adapter: RuntimeAdapter["Type"] | undefined
  const fresh = Layer.map(layer, (context) =>
    Context.add(context, RuntimeAdapter, (adapter ??= { ...Context.get(context, RuntimeAdapter) }))
  )
  return jobs.createJobsRuntimeFromLayer(fresh, registryOf(jobs), tracker)
}

/** Runs the steps on a fresh in-memory instance of the package; the events each step sent. */
const run = async (jobs: JobsPackage, instanceId: string, steps: ReadonlyArray<Step>) => {
  const { layer, handles } = createTestRuntime(instanceId, START)
  let runtime = isolate(jobs, layer, instanceId)
  take()
  const perStep: Array<Array<Sent>> = []
  for (const step of steps) {
    if (step === "evict") runtime = isolate(jobs, layer, instanceId)
    else if (step === "alarm") {
      handles.scheduler.fire()
      await runtime.handleAlarm().catch(() => undefined)
    } else await runtime.handle(step).catch(() => undefined)
    perStep.push(take())
  }
  return perStep
}

/** What is compared: not the ids, times and durations; of an error's stack, whether it has one. */
const comparable = (event: Sent): Record<string, unknown> => {
  const { eventId: _id, timestamp: _at, durationMs: _took, ...rest } = event
  const error = rest["error"] as { message: string; stack?: string } | undefined
  return error === undefined ? rest : { ...rest, error: { message: error.message, stack: typeof error.stack } }
}

// The corrections, each applied to the release's events by what it is.

/** A retry's `job.failed` carries the attempt's own error, not "Retry scheduled for attempt N". */
const realRetryError = (message: string) => (event: Record<string, unknown>) =>
  event["type"] === "job.failed" && event["willRetry"] === true
    ? { ...event, error: { message, stack: "string" } }
    : event
/** `job.retryExhausted` says the duration ran out when it did, not always "max_attempts". */
const maxDurationReason = (event: Record<string, unknown>) =>
  event["type"] === "job.retryExhausted" ? { ...event, reason: "max_duration" } : event

let release: JobsPackage
let migrated: JobsPackage

/** Both packages on the same steps (each its own instance id, so no memory is shared). */
const both = async (name: string, steps: ReadonlyArray<Step>) => {
  collect()
  const before = await run(release, `diff-${name}`, steps)
  const after = await run(migrated, `diff-${name}`, steps)
  // Every migrated event is upstream core's: its own Schema decodes it (env and serviceKey aside).
  for (const { env, serviceKey, ...event } of after.flat()) {
    expect({ env, serviceKey }).toEqual({ env: "test", serviceKey: "svc" })
    expect(Either.isRight(Schema.decodeUnknownEither(InternalTrackingEventSchema)(event)), event.type).toBe(true)
  }
  return {
    before,
    after,
    compare: (events: ReadonlyArray<ReadonlyArray<Sent>>) => events.map((s) => s.map(comparable))
  }
}

/** The differential test, on the package `migratedDir()` holds once the enclosing `beforeAll` migrated it. */
export const describeUpstreamDifferential = (migratedDir: () => string): void => {
  describe("--events upstream against the release: its events, from the service calls", () => {
    beforeAll(async () => {
      release = await load(join(repoRoot, "test/fixtures/jobs-tracked"))
      migrated = await load(migratedDir())
    })

    it("continuous start, alarm and client terminate: the same events", async () => {
      const { before, after, compare } = await both("continuous", [
        start("counter", 5),
        "alarm",
        { type: "continuous", action: "terminate", name: "counter", id: "counter-1", reason: "bye" }
      ])
      expect(before.map((step) => step.map((event) => event.type))).toEqual([
        ["job.started", "job.executed"],
        ["job.executed"],
        ["job.terminated"]
      ])
      expect(compare(after)).toEqual(compare(before))
    })

    it("an eviction between the last run and a client terminate: the same events (the run count read from storage)", async () => {
      const { before, after, compare } = await both("evicted", [
        start("counter", 5),
        "alarm",
        "evict",
        { type: "continuous", action: "terminate", name: "counter", id: "counter-1", reason: "bye" }
      ])
      expect(before.map((step) => step.map((event) => [event.type, event["runCount"]]))).toEqual([
        [
          ["job.started", undefined],
          ["job.executed", 1]
        ],
        [["job.executed", 2]],
        [],
        [["job.terminated", 2]]
      ])
      expect(compare(after)).toEqual(compare(before))
    })

    it("ctx.terminate(): job.started only, in both", async () => {
      const { before, after, compare } = await both("self-terminate", [start("counter", -1)])
      expect(before[0]!.map((event) => event.type)).toEqual(["job.started"])
      expect(compare(after)).toEqual(compare(before))
    })

    it("a failure without retry: the release sends nothing (no flush when a call fails); migrated, its events", async () => {
      const { before, after, compare } = await both("failing", [start("failing", 42)])
      // Correction: a failing call's events are sent.
      expect(before).toEqual([[]])
      const job = {
        source: "job",
        instanceId: "diff-failing",
        id: "failing-1",
        jobType: "continuous",
        jobName: "failing",
        env: "test",
        serviceKey: "svc"
      }
      expect(compare(after)).toEqual([
        [
          { ...job, type: "job.started", input: { count: 42 } },
          {
            ...job,
            type: "job.failed",
            error: { message: "Intentional test failure", stack: "string" },
            runCount: 1,
            attempt: 1,
            willRetry: false,
            preExecutionState: { count: 42 }
          }
        ]
      ])
    })

    it("retries to exhaustion: the same events, but the retries carry the real error", async () => {
      const { before, after, compare } = await both("retries", [start("flaky", 0), "alarm", "alarm"])
      expect(before.map((step) => step.map((event) => event.type))).toEqual([
        ["job.started", "job.failed"],
        ["job.failed"],
        ["job.retryExhausted"]
      ])
      expect(before[0]![1]!["error"]).toEqual({ message: "Retry scheduled for attempt 2" })
      expect(compare(after)).toEqual(compare(before).map((step) => step.map(realRetryError("flaky"))))
    })

    it("retries out of time: the same events, but the reason is max_duration", async () => {
      const { before, after, compare } = await both("out-of-time", [start("slow", 0), "alarm"])
      expect(before[1]).toMatchObject([{ type: "job.retryExhausted", attempts: 2, reason: "max_attempts" }])
      expect(compare(after)).toEqual(
        compare(before).map((step) => step.map(realRetryError("flaky")).map(maxDurationReason))
      )
    })

    it("debounce to maxEvents and by alarm: the same events; durations by the runtime's clock", async () => {
      const steps: ReadonlyArray<Step> = [add(1), add(2), add(3), add(4), "alarm"]
      const { before, after, compare } = await both("debounce", steps)
      expect(before.map((step) => step.map((event) => event.type))).toEqual([
        ["debounce.started"],
        [],
        ["job.executed", "debounce.flushed"],
        ["debounce.started"],
        ["job.executed", "debounce.flushed"]
      ])
      expect(compare(after)).toEqual(compare(before))
      // Correction: the release takes Date.now() minus a start stored by the runtime's clock.
      const flushed = (events: ReadonlyArray<ReadonlyArray<Sent>>) =>
        events.flat().filter((event) => event.type === "debounce.flushed")
      for (const event of flushed(before)) expect(event["durationMs"]).toBeGreaterThan(Date.UTC(2020, 0, 1) - START)
      // The batch's age when its flush began: none inside the add that filled it, 10 s by the alarm.
      expect(flushed(after).map((event) => event["durationMs"])).toEqual([0, 10_000])
    })

    it("task send and alarm: the same events, an onIdle schedule in a run that left its schedule alone included", async () => {
      const { before, after, compare } = await both("task", [
        { type: "task", action: "send", name: "orders", id: "o-1", event: 7 },
        "alarm"
      ])
      expect(before.map((step) => step.map((event) => [event.type, event["trigger"]]))).toEqual([
        [
          ["task.scheduled", "event"],
          ["job.executed", undefined]
        ],
        [
          ["task.scheduled", "idle"],
          ["job.executed", undefined]
        ]
      ])
      // The alarm's run leaves its schedule alone and `onIdle` sets it: idle's, as the release says.
      expect(compare(after)).toEqual(compare(before))
    })

    it("a tracker given at createDurableJobs: the same events through the engine", async () => {
      const engineEvents = async (jobs: JobsPackage) => {
        collect()
        const { Jobs } = jobs.createDurableJobs(
          {
            counter: jobs.Continuous.make({
              stateSchema: Counter,
              schedule: jobs.Continuous.every("1 hour"),
              execute: () => Effect.void
            })
          },
          { tracker }
        )
        const engine = new Jobs(fakeState({ id: "do-diff" }).state, {})
        await engine.call(start("counter", 3))
        return [take()]
      }
      const before = await engineEvents(release)
      const after = await engineEvents(migrated)
      expect(before[0]!.map((event) => event.type)).toEqual(["job.started", "job.executed"])
      expect(after.map((step) => step.map(comparable))).toEqual(before.map((step) => step.map(comparable)))
    })
  })
}
