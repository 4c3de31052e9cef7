// The Worker the demo and the end-to-end tests run in workerd. It imports the jobs fixture as
// written here; when bundled (see bundle.ts), those imports are redirected to a temp copy of
// the fixture, codemodded or not, so the same entry serves the tracked and the untracked runs.
import { Effect, Either, Schema } from "effect"
import type { DurableObjectNamespace } from "@cloudflare/workers-types"
import { Continuous, Debounce, Task, WorkerPool, createDurableJobs } from "../../test/fixtures/jobs/src/index.js"
import { durableOutbox, type HttpBatchTrackerOutboxConfig } from "durable-effect-tracking"

/** The Worker's bindings (see miniflare.ts). */
export interface WorkerEnv {
  readonly JOBS: DurableObjectNamespace
  /** The tracker configuration as JSON; absent: no tracking. */
  readonly TRACKER?: string
}

/** What `POST /call` takes: a call on the jobs client, `client[job](name)[action](...args)`. */
export interface ClientCall {
  readonly job: "continuous" | "debounce" | "task" | "workerPool"
  readonly name: string
  readonly action: string
  readonly args: ReadonlyArray<unknown>
}

export type CallResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string }

const Beats = Schema.Struct({ beats: Schema.Number })
const Click = Schema.Struct({ page: Schema.String })
const Clicks = Schema.Struct({ pages: Schema.Array(Schema.String) })
const Order = Schema.Struct({ kind: Schema.Literal("now", "later") })
const Orders = Schema.Struct({ received: Schema.Number, executed: Schema.Number })
const Mail = Schema.Struct({ to: Schema.String })

class UpstreamDown extends Schema.TaggedError<UpstreamDown>()("UpstreamDown", { service: Schema.String }) {
  override get message(): string {
    return `${this.service} is down`
  }
}

// Every alarm a job sets for later is an hour out, so that no alarm fires on its own while a
// scenario runs, however slow the machine: a scenario brings an alarm forward when it wants it
// (`/fire-alarm`), and waits for that run to end (`/alarm-runs`). Only a workerPool's alarm is
// set for "now" by the jobs package itself; a scenario waits for its run the same way.
const later = "1 hour"

export const definitions = {
  /** Beats on start, then hourly until terminated. */
  heartbeat: Continuous.make({
    stateSchema: Beats,
    schedule: Continuous.every(later),
    execute: (ctx) => Effect.sync(() => ctx.updateState((state) => ({ beats: state.beats + 1 })))
  }),
  /** Runs when triggered (its schedule is far away); a trigger with 3 beats or more terminates it. */
  ticker: Continuous.make({
    stateSchema: Beats,
    schedule: Continuous.every(later),
    execute: (ctx) =>
      ctx.state.beats >= 3
        ? ctx.terminate({ reason: "ran three times" })
        : Effect.sync(() => ctx.updateState((state) => ({ beats: state.beats + 1 })))
  }),
  /** Always fails: two retries, each by an alarm, then the retries are exhausted and it ends. */
  flaky: Continuous.make<typeof Beats.Type, UpstreamDown>({
    stateSchema: Beats,
    schedule: Continuous.every(later),
    retry: { maxAttempts: 2, delay: later, jitter: false },
    execute: () => Effect.fail(new UpstreamDown({ service: "billing" }))
  }),
  /** Collects page clicks; flushes at 3 clicks, or by the alarm set on the first one. */
  clicks: Debounce.make({
    eventSchema: Click,
    stateSchema: Clicks,
    flushAfter: later,
    maxEvents: 3,
    // On the first click the state handed in is the click itself: start the list there.
    onEvent: (ctx) =>
      Effect.succeed({ pages: ctx.eventCount === 1 ? [ctx.event.page] : [...ctx.state.pages, ctx.event.page] }),
    execute: () => Effect.void
  }),
  /** Counts orders; a "later" order is executed by the alarm it schedules. */
  orders: Task.make<typeof Orders.Type, typeof Order.Type, never>({
    stateSchema: Orders,
    eventSchema: Order,
    onEvent: (event, ctx) =>
      Effect.gen(function* () {
        const state = ctx.state ?? { received: 0, executed: 0 }
        yield* ctx.setState({ ...state, received: state.received + 1 })
        if (event.kind === "later") yield* ctx.schedule(later)
      }),
    execute: (ctx) => ctx.updateState((state) => ({ ...state, executed: state.executed + 1 })),
    onIdle: () => Effect.void
  }),
  /** Sends mails one per alarm. */
  mailer: WorkerPool.make({
    eventSchema: Mail,
    concurrency: 1,
    execute: () => Effect.void
  })
}

// The codemodded factory takes `{ tracker }`, as a config or a function of the env; the
// fixture's own factory takes one argument and ignores a second (the untracked baseline).
type WithTracker = (
  defs: typeof definitions,
  options: { readonly tracker: (env: WorkerEnv) => unknown }
) => ReturnType<typeof createDurableJobs>
// The binding holds JSON; an `outbox` in it is the outbox's configuration, given to the
// tracker made by `durableOutbox` (which brings the outbox's code).
const trackerOption = (json: string | undefined): unknown => {
  if (json === undefined || json === "") return undefined
  const config = JSON.parse(json) as { readonly outbox?: HttpBatchTrackerOutboxConfig }
  return config.outbox === undefined ? config : { ...config, outbox: durableOutbox(config.outbox) }
}
const jobs = (createDurableJobs as unknown as WithTracker)(definitions, {
  tracker: (env) => trackerOption(env.TRACKER)
})

/** An instance's alarm as a scenario sees it: when it is set for, and the alarm runs it has finished. */
export interface AlarmRuns {
  readonly scheduledAt: number | null
  /** Alarm runs finished (tracker flush included) since this object started. */
  readonly finished: number
  readonly running: boolean
}

/**
 * The engine, plus a look at its storage keys (to show what tracking writes, or does not) and
 * at its alarm: a scenario brings a pending alarm forward to now, and waits for that run to end.
 */
export class Jobs extends jobs.Jobs {
  #finished = 0
  #running = 0

  override async alarm(): Promise<void> {
    this.#running++
    try {
      await super.alarm()
    } finally {
      this.#running--
      this.#finished++
    }
  }

  async storageKeys(): Promise<Array<string>> {
    return [...(await this.ctx.storage.list()).keys()]
  }

  async alarmRuns(): Promise<AlarmRuns> {
    return { scheduledAt: await this.ctx.storage.getAlarm(), finished: this.#finished, running: this.#running > 0 }
  }

  /** Moves the pending alarm to now: workerd runs it as it runs any alarm that is due. */
  async fireAlarm(): Promise<AlarmRuns> {
    const runs = await this.alarmRuns()
    if (runs.scheduledAt !== null) await this.ctx.storage.setAlarm(Date.now())
    return runs
  }
}

type AnyClientMethod = (...args: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown>

const call = async (env: WorkerEnv, request: ClientCall): Promise<CallResult> => {
  const client = jobs.JobsClient.fromBinding(env.JOBS) as unknown as Record<
    string,
    (name: string) => Record<string, AnyClientMethod>
  >
  const method = client[request.job]?.(request.name)[request.action]
  if (method === undefined) return { ok: false, error: `no such call: ${request.job}.${request.action}` }
  const result = await Effect.runPromise(Effect.either(Effect.suspend(() => method(...request.args))))
  if (Either.isRight(result)) return { ok: true, value: result.right }
  const failure = result.left as { readonly cause?: unknown }
  return { ok: false, error: String(failure.cause ?? failure) }
}

type JobsStub = Pick<Jobs, "storageKeys" | "alarmRuns" | "fireAlarm">
const stub = (env: WorkerEnv, instance: string): JobsStub =>
  env.JOBS.get(env.JOBS.idFromName(instance)) as unknown as JobsStub

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } })

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    const url = new URL(request.url)
    const instance = url.searchParams.get("instance") ?? ""
    switch (url.pathname) {
      case "/call":
        return json(await call(env, (await request.json()) as ClientCall))
      case "/instance-id":
        return json({ id: env.JOBS.idFromName(instance).toString() })
      case "/storage-keys":
        return json({ keys: await stub(env, instance).storageKeys() })
      case "/alarm-runs":
        return json(await stub(env, instance).alarmRuns())
      case "/fire-alarm":
        return json(await stub(env, instance).fireAlarm())
      default:
        return json({ error: "not found" }, 404)
    }
  }
}
