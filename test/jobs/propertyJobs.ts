import { Effect, Schema } from "effect"
import fc from "fast-check"
import { Continuous, Debounce, Task, WorkerPool } from "../fixtures/jobs/src/definitions/index.js"
import type { AnyUnregisteredDefinition } from "../fixtures/jobs/src/registry/types.js"
import type { JobRequest } from "../fixtures/jobs/src/runtime/types.js"
import { UpstreamError } from "./scenarios.js"

/**
 * Random scripts for the property tests: a job of one of the four types, its behaviour drawn at
 * random (when it fails, retries, terminates, schedules), and a list of steps (client requests
 * and alarms) against one instance. Behaviour is a pure function of what the job is told (run
 * count, attempt, event), so a tracked and an untracked run of a script must agree exactly.
 */

export type Step = JobRequest | "alarm"

export interface Script {
  readonly label: string
  readonly definitions: Readonly<Record<string, AnyUnregisteredDefinition>>
  readonly steps: ReadonlyArray<Step>
}

const Counter = Schema.Struct({ n: Schema.Number })
const Item = Schema.Struct({ kind: Schema.String })

const retryConfig = (maxAttempts: number | null) =>
  maxAttempts === null ? {} : { retry: { maxAttempts, delay: "1 second" as const, jitter: false } }

const failure = (what: string) => new UpstreamError({ message: `${what} failed`, cause: new Error("connection reset") })

// ---------------------------------------------------------------------------
// continuous
// ---------------------------------------------------------------------------

const continuousScript = fc
  .record({
    failRuns: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
    failAttempts: fc.integer({ min: 1, max: 4 }),
    maxAttempts: fc.option(fc.integer({ min: 1, max: 3 })),
    onExhausted: fc.constantFrom("default", "nothing", "reschedule", "terminate"),
    terminateOnRun: fc.option(fc.integer({ min: 1, max: 6 })),
    steps: fc.array(
      fc.oneof(
        fc.constant<Step>("alarm"),
        fc.constant<Step>("alarm"),
        fc.constant<Step>({ type: "continuous", action: "start", name: "pulse", id: "pulse", input: { n: 0 } }),
        fc.constant<Step>({ type: "continuous", action: "trigger", name: "pulse", id: "pulse" }),
        fc.constant<Step>({ type: "continuous", action: "status", name: "pulse", id: "pulse" }),
        fc.constant<Step>({ type: "continuous", action: "terminate", name: "pulse", id: "pulse", reason: "client" })
      ),
      { minLength: 1, maxLength: 10 }
    )
  })
  .map((plan): Script => ({
    label: `continuous ${JSON.stringify({ ...plan, steps: undefined })}`,
    definitions: {
      pulse: Continuous.make<typeof Counter.Type, UpstreamError>({
        stateSchema: Counter,
        schedule: Continuous.every("1 minute"),
        ...retryConfig(plan.maxAttempts),
        execute: (ctx) =>
          ctx.runCount === plan.terminateOnRun
            ? ctx.terminate({ reason: `planned at run ${ctx.runCount}` })
            : plan.failRuns.includes(ctx.runCount) && ctx.attempt <= plan.failAttempts
              ? Effect.fail(failure(`run ${ctx.runCount}`))
              : Effect.sync(() => ctx.updateState((state) => ({ n: state.n + 1 }))),
        ...(plan.onExhausted === "default"
          ? {}
          : {
              onRetryExhausted: (_error, ctx) =>
                plan.onExhausted === "reschedule" ? ctx.reschedule("10 minutes") : plan.onExhausted === "terminate" ? ctx.terminate() : Effect.void
            })
      })
    },
    steps: plan.steps
  }))

// ---------------------------------------------------------------------------
// debounce
// ---------------------------------------------------------------------------

const debounceScript = fc
  .record({
    maxEvents: fc.option(fc.integer({ min: 1, max: 4 })),
    failOn: fc.constantFrom("never", "manual", "flushAfter", "maxEvents", "always"),
    failAttempts: fc.integer({ min: 1, max: 3 }),
    maxAttempts: fc.option(fc.integer({ min: 1, max: 2 })),
    onExhausted: fc.constantFrom("default", "nothing", "reschedule"),
    steps: fc.array(
      fc.oneof(
        { weight: 2, arbitrary: fc.constant<Step>("alarm") },
        { weight: 4, arbitrary: fc.constantFrom("/a", "/b", "/c").map((page): Step => ({ type: "debounce", action: "add", name: "batch", id: "batch", event: { page } })) },
        { weight: 1, arbitrary: fc.constant<Step>({ type: "debounce", action: "flush", name: "batch", id: "batch" }) },
        { weight: 1, arbitrary: fc.constant<Step>({ type: "debounce", action: "clear", name: "batch", id: "batch" }) },
        { weight: 1, arbitrary: fc.constant<Step>({ type: "debounce", action: "status", name: "batch", id: "batch" }) }
      ),
      { minLength: 1, maxLength: 10 }
    )
  })
  .map((plan): Script => ({
    label: `debounce ${JSON.stringify({ ...plan, steps: undefined })}`,
    definitions: {
      batch: Debounce.make<{ readonly page: string }, { readonly page: string }, UpstreamError>({
        eventSchema: Schema.Struct({ page: Schema.String }),
        stateSchema: Schema.Struct({ page: Schema.String }),
        flushAfter: "30 seconds",
        ...(plan.maxEvents === null ? {} : { maxEvents: plan.maxEvents }),
        ...retryConfig(plan.maxAttempts),
        execute: (ctx) =>
          (plan.failOn === "always" || plan.failOn === ctx.flushReason) && ctx.attempt <= plan.failAttempts
            ? Effect.fail(failure(`${ctx.flushReason} flush`))
            : Effect.void,
        ...(plan.onExhausted === "default"
          ? {}
          : { onRetryExhausted: (_error, ctx) => (plan.onExhausted === "reschedule" ? ctx.reschedule("1 minute") : Effect.void) })
      })
    },
    steps: plan.steps
  }))

// ---------------------------------------------------------------------------
// task
// ---------------------------------------------------------------------------

type TaskMove = "nothing" | "later" | "cancel" | "fail" | "clear"

const taskScript = fc
  .record({
    executeDoes: fc.constantFrom<TaskMove>("nothing", "later", "cancel", "fail", "clear"),
    onError: fc.constantFrom("none", "swallow", "schedule"),
    onIdle: fc.constantFrom("none", "nothing", "schedule"),
    steps: fc.array(
      fc.oneof(
        { weight: 2, arbitrary: fc.constant<Step>("alarm") },
        {
          weight: 4,
          arbitrary: fc
            .constantFrom<TaskMove>("nothing", "later", "cancel", "fail", "clear")
            .map((kind): Step => ({ type: "task", action: "send", name: "inbox", id: "inbox", event: { kind } }))
        },
        { weight: 1, arbitrary: fc.constant<Step>({ type: "task", action: "trigger", name: "inbox", id: "inbox" }) },
        { weight: 1, arbitrary: fc.constant<Step>({ type: "task", action: "terminate", name: "inbox", id: "inbox" }) },
        { weight: 1, arbitrary: fc.constant<Step>({ type: "task", action: "status", name: "inbox", id: "inbox" }) }
      ),
      { minLength: 1, maxLength: 10 }
    )
  })
  .map((plan): Script => {
    const act = (move: TaskMove, ctx: { schedule: (when: "5 seconds") => Effect.Effect<void>; cancelSchedule: () => Effect.Effect<void>; clear: () => Effect.Effect<never> }) =>
      move === "later"
        ? ctx.schedule("5 seconds")
        : move === "cancel"
          ? ctx.cancelSchedule()
          : move === "fail"
            ? Effect.fail(failure("task step"))
            : move === "clear"
              ? ctx.clear()
              : Effect.void
    return {
      label: `task ${JSON.stringify({ ...plan, steps: undefined })}`,
      definitions: {
        inbox: Task.make<typeof Counter.Type, typeof Item.Type, UpstreamError>({
          stateSchema: Counter,
          eventSchema: Item,
          onEvent: (event, ctx) => act(event.kind as TaskMove, ctx),
          execute: (ctx) => act(plan.executeDoes, ctx),
          ...(plan.onIdle === "none" ? {} : { onIdle: (ctx) => (plan.onIdle === "schedule" ? ctx.schedule("1 minute") : Effect.void) }),
          ...(plan.onError === "none" ? {} : { onError: (_error, ctx) => (plan.onError === "schedule" ? ctx.schedule("30 seconds") : Effect.void) })
        })
      },
      steps: plan.steps
    }
  })

// ---------------------------------------------------------------------------
// workerPool
// ---------------------------------------------------------------------------

const workerPoolScript = fc
  .record({
    maxAttempts: fc.option(fc.integer({ min: 1, max: 2 })),
    failAttempts: fc.integer({ min: 1, max: 3 }),
    steps: fc.array(
      fc.oneof(
        { weight: 4, arbitrary: fc.constant<Step>("alarm") },
        {
          weight: 3,
          arbitrary: fc
            .record({ id: fc.constantFrom("e1", "e2", "e3"), fails: fc.boolean() })
            .map(({ id, fails }): Step => ({
              type: "workerPool",
              action: "enqueue",
              name: "pool",
              instanceIndex: 0,
              eventId: id,
              event: { to: fails ? `fail-${id}` : id }
            }))
        },
        { weight: 1, arbitrary: fc.constantFrom("pause", "resume", "drain", "status").map((action): Step => ({ type: "workerPool", action, name: "pool", instanceIndex: 0 })) },
        {
          weight: 1,
          arbitrary: fc.constantFrom("e1", "e2", "e3").map((eventId): Step => ({ type: "workerPool", action: "cancel", name: "pool", instanceIndex: 0, eventId }))
        }
      ),
      { minLength: 1, maxLength: 10 }
    )
  })
  .map((plan): Script => ({
    label: `workerPool ${JSON.stringify({ ...plan, steps: undefined })}`,
    definitions: {
      pool: WorkerPool.make({
        eventSchema: Schema.Struct({ to: Schema.String }),
        concurrency: 1,
        ...(plan.maxAttempts === null ? {} : { retry: { maxAttempts: plan.maxAttempts, initialDelay: "1 second" } }),
        execute: (ctx) => (ctx.event.to.startsWith("fail") && ctx.attempt <= plan.failAttempts ? Effect.fail(failure(`event ${ctx.eventId}`)) : Effect.void)
      })
    },
    steps: plan.steps
  }))

/** A script over any of the four job types. */
export const anyScript: fc.Arbitrary<Script> = fc.oneof(continuousScript, debounceScript, taskScript, workerPoolScript)
