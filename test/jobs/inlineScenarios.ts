import { Effect, Schema } from "effect"
import { Continuous, Debounce, Task, WorkerPool } from "../fixtures/jobs-inline/src/definitions/index.js"

/**
 * Job definitions and requests of the older layout (the jobs-inline fixture), shared by the
 * coverage, golden-event and event-field tests. Retries are configured on the retry config,
 * with its own onRetryExhausted. Every delay is fixed (no jitter).
 */

const Counter = Schema.Struct({ n: Schema.Number })
const Click = Schema.Struct({ page: Schema.String })
const Order = Schema.Struct({ kind: Schema.String })
export const noRetry = Continuous.make({
  stateSchema: Counter,
  schedule: Continuous.every("1 minute"),
  execute: (ctx) => Effect.sync(() => ctx.updateState((state) => ({ n: state.n + 1 })))
})
export const withRetry = (failing: boolean) =>
  Continuous.make<typeof Counter.Type, Error>({
    stateSchema: Counter,
    schedule: Continuous.every("1 minute"),
    retry: { maxAttempts: 1, delay: "1 second", jitter: false, onRetryExhausted: () => Effect.void },
    execute: (ctx) =>
      failing
        ? Effect.fail(new Error("upstream down"))
        : Effect.sync(() => ctx.updateState((state) => ({ n: state.n + 1 })))
  })
export const selfTerminating = Continuous.make({
  stateSchema: Counter,
  schedule: Continuous.every("1 minute"),
  retry: { maxAttempts: 1, delay: "1 second", jitter: false },
  execute: (ctx) => ctx.terminate({ reason: "finished" })
})
export const batch = (retry: boolean) =>
  Debounce.make({
    eventSchema: Click,
    stateSchema: Click,
    flushAfter: "30 seconds",
    maxEvents: 3,
    ...(retry ? { retry: { maxAttempts: 1, delay: "1 second", jitter: false } } : {}),
    execute: () => Effect.void
  })
export const inbox = Task.make<typeof Counter.Type, typeof Order.Type, never>({
  stateSchema: Counter,
  eventSchema: Order,
  onEvent: (event, ctx) =>
    event.kind === "later" ? ctx.schedule("5 seconds") : event.kind === "done" ? ctx.clear() : ctx.setState({ n: 1 }),
  execute: () => Effect.void,
  onIdle: () => Effect.void
})
export const pool = WorkerPool.make({
  eventSchema: Schema.Struct({ to: Schema.String }),
  concurrency: 1,
  retry: { maxAttempts: 1, initialDelay: "1 second" },
  execute: () => Effect.void
})

export const inline = {
  start: (name: string) => ({ type: "continuous", action: "start", name, id: name, input: { n: 0 } }) as const,
  stop: (name: string) => ({ type: "continuous", action: "stop", name, id: name, reason: "maintenance" }) as const,
  add: (name: string, page: string) => ({ type: "debounce", action: "add", name, id: name, event: { page } }) as const,
  debounce: (name: string, action: "flush" | "clear") => ({ type: "debounce", action, name, id: name }) as const,
  send: (kind: string) => ({ type: "task", action: "send", name: "inbox", id: "inbox", event: { kind } }) as const,
  clearTask: () => ({ type: "task", action: "clear", name: "inbox", id: "inbox" }) as const
}
