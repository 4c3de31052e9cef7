import type { RunningWorker, TimedCall } from "./miniflare.js"
import { waitUntil } from "./wait.js"

/** A job instance of a scenario: the Durable Object named `type:name:id`. */
export interface ScenarioInstance {
  readonly jobType: "continuous" | "debounce" | "task" | "workerPool"
  readonly jobName: string
  /** The client's instance name, `type:name:id` (`workerPool:name:index` for a pool). */
  readonly instanceName: string
  /** What the scenario does with it, in a few words. */
  readonly story: string
}

export const instance = (jobType: ScenarioInstance["jobType"], jobName: string, id: string, story: string): ScenarioInstance => ({
  jobType,
  jobName,
  instanceName: `${jobType}:${jobName}:${id}`,
  story
})

/** The instances {@link runScenario} drives, over the four job types. */
export const scenarioInstances = {
  heartbeat: instance("continuous", "heartbeat", "hb-1", "beats every second; terminated by the client after 3 runs"),
  flaky: instance("continuous", "flaky", "fl-1", "always fails: 2 retries by alarm, retries exhausted, the job ends"),
  ticker: instance("continuous", "ticker", "tk-1", "run on each trigger; terminates itself at its 4th run"),
  clicks: instance("debounce", "clicks", "ck-1", "3 clicks flush at once (maxEvents); a 4th is flushed by the alarm 1 s later"),
  cleared: instance("debounce", "clicks", "ck-2", "a click, then the batch is cleared by the client"),
  orders: instance("task", "orders", "or-1", "an order handled now; one scheduled and run by the alarm 1 s later"),
  mailer: instance("workerPool", "mailer", "0", "2 mails, each sent by its own alarm")
} as const satisfies Record<string, ScenarioInstance>

const ok = (call: TimedCall): unknown => {
  if (!call.result.ok) throw new Error(`${call.call.job}.${call.call.action} failed: ${call.result.error}`)
  return call.result.value
}

/** A field of a job response, for polling. */
const field = (call: TimedCall, name: string): unknown => (ok(call) as Record<string, unknown>)[name]

/**
 * The scenario of the demo and of the end-to-end test: every job type, a retry that runs out,
 * a `maxEvents` flush, alarms firing on their own, a client termination and a job terminating
 * itself. It returns once every job is done (polling each job's own status); the events may
 * still be on their way to the collector.
 */
export const runScenario = async (worker: RunningWorker, say: (line: string) => void = () => undefined): Promise<void> => {
  say("continuous heartbeat: start (runs now, then every second)")
  ok(await worker.call("continuous", "heartbeat", "start", { id: "hb-1", input: { beats: 0 } }))
  say("continuous flaky: start (fails; retries 300 ms apart)")
  ok(await worker.call("continuous", "flaky", "start", { id: "fl-1", input: { beats: 0 } }))

  say("debounce clicks: 3 clicks (the 3rd reaches maxEvents and flushes), then a 4th")
  for (const page of ["/home", "/pricing", "/signup", "/docs"]) {
    ok(await worker.call("debounce", "clicks", "add", { id: "ck-1", event: { page } }))
  }

  say("debounce clicks (another instance): a click, then clear")
  ok(await worker.call("debounce", "clicks", "add", { id: "ck-2", event: { page: "/oops" } }))
  ok(await worker.call("debounce", "clicks", "clear", "ck-2"))

  say("task orders: one order now, one for later (1 s)")
  ok(await worker.call("task", "orders", "send", { id: "or-1", event: { kind: "now" } }))
  ok(await worker.call("task", "orders", "send", { id: "or-1", event: { kind: "later" } }))

  say("workerPool mailer: enqueue 2 mails")
  ok(await worker.call("workerPool", "mailer", "enqueue", { id: "mail-1", event: { to: "ada@example.com" } }))
  ok(await worker.call("workerPool", "mailer", "enqueue", { id: "mail-2", event: { to: "alan@example.com" } }))

  say("continuous ticker: start, then trigger until it terminates itself")
  ok(await worker.call("continuous", "ticker", "start", { id: "tk-1", input: { beats: 0 } }))
  for (let i = 0; i < 3; i++) ok(await worker.call("continuous", "ticker", "trigger", "tk-1"))

  say("waiting for the alarms: heartbeat's 3rd run, flaky's retries, the clicks and orders alarms, the mails")
  await waitUntil("heartbeat to run 3 times", async () =>
    Number(field(await worker.call("continuous", "heartbeat", "status", "hb-1"), "runCount")) >= 3 ? true : undefined
  )
  say("continuous heartbeat: terminate (client)")
  ok(await worker.call("continuous", "heartbeat", "terminate", "hb-1", { reason: "demo over" }))

  await waitUntil("flaky to end after its retries", async () =>
    field(await worker.call("continuous", "flaky", "status", "fl-1"), "status") === "not_found" ? true : undefined
  )
  await waitUntil("the clicks batch to be flushed by its alarm", async () =>
    field(await worker.call("debounce", "clicks", "status", "ck-1"), "status") !== "debouncing" ? true : undefined
  )
  await waitUntil("the later order to be executed", async () => {
    const state = field(await worker.call("task", "orders", "getState", "or-1"), "state") as { executed?: number } | null
    return state !== null && state.executed === 1 ? true : undefined
  })
  await waitUntil("both mails to be sent", async () =>
    field(await worker.call("workerPool", "mailer", "status", 0), "processedCount") === 2 ? true : undefined
  )
}
