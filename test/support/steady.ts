import { type RunningWorker, type TimedCall, instance, type ExpectedInstance, one, sequence } from "./runtime.js"

/**
 * A scenario whose job responses and final state do not depend on timing, so a run with a
 * failing collector can be compared with a run without tracking: `outagePart` makes the calls
 * (the collector may be down), `settlePart` runs the alarms' work (flaky's retries fired on
 * purpose, the mail's alarm waited for) and reads every job's status and state through its own client.
 */
export const steadyInstances = {
  ticker: instance("continuous", "ticker", "tk-s", "start and a trigger"),
  clicks: instance("debounce", "clicks", "ck-s", "3 clicks: the 3rd flushes (maxEvents)"),
  orders: instance("task", "orders", "or-s", "an order handled now"),
  mailer: instance("workerPool", "mailer", "0", "a mail, sent by the alarm"),
  flaky: instance("continuous", "flaky", "fl-s", "fails, 2 retries by alarm, ends")
} as const

/** The calls of the outage, in order; every one of them is compared with the untracked run. */
export const outagePart = async (worker: RunningWorker): Promise<Array<TimedCall>> => [
  await worker.call("continuous", "ticker", "start", { id: "tk-s", input: { beats: 0 } }),
  await worker.call("continuous", "ticker", "trigger", "tk-s"),
  await worker.call("debounce", "clicks", "add", { id: "ck-s", event: { page: "/a" } }),
  await worker.call("debounce", "clicks", "add", { id: "ck-s", event: { page: "/b" } }),
  await worker.call("debounce", "clicks", "add", { id: "ck-s", event: { page: "/c" } }),
  await worker.call("task", "orders", "send", { id: "or-s", event: { kind: "now" } }),
  await worker.call("workerPool", "mailer", "enqueue", { id: "mail-s", event: { to: "grace@example.com" } }),
  await worker.call("continuous", "flaky", "start", { id: "fl-s", input: { beats: 0 } })
]

/** Runs the alarms' work, then reads every job's status and state (compared too). */
export const settlePart = async (worker: RunningWorker): Promise<Array<TimedCall>> => {
  await worker.alarmRunsFinished(steadyInstances.mailer.instanceName, 1)
  for (let retry = 0; retry < 2; retry++) await worker.fireAlarm(steadyInstances.flaky.instanceName)
  return [
    await worker.call("continuous", "ticker", "status", "tk-s"),
    await worker.call("continuous", "ticker", "getState", "tk-s"),
    await worker.call("debounce", "clicks", "status", "ck-s"),
    await worker.call("debounce", "clicks", "getState", "ck-s"),
    await worker.call("task", "orders", "status", "or-s"),
    await worker.call("task", "orders", "getState", "or-s"),
    await worker.call("workerPool", "mailer", "status", 0),
    await worker.call("continuous", "flaky", "status", "fl-s")
  ]
}

/** One `status` call to each steady instance: a call that emits no event, and flushes what its object holds. */
export const statusOfEach = async (worker: RunningWorker): Promise<void> => {
  for (const i of Object.values(steadyInstances)) {
    await worker.call(
      i.jobType,
      i.jobName,
      "status",
      ...(i.jobType === "workerPool" ? [0] : [i.instanceName.split(":")[2]])
    )
  }
}

/** A retry that runs out: the same story wherever it is told. */
export const flakyStory = sequence(
  one("job.created", "job.started", "execution.started", "alarm.scheduled", "retry.scheduled", "execution.failed"),
  one("alarm.fired", "execution.started", "retry.attempted", "alarm.scheduled", "retry.scheduled", "execution.failed"),
  one("alarm.fired", "execution.started", "retry.attempted", "retry.exhausted", "alarm.cancelled"),
  one("execution.failed", "job.failed", "job.terminated")
)

export const steadyExpected: ReadonlyArray<ExpectedInstance> = [
  {
    instance: steadyInstances.ticker,
    types: sequence(
      one("job.created", "job.started", "execution.started", "execution.succeeded", "alarm.scheduled"),
      one("execution.started", "execution.succeeded", "alarm.scheduled")
    )
  },
  {
    instance: steadyInstances.clicks,
    types: sequence(
      one("job.created", "job.started", "alarm.scheduled", "debounce.event.added", "debounce.event.added"),
      one(
        "debounce.event.added",
        "debounce.flush.triggered",
        "execution.started",
        "execution.succeeded",
        "job.completed",
        "alarm.cancelled"
      )
    )
  },
  {
    instance: steadyInstances.orders,
    types: sequence(
      one(
        "job.created",
        "job.started",
        "task.event.received",
        "execution.started",
        "execution.succeeded",
        "task.event.processed",
        "task.idle"
      )
    )
  },
  {
    instance: steadyInstances.mailer,
    types: sequence(
      one("job.created", "job.started", "alarm.scheduled", "alarm.fired", "execution.started", "execution.succeeded")
    )
  },
  { instance: steadyInstances.flaky, types: flakyStory }
]
