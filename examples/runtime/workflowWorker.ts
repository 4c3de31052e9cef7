// The Worker of the workflow demo, run in workerd: the workflow fixture's own
// `createDurableWorkflows` Durable Object and client over a few workflows. Bundled by
// workflowBundle.ts, whose substitution gives the engine its tracked layers (workflowTracking.ts).
import type { DurableObjectNamespace, DurableObjectState } from "@cloudflare/workers-types"
import { Effect, Either } from "effect"
import { Workflow, createDurableWorkflows } from "../../test/fixtures/workflow/src/index.js"
import { trackerOf, trackWith } from "./workflowTracking.js"

/** The Worker's bindings (see miniflare.ts). */
export interface WorkflowWorkerEnv {
  readonly WORKFLOWS: DurableObjectNamespace
  /** The HTTP tracker configuration as JSON; absent: no tracking. */
  readonly TRACKER?: string
}

// A step that fails its first attempt and succeeds on the next, per workflow instance (the
// attempts are counted in the Durable Object's memory, which lives as long as the demo).
const attemptsOf = new Map<string, number>()
const failsOnce = (key: string) =>
  Effect.suspend(() => {
    const attempt = (attemptsOf.get(key) ?? 0) + 1
    attemptsOf.set(key, attempt)
    return attempt === 1 ? Effect.fail(new Error("card network timed out")) : Effect.succeed("charged")
  })

// Retries and short sleeps are due a second later: their alarms fire by themselves, after their
// time (a busy machine only makes them later). A long sleep never comes due while the demo runs.
export const workflows = {
  /** Three steps, then done; the reservation has a deadline. */
  order: Workflow.make((input: { readonly orderId: string }) =>
    Effect.gen(function* () {
      const total = yield* Workflow.step({ name: "price", execute: Effect.succeed(42) })
      yield* Workflow.step({
        name: "reserve",
        execute: Effect.succeed(`reserved ${input.orderId}`),
        timeout: "30 seconds"
      })
      return yield* Workflow.step({ name: "confirm", execute: Effect.succeed({ total }) })
    })
  ),
  /** A step that fails once, is retried by the alarm a second later, and succeeds. */
  payment: Workflow.make((input: { readonly orderId: string }) =>
    Workflow.step({
      name: "charge",
      execute: failsOnce(input.orderId),
      retry: { maxAttempts: 2, delay: "1 second", jitter: false }
    })
  ),
  /** A step that always fails: retried once, then its retries are exhausted. */
  refund: Workflow.make((_: { readonly orderId: string }) =>
    Workflow.step({
      name: "refund",
      execute: Effect.fail(new Error("refunds are closed")),
      retry: { maxAttempts: 1, delay: "1 second", jitter: false }
    })
  ),
  /** Sleeps a second between two steps: its alarm resumes it. */
  reminder: Workflow.make((input: { readonly email: string }) =>
    Effect.gen(function* () {
      yield* Workflow.step({ name: "schedule", execute: Effect.succeed(input.email) })
      yield* Workflow.sleep("1 second")
      return yield* Workflow.step({ name: "send", execute: Effect.succeed("sent") })
    })
  ),
  /** Waits a day for an approval: cancelled while it sleeps. */
  approval: Workflow.make((input: { readonly requestId: string }) =>
    Effect.gen(function* () {
      yield* Workflow.step({ name: "request", execute: Effect.succeed(input.requestId) })
      yield* Workflow.sleep("1 day")
      return yield* Workflow.step({ name: "apply", execute: Effect.succeed("applied") })
    })
  )
}

export type DemoWorkflow = keyof typeof workflows

const engine = createDurableWorkflows(workflows)

/** An instance's alarm as the demo sees it: when it is set for, and the alarm runs it has finished. */
export interface AlarmRuns {
  readonly scheduledAt: number | null
  readonly finished: number
  readonly running: boolean
}

/**
 * The engine's Durable Object with its tracker: made before the engine builds its layers, and
 * flushed after each call that runs the workflow (the package's own tracking flushed in `run`,
 * `runAsync` and `alarm`; here `cancel` too, so that its event is delivered).
 */
export class Workflows extends engine.Workflows {
  readonly #state: DurableObjectState
  #finished = 0
  #running = 0

  constructor(state: DurableObjectState, env: WorkflowWorkerEnv) {
    super(trackWith(state, env.TRACKER === undefined || env.TRACKER === "" ? undefined : JSON.parse(env.TRACKER)), env)
    this.#state = state
  }

  #flushed<A>(call: Promise<A>): Promise<A> {
    return call.finally(() => Effect.runPromise(trackerOf(this.#state).flush()))
  }

  override run(...args: Parameters<InstanceType<typeof engine.Workflows>["run"]>) {
    return this.#flushed(super.run(...args))
  }

  override runAsync(...args: Parameters<InstanceType<typeof engine.Workflows>["runAsync"]>) {
    return this.#flushed(super.runAsync(...args))
  }

  override cancel(...args: Parameters<InstanceType<typeof engine.Workflows>["cancel"]>) {
    return this.#flushed(super.cancel(...args))
  }

  override async alarm(): Promise<void> {
    this.#running++
    try {
      await this.#flushed(super.alarm())
    } finally {
      this.#running--
      this.#finished++
    }
  }

  async alarmRuns(): Promise<AlarmRuns> {
    return { scheduledAt: await this.#state.storage.getAlarm(), finished: this.#finished, running: this.#running > 0 }
  }
}

/** What `POST /call` takes: a call on the workflow client. */
export type WorkflowCall =
  | {
      readonly action: "run" | "runAsync"
      readonly workflow: DemoWorkflow
      readonly id: string
      readonly input: unknown
    }
  | { readonly action: "cancel"; readonly instance: string; readonly reason?: string }
  | { readonly action: "status"; readonly instance: string }

export type CallResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string }

const clientCall = (env: WorkflowWorkerEnv, request: WorkflowCall): Effect.Effect<unknown, unknown> => {
  const client = engine.WorkflowClient.fromBinding(env.WORKFLOWS)
  switch (request.action) {
    case "run":
    case "runAsync":
      return client[request.action]({
        workflow: request.workflow,
        input: request.input as never,
        execution: { id: request.id }
      })
    case "cancel":
      return client.cancel(request.instance, request.reason === undefined ? undefined : { reason: request.reason })
    case "status":
      return Effect.map(client.status(request.instance), (status) => status?._tag ?? null)
  }
}

const call = async (env: WorkflowWorkerEnv, request: WorkflowCall): Promise<CallResult> => {
  const result = await Effect.runPromise(Effect.either(clientCall(env, request)))
  return Either.isRight(result) ? { ok: true, value: result.right } : { ok: false, error: String(result.left) }
}

const stub = (env: WorkflowWorkerEnv, instance: string) =>
  env.WORKFLOWS.get(env.WORKFLOWS.idFromName(instance)) as unknown as Pick<Workflows, "alarmRuns">

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } })

export default {
  async fetch(request: Request, env: WorkflowWorkerEnv): Promise<Response> {
    const url = new URL(request.url)
    const instance = url.searchParams.get("instance") ?? ""
    switch (url.pathname) {
      case "/call":
        return json(await call(env, (await request.json()) as WorkflowCall))
      case "/instance-id":
        return json({ id: env.WORKFLOWS.idFromName(instance).toString() })
      case "/alarm-runs":
        return json(await stub(env, instance).alarmRuns())
      default:
        return json({ error: "not found" }, 404)
    }
  }
}
