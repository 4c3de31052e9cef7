import { startMiniflare } from "./miniflare.js"
import { waitUntil } from "./wait.js"
import type { AlarmRuns, CallResult, DemoWorkflow, WorkflowCall } from "./workflowWorker.js"

/** A running workerd with the workflow demo's Worker, and a client for it. */
export interface RunningWorkflowWorker {
  /** A call on the workflow client inside the Worker; never throws for a workflow's error. */
  readonly call: (call: WorkflowCall) => Promise<CallResult>
  /** The Durable Object id (what events carry as `workflowId`) of the instance `workflow:id`. */
  readonly workflowId: (instance: string) => Promise<string>
  /** Waits until the instance has finished `count` alarm runs and none is running. */
  readonly alarmRunsFinished: (instance: string, count: number) => Promise<AlarmRuns>
  readonly dispose: () => Promise<void>
}

const ORIGIN = "http://workflows.local"

/** Starts workerd (through Miniflare 4) with the engine's Durable Object `Workflows` bound as `WORKFLOWS`. */
export const startWorkflowWorker = async (options: {
  /** The bundled Worker (workflowBundle.ts). */
  readonly script: string
  /** The HTTP tracker configuration; absent: no tracking. */
  readonly tracker?: Record<string, unknown>
}): Promise<RunningWorkflowWorker> => {
  const { mf, dispose } = await startMiniflare({
    modules: true,
    script: options.script,
    compatibilityDate: "2025-01-01",
    durableObjects: { WORKFLOWS: "Workflows" },
    bindings: options.tracker === undefined ? {} : { TRACKER: JSON.stringify(options.tracker) }
  })
  const get = async (path: string): Promise<unknown> => (await mf.dispatchFetch(`${ORIGIN}${path}`)).json()
  const query = (instance: string) => `?instance=${encodeURIComponent(instance)}`
  return {
    call: async (call) =>
      (await (
        await mf.dispatchFetch(`${ORIGIN}/call`, { method: "POST", body: JSON.stringify(call) })
      ).json()) as CallResult,
    workflowId: async (instance) => ((await get(`/instance-id${query(instance)}`)) as { id: string }).id,
    alarmRunsFinished: (instance, count) =>
      waitUntil(`${instance}: ${count} alarm runs finished`, async () => {
        const runs = (await get(`/alarm-runs${query(instance)}`)) as AlarmRuns
        return runs.finished >= count && !runs.running ? runs : undefined
      }),
    dispose
  }
}

/** A workflow instance of the scenario: the Durable Object the client names `workflow:id`. */
export interface ScenarioWorkflow {
  readonly workflow: DemoWorkflow
  readonly id: string
  readonly input: unknown
  /** How the client starts it: now (`run`), or queued for its alarm (`runAsync`). */
  readonly action: "run" | "runAsync"
  /** The client's instance name, `workflow:id`. */
  readonly instance: string
  readonly story: string
  /** The status the scenario leaves it in. */
  readonly status: "Completed" | "Failed" | "Cancelled"
}

const scenarioWorkflow = (
  entry: Omit<ScenarioWorkflow, "instance" | "action"> & { readonly action?: ScenarioWorkflow["action"] }
): ScenarioWorkflow => ({ action: "run", ...entry, instance: `${entry.workflow}:${entry.id}` })

/** The workflows {@link runWorkflowScenario} runs, in order. */
export const scenarioWorkflows = {
  order: scenarioWorkflow({
    workflow: "order",
    id: "ord-1",
    input: { orderId: "ord-1" },
    status: "Completed",
    story: "three steps (one with a timeout), completed in one run"
  }),
  queued: scenarioWorkflow({
    workflow: "order",
    id: "ord-3",
    input: { orderId: "ord-3" },
    action: "runAsync",
    status: "Completed",
    story: "queued (runAsync); its alarm runs it"
  }),
  payment: scenarioWorkflow({
    workflow: "payment",
    id: "ord-1",
    input: { orderId: "ord-1" },
    status: "Completed",
    story: "its step fails, is retried by the alarm, succeeds"
  }),
  refund: scenarioWorkflow({
    workflow: "refund",
    id: "ord-2",
    input: { orderId: "ord-2" },
    status: "Failed",
    story: "its step fails again on its retry: retries exhausted"
  }),
  reminder: scenarioWorkflow({
    workflow: "reminder",
    id: "rem-1",
    input: { email: "ada@example.com" },
    status: "Completed",
    story: "sleeps a second; its alarm resumes it"
  }),
  approval: scenarioWorkflow({
    workflow: "approval",
    id: "apr-1",
    input: { requestId: "apr-1" },
    status: "Cancelled",
    story: "sleeps a day; cancelled by the client meanwhile"
  })
} as const satisfies Record<string, ScenarioWorkflow>

const ok = (what: string, result: CallResult): unknown => {
  if (!result.ok) throw new Error(`${what} failed: ${result.error}`)
  return result.value
}

/**
 * Runs each workflow of {@link scenarioWorkflows} through the client, one after the other, and
 * checks it ends in its status. A workflow that pauses (a retry, a short sleep) is resumed by
 * its own alarm, which the scenario waits for; the run's events are flushed before the alarm
 * run counts as finished, so each workflow's events reach the collector in the order emitted.
 */
export const runWorkflowScenario = async (
  worker: RunningWorkflowWorker,
  say: (line: string) => void = () => undefined
): Promise<void> => {
  const run = async ({ workflow, action, id, input, instance }: ScenarioWorkflow) =>
    ok(`${instance}: ${action}`, await worker.call({ action, workflow, id, input }))
  const status = async ({ instance }: ScenarioWorkflow) =>
    ok(`${instance}: status`, await worker.call({ action: "status", instance }))
  const expectStatus = async (entry: ScenarioWorkflow) => {
    const actual = await status(entry)
    if (actual !== entry.status) throw new Error(`${entry.instance}: expected ${entry.status}, got ${String(actual)}`)
  }
  const { order, queued, payment, refund, reminder, approval } = scenarioWorkflows

  for (const entry of [order, queued, payment, refund, reminder]) {
    say(`${entry.instance}: ${entry.story}`)
    await run(entry)
    if (entry !== order) await worker.alarmRunsFinished(entry.instance, 1)
    await expectStatus(entry)
  }

  say(`${approval.instance}: ${approval.story}`)
  await run(approval)
  ok(
    `${approval.instance}: cancel`,
    await worker.call({ action: "cancel", instance: approval.instance, reason: "withdrawn" })
  )
  await expectStatus(approval)
}
