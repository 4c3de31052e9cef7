import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Context, Effect, Layer, Schema } from "effect"
import { vi } from "vitest"
// The release's core, by path: the jobs packages import it as `@durable-effect/core` (vitest.config.ts).
import { createTestRuntime, RuntimeAdapter } from "../fixtures/core-tracked/index.js"
import { forgetInstanceMemory } from "../../src/jobs/instanceMemory.js"
import { fakeState } from "../fixtures/jobs/test/fakeDurableObjectState.js"

// The scripted requests of issue 26's tests on a jobs package (the hand-tracked release, or a
// copy of it migrated with any event set): the same jobs, made with the package's own definition
// helpers, run through its public runtime entries with upstream core's tracker config, and fetch
// standing in for the collector, so what the package POSTs is what a collector would receive.
// The test file mocks `cloudflare:workers` (the engine's base class) and unstubs globals after
// each test.

/** One event as POSTed. */
export type Sent = Record<string, unknown> & { readonly type: string }
export type Request = { readonly type: string; readonly action: string; readonly name: string } & Record<
  string,
  unknown
>
/** A request, the alarm firing, or an eviction: the next steps run in a fresh isolate. */
export type Step = Request | "alarm" | "evict"

/**
 * What the tests use of a jobs package's public API (loaded by path: the main tsconfig leaves the
 * hand-tracked fixtures out, their core being the release's).
 */
export interface JobsPackage {
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

/** A jobs package by its directory. */
export const loadJobsPackage = async (packageDir: string): Promise<JobsPackage> =>
  (await import(pathToFileURL(join(packageDir, "src/index.ts")).href)) as JobsPackage

/** Upstream core's tracker config, as a user of the release gives it. */
export const tracker = { endpoint: "https://collector.test/events", env: "test", serviceKey: "svc" }
/** The runtime's clock at the start of a script, in ms. */
export const START = 1_000_000

/** Every POSTed batch's events, in order, since the last take; fetch is stubbed by `collect`. */
const sent: Array<Sent> = []
export const take = (): Array<Sent> => sent.splice(0)
/** Stubs fetch to collect what the tracker POSTs (anything collected before is dropped). */
export const collect = (): void => {
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

/** A continuous job's start request, with `{ count }` as its input. */
export const start = (name: string, count: number): Request => ({
  type: "continuous",
  action: "start",
  name,
  id: `${name}-1`,
  input: { count }
})
const add = (event: number): Request => ({ type: "debounce", action: "add", name: "clicks", id: "c-1", event })

/** The scripts, each on a fresh instance. */
export const scripts = {
  /** A continuous start, its alarm, a client's terminate. */
  continuous: [
    start("counter", 5),
    "alarm",
    { type: "continuous", action: "terminate", name: "counter", id: "counter-1", reason: "bye" }
  ],
  /** A run that calls ctx.terminate(). */
  selfTerminate: [start("counter", -1)],
  /** A failure without a retry config. */
  failing: [start("failing", 42)],
  /** Retries (3 attempts) to exhaustion. */
  retries: [start("flaky", 0), "alarm", "alarm"],
  /** Retries whose maxDuration runs out first. */
  outOfTime: [start("slow", 0), "alarm"],
  /** A debounce filled to maxEvents (3), then flushed by its alarm. */
  debounce: [add(1), add(2), add(3), add(4), "alarm"],
  /** A task send whose onEvent schedules, then its alarm, whose onIdle schedules. */
  task: [{ type: "task", action: "send", name: "orders", id: "o-1", event: 7 }, "alarm"]
} as const satisfies Record<string, ReadonlyArray<Step>>

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
export const runSteps = async (
  jobs: JobsPackage,
  instanceId: string,
  steps: ReadonlyArray<Step>
): Promise<Array<Array<Sent>>> => {
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

/** A continuous start through the engine `createDurableJobs` makes, given the tracker config there. */
export const startThroughEngine = async (jobs: JobsPackage, instanceId: string): Promise<Array<Sent>> => {
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
  const engine = new Jobs(fakeState({ id: instanceId }).state, {})
  await engine.call(start("counter", 3))
  return take()
}
