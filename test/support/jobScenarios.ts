import { Data, Effect, Schema } from "effect"
import { Continuous, Debounce, Task, WorkerPool } from "../fixtures/jobs/src/definitions/index.js"
import type { JobRequest } from "../fixtures/jobs/src/runtime/types.js"

/**
 * Job definitions and request sequences shared by the golden-event and differential tests. Every
 * delay is fixed (no jitter), so a scenario is repeatable to the millisecond.
 */

const Counter = Schema.Struct({ n: Schema.Number })
const Click = Schema.Struct({ page: Schema.String })
const Order = Schema.Struct({ kind: Schema.String })

export const heartbeat = Continuous.make({
  stateSchema: Counter,
  schedule: Continuous.every("1 minute"),
  execute: (ctx) => Effect.sync(() => ctx.updateState((state) => ({ n: state.n + 1 })))
})

export const flaky = (onRetryExhausted?: "reschedule") =>
  Continuous.make<typeof Counter.Type, Error>({
    stateSchema: Counter,
    schedule: Continuous.every("1 minute"),
    retry: { maxAttempts: 2, delay: "1 second", jitter: false },
    execute: () => Effect.fail(new Error("upstream down")),
    ...(onRetryExhausted === "reschedule" ? { onRetryExhausted: (_error, ctx) => ctx.reschedule("10 minutes") } : {})
  })

/** A job's own typed error, with the lower-level error that caused it. */
export class UpstreamError extends Data.TaggedError("UpstreamError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** Fails every run, without a retry config: the runtime wraps the error in its ExecutionError. */
export const broken = (message = "upstream down") =>
  Continuous.make<typeof Counter.Type, UpstreamError>({
    stateSchema: Counter,
    schedule: Continuous.every("1 minute"),
    execute: () => Effect.fail(new UpstreamError({ message, cause: new TypeError("fetch failed") }))
  })

export const selfTerminating = Continuous.make({
  stateSchema: Counter,
  schedule: Continuous.every("1 minute"),
  execute: (ctx) => ctx.terminate({ reason: "finished" })
})

export const clicks = (maxEvents?: number) =>
  Debounce.make({
    eventSchema: Click,
    stateSchema: Click,
    flushAfter: "30 seconds",
    ...(maxEvents === undefined ? {} : { maxEvents }),
    execute: () => Effect.void
  })

export const orders = Task.make<typeof Counter.Type, typeof Order.Type, never>({
  stateSchema: Counter,
  eventSchema: Order,
  onEvent: (event, ctx) => (event.kind === "later" ? ctx.schedule("5 seconds") : Effect.void),
  execute: () => Effect.void,
  onIdle: () => Effect.void
})

/** Like orders, but its alarm run cancels the schedule: the package then counts it idle. */
export const sweeper = Task.make<typeof Counter.Type, typeof Order.Type, never>({
  stateSchema: Counter,
  eventSchema: Order,
  onEvent: (event, ctx) => (event.kind === "later" ? ctx.schedule("5 seconds") : Effect.void),
  execute: (ctx) => ctx.cancelSchedule(),
  onIdle: () => Effect.void
})

export const mailer = WorkerPool.make({
  eventSchema: Schema.Struct({ to: Schema.String }),
  concurrency: 1,
  execute: () => Effect.void
})

export const requests = {
  start: (name: string): JobRequest => ({ type: "continuous", action: "start", name, id: name, input: { n: 0 } }),
  terminate: (name: string, reason: string): JobRequest => ({
    type: "continuous",
    action: "terminate",
    name,
    id: name,
    reason
  }),
  add: (page: string): JobRequest => ({
    type: "debounce",
    action: "add",
    name: "clicks",
    id: "clicks",
    event: { page }
  }),
  clear: (): JobRequest => ({ type: "debounce", action: "clear", name: "clicks", id: "clicks" }),
  send: (kind: string): JobRequest => ({ type: "task", action: "send", name: "orders", id: "orders", event: { kind } }),
  enqueue: (eventId: string): JobRequest => ({
    type: "workerPool",
    action: "enqueue",
    name: "mailer",
    eventId,
    instanceIndex: 0,
    event: { to: `${eventId}@example.com` }
  })
}
