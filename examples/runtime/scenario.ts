import type { RunningWorker, TimedCall } from "./miniflare.js"

/** A job instance of a scenario: the Durable Object named `type:name:id`. */
export interface ScenarioInstance {
  readonly jobType: "continuous" | "debounce" | "task" | "workerPool"
  readonly jobName: string
  /** The client's instance name, `type:name:id` (`workerPool:name:index` for a pool). */
  readonly instanceName: string
  /** What the scenario does with it, in a few words. */
  readonly story: string
}

export const instance = (
  jobType: ScenarioInstance["jobType"],
  jobName: string,
  id: string,
  story: string
): ScenarioInstance => ({
  jobType,
  jobName,
  instanceName: `${jobType}:${jobName}:${id}`,
  story
})

/** The instances {@link runScenario} drives, over the four job types. */
export const scenarioInstances = {
  heartbeat: instance(
    "continuous",
    "heartbeat",
    "hb-1",
    "runs on start and on 2 alarms; then terminated by the client"
  ),
  flaky: instance("continuous", "flaky", "fl-1", "always fails: 2 retries by alarm, retries exhausted, the job ends"),
  ticker: instance("continuous", "ticker", "tk-1", "run on each trigger; terminates itself at its 4th run"),
  clicks: instance("debounce", "clicks", "ck-1", "3 clicks flush at once (maxEvents); a 4th is flushed by its alarm"),
  cleared: instance("debounce", "clicks", "ck-2", "a click, then the batch is cleared by the client"),
  orders: instance("task", "orders", "or-1", "an order handled now; one scheduled and run by its alarm"),
  mailer: instance("workerPool", "mailer", "0", "2 mails, each sent by its own alarm")
} as const satisfies Record<string, ScenarioInstance>

const ok = (call: TimedCall): unknown => {
  if (!call.result.ok) throw new Error(`${call.call.job}.${call.call.action} failed: ${call.result.error}`)
  return call.result.value
}

/** A field of a job response. */
const field = (call: TimedCall, name: string): unknown => (ok(call) as Record<string, unknown>)[name]

/** Fails the scenario unless `actual` is what the step expected. */
const expectStep = (what: string, actual: unknown, expected: unknown): void => {
  if (actual !== expected)
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}

/**
 * The scenario of the demo and of the end-to-end test: every job type, a retry that runs out,
 * a `maxEvents` flush, alarms, a client termination and a job terminating itself.
 *
 * Nothing in it depends on how fast the machine is. The jobs set their alarms an hour out and
 * the scenario fires each one when the story needs it, waiting until that run has finished
 * (its events flushed) before the next step; the workerPool's alarm, set for "now" by the jobs
 * package, is waited for the same way. So two runs of one instance never overlap, and each
 * instance's events reach the collector in the order they were emitted. It returns once every
 * job is done.
 */
export const runScenario = async (
  worker: RunningWorker,
  say: (line: string) => void = () => undefined
): Promise<void> => {
  const { heartbeat, flaky, clicks, orders, mailer } = scenarioInstances

  say("continuous heartbeat: start (runs now), 2 runs by its alarm, then terminate (client)")
  ok(await worker.call("continuous", "heartbeat", "start", { id: "hb-1", input: { beats: 0 } }))
  for (let run = 0; run < 2; run++) await worker.fireAlarm(heartbeat.instanceName)
  expectStep("heartbeat runs", field(await worker.call("continuous", "heartbeat", "status", "hb-1"), "runCount"), 3)
  ok(await worker.call("continuous", "heartbeat", "terminate", "hb-1", { reason: "demo over" }))

  say("continuous flaky: start (fails), 2 retries by its alarm (fail), retries exhausted")
  ok(await worker.call("continuous", "flaky", "start", { id: "fl-1", input: { beats: 0 } }))
  for (let retry = 0; retry < 2; retry++) await worker.fireAlarm(flaky.instanceName)
  expectStep(
    "flaky after its retries",
    field(await worker.call("continuous", "flaky", "status", "fl-1"), "status"),
    "not_found"
  )

  say("debounce clicks: 3 clicks (the 3rd reaches maxEvents and flushes), then a 4th, flushed by its alarm")
  for (const page of ["/home", "/pricing", "/signup", "/docs"]) {
    ok(await worker.call("debounce", "clicks", "add", { id: "ck-1", event: { page } }))
  }
  await worker.fireAlarm(clicks.instanceName)

  say("debounce clicks (another instance): a click, then clear")
  ok(await worker.call("debounce", "clicks", "add", { id: "ck-2", event: { page: "/oops" } }))
  ok(await worker.call("debounce", "clicks", "clear", "ck-2"))

  say("task orders: one order now, one for later, run by its alarm")
  ok(await worker.call("task", "orders", "send", { id: "or-1", event: { kind: "now" } }))
  ok(await worker.call("task", "orders", "send", { id: "or-1", event: { kind: "later" } }))
  await worker.fireAlarm(orders.instanceName)
  const state = field(await worker.call("task", "orders", "getState", "or-1"), "state") as { executed?: number } | null
  expectStep("orders executed by the alarm", state?.executed, 1)

  say("workerPool mailer: 2 mails, each sent by the alarm the pool sets for now")
  ok(await worker.call("workerPool", "mailer", "enqueue", { id: "mail-1", event: { to: "ada@example.com" } }))
  await worker.alarmRunsFinished(mailer.instanceName, 1)
  ok(await worker.call("workerPool", "mailer", "enqueue", { id: "mail-2", event: { to: "alan@example.com" } }))
  await worker.alarmRunsFinished(mailer.instanceName, 2)
  expectStep("mails sent", field(await worker.call("workerPool", "mailer", "status", 0), "processedCount"), 2)

  say("continuous ticker: start, then trigger until it terminates itself")
  ok(await worker.call("continuous", "ticker", "start", { id: "tk-1", input: { beats: 0 } }))
  for (let i = 0; i < 3; i++) ok(await worker.call("continuous", "ticker", "trigger", "tk-1"))
}
