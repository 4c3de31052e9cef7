import { Effect, Schema } from "effect"
import fc from "fast-check"
import { UpstreamError } from "../support/jobScenarios.js"

/**
 * Random scripts for the property tests: a job of one of the four types, its behaviour drawn at
 * random (when it fails, retries, terminates, schedules), and a list of steps (client requests
 * and alarms) against one instance. Behaviour is a pure function of what the job is told (run
 * count, attempt, event), so a tracked and an untracked run of a script must agree exactly.
 */

/** A request of either layout (they share the request shape), or the alarm firing. */
export type Step =
  ({ readonly type: string; readonly action: string; readonly name: string } & Record<string, unknown>) | "alarm"

export interface Script {
  readonly label: string
  readonly definitions: Readonly<Record<string, unknown>>
  readonly steps: ReadonlyArray<Step>
}

type Maker = { readonly make: (config: any) => unknown }

/** What differs between the jobs packages' layouts, for the scripts. */
export interface FixtureKit {
  readonly Continuous: Maker & { readonly every: (interval: "1 minute") => unknown }
  readonly Debounce: Maker
  readonly Task: Maker
  readonly WorkerPool: Maker
  /** The client action that ends a continuous instance, and a task instance. */
  readonly endContinuous: string
  readonly endTask: string
  /** The ways a job may handle exhausted retries in this layout, as definition fields. */
  readonly onExhausted: ReadonlyArray<string>
  readonly exhaustedFields: (mode: string, rescheduleIn: string) => Record<string, unknown>
  readonly retryFields: (maxAttempts: number | null, mode: string) => Record<string, unknown>
}

const Counter = Schema.Struct({ n: Schema.Number })
const Item = Schema.Struct({ kind: Schema.String })

const failure = (what: string) => new UpstreamError({ message: `${what} failed`, cause: new Error("connection reset") })

// ---------------------------------------------------------------------------
// continuous
// ---------------------------------------------------------------------------

export const scriptsFor = (kit: FixtureKit): fc.Arbitrary<Script> => {
  const { Continuous, Debounce, Task, WorkerPool } = kit
  const continuousScript = fc
    .record({
      failRuns: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
      failAttempts: fc.integer({ min: 1, max: 4 }),
      maxAttempts: fc.option(fc.integer({ min: 1, max: 3 })),
      onExhausted: fc.constantFrom(...kit.onExhausted),
      terminateOnRun: fc.option(fc.integer({ min: 1, max: 6 })),
      steps: fc.array(
        fc.oneof(
          fc.constant<Step>("alarm"),
          fc.constant<Step>("alarm"),
          fc.constant<Step>({ type: "continuous", action: "start", name: "pulse", id: "pulse", input: { n: 0 } }),
          fc.constant<Step>({ type: "continuous", action: "trigger", name: "pulse", id: "pulse" }),
          fc.constant<Step>({ type: "continuous", action: "status", name: "pulse", id: "pulse" }),
          fc.constant<Step>({
            type: "continuous",
            action: kit.endContinuous,
            name: "pulse",
            id: "pulse",
            reason: "client"
          })
        ),
        { minLength: 1, maxLength: 10 }
      )
    })
    .map((plan): Script => ({
      label: `continuous ${JSON.stringify({ ...plan, steps: undefined })}`,
      definitions: {
        pulse: Continuous.make({
          stateSchema: Counter,
          schedule: Continuous.every("1 minute"),
          ...kit.retryFields(plan.maxAttempts, plan.onExhausted),
          ...kit.exhaustedFields(plan.onExhausted, "10 minutes"),
          execute: (ctx: ContinuousCtx) =>
            ctx.runCount === plan.terminateOnRun
              ? ctx.terminate({ reason: `planned at run ${ctx.runCount}` })
              : plan.failRuns.includes(ctx.runCount) && ctx.attempt <= plan.failAttempts
                ? Effect.fail(failure(`run ${ctx.runCount}`))
                : Effect.sync(() => ctx.updateState((state) => ({ n: state.n + 1 })))
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
      onExhausted: fc.constantFrom(...kit.onExhausted.filter((mode) => mode !== "terminate")),
      steps: fc.array(
        fc.oneof(
          { weight: 2, arbitrary: fc.constant<Step>("alarm") },
          {
            weight: 4,
            arbitrary: fc
              .constantFrom("/a", "/b", "/c")
              .map((page): Step => ({ type: "debounce", action: "add", name: "batch", id: "batch", event: { page } }))
          },
          {
            weight: 1,
            arbitrary: fc.constant<Step>({ type: "debounce", action: "flush", name: "batch", id: "batch" })
          },
          {
            weight: 1,
            arbitrary: fc.constant<Step>({ type: "debounce", action: "clear", name: "batch", id: "batch" })
          },
          {
            weight: 1,
            arbitrary: fc.constant<Step>({ type: "debounce", action: "status", name: "batch", id: "batch" })
          }
        ),
        { minLength: 1, maxLength: 10 }
      )
    })
    .map((plan): Script => ({
      label: `debounce ${JSON.stringify({ ...plan, steps: undefined })}`,
      definitions: {
        batch: Debounce.make({
          eventSchema: Schema.Struct({ page: Schema.String }),
          stateSchema: Schema.Struct({ page: Schema.String }),
          flushAfter: "30 seconds",
          ...(plan.maxEvents === null ? {} : { maxEvents: plan.maxEvents }),
          ...kit.retryFields(plan.maxAttempts, plan.onExhausted),
          ...kit.exhaustedFields(plan.onExhausted, "1 minute"),
          execute: (ctx: DebounceCtx) =>
            (plan.failOn === "always" || plan.failOn === ctx.flushReason) && ctx.attempt <= plan.failAttempts
              ? Effect.fail(failure(`${ctx.flushReason} flush`))
              : Effect.void
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
          {
            weight: 1,
            arbitrary: fc.constant<Step>({ type: "task", action: kit.endTask, name: "inbox", id: "inbox" })
          },
          { weight: 1, arbitrary: fc.constant<Step>({ type: "task", action: "status", name: "inbox", id: "inbox" }) }
        ),
        { minLength: 1, maxLength: 10 }
      )
    })
    .map((plan): Script => {
      const act = (move: TaskMove, ctx: TaskCtx) =>
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
          inbox: Task.make({
            stateSchema: Counter,
            eventSchema: Item,
            onEvent: (event: typeof Item.Type, ctx: TaskCtx) => act(event.kind as TaskMove, ctx),
            execute: (ctx: TaskCtx) => act(plan.executeDoes, ctx),
            ...(plan.onIdle === "none"
              ? {}
              : { onIdle: (ctx: TaskCtx) => (plan.onIdle === "schedule" ? ctx.schedule("1 minute") : Effect.void) }),
            ...(plan.onError === "none"
              ? {}
              : {
                  onError: (_error: unknown, ctx: TaskCtx) =>
                    plan.onError === "schedule" ? ctx.schedule("30 seconds") : Effect.void
                })
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
          {
            weight: 1,
            arbitrary: fc
              .constantFrom("pause", "resume", "drain", "status")
              .map((action): Step => ({ type: "workerPool", action, name: "pool", instanceIndex: 0 }))
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom("e1", "e2", "e3").map((eventId): Step => ({
              type: "workerPool",
              action: "cancel",
              name: "pool",
              instanceIndex: 0,
              eventId
            }))
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
          execute: (ctx: PoolCtx) =>
            ctx.event.to.startsWith("fail") && ctx.attempt <= plan.failAttempts
              ? Effect.fail(failure(`event ${ctx.eventId}`))
              : Effect.void
        })
      },
      steps: plan.steps
    }))

  return fc.oneof(continuousScript, debounceScript, taskScript, workerPoolScript)
}

// What the scripts' jobs use of their contexts: the same in both layouts.
interface ContinuousCtx {
  readonly runCount: number
  readonly attempt: number
  readonly terminate: (options?: { readonly reason?: string }) => Effect.Effect<never>
  readonly updateState: (fn: (state: { readonly n: number }) => { readonly n: number }) => void
}
interface DebounceCtx {
  readonly flushReason: string
  readonly attempt: number
}
interface TaskCtx {
  readonly schedule: (when: string) => Effect.Effect<void>
  readonly cancelSchedule: () => Effect.Effect<void>
  readonly clear: () => Effect.Effect<never>
}
interface PoolCtx {
  readonly event: { readonly to: string }
  readonly eventId: string
  readonly attempt: number
}
