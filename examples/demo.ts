// `npm start`: the whole story on this machine. A copy of the jobs fixture is codemodded as a
// user would, bundled into a Worker and run in workerd (Miniflare 4) with real Durable Object
// storage and alarms; its HTTP tracker posts to a local collector; the events are shown as a
// per-instance timeline here and in a self-contained HTML report.
// `npm start -- --collector <url>`: the same, the tracker posting to a running collector Worker
// (examples/collector, e.g. `npm run collector`) instead, and the timeline read back from it.
import { writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { bundleWorker } from "./runtime/bundle.js"
import { type EventCollector, startEventCollector } from "./runtime/collector.js"
import { copyJobsPackage, type JobsPackageCopy } from "./runtime/fixture.js"
import { type RunningWorker, startWorker } from "./runtime/miniflare.js"
import { renderReport } from "./runtime/report.js"
import { type RemoteCollector, demoOptions, remoteCollector } from "./runtime/remoteCollector.js"
import { instance, runScenario, scenarioInstances } from "./runtime/scenario.js"
import { OutboxDefaults } from "../src/delivery/Outbox.js"
import { timelinesOf } from "./runtime/timeline.js"
import {
  bold,
  cleanUp,
  cleanUpOnExit,
  cleanups,
  dim,
  finish,
  printTimelines,
  removeOnExit,
  say,
  settled,
  step
} from "./runtime/demoShell.js"

const reportPath = resolve(process.cwd(), "tracking-report.html")
cleanUpOnExit()

const tracker = (endpoint: string, headers: Readonly<Record<string, string>> = {}) => ({
  endpoint,
  ...(Object.keys(headers).length === 0 ? {} : { headers }),
  env: "demo",
  serviceKey: "jobs-demo",
  timeoutMs: 1_000,
  flushTimeoutMs: 2_000,
  retry: { maxAttempts: 2, initialDelayMs: 100 },
  // Undelivered events wait in each Durable Object's storage (see the outage step). The binding
  // holds JSON, so this is the outbox's configuration: the Worker passes it to durableOutbox
  // (examples/runtime/worker.ts).
  outbox: {}
})

const outageInstance = instance("task", "orders", "or-2", "2 orders while the collector is down")

/** Copies the fixture and runs the codemod on the copy, saying what it did. */
const codemodStep = async (): Promise<JobsPackageCopy> => {
  step("Copy the jobs fixture to a temp directory and run the codemod on it")
  const copy: JobsPackageCopy = await copyJobsPackage({
    codemod: true,
    typeCheck: true,
    onProgress: (line) => say(dim(line))
  })
  cleanups.push(copy.remove)
  removeOnExit.push(copy.remove)
  const plan = copy.codemod!.plan
  say(`package: ${dim(copy.jobsDir)}`)
  say(`files written: ${copy.codemod!.written.join(", ")}`)
  say(`layers wrapped with withTracking: ${plan.wrapped.map((entry) => entry.layer).join(", ")}`)
  for (const change of plan.changes) say(`- ${change}`)
  for (const todo of plan.todo) say(`todo: ${todo}`)
  say(`type-check of the rewritten files (${plan.tsConfig ?? "tsconfig"}): ${plan.diagnostics?.length ?? 0} errors`)
  return copy
}

/**
 * `--collector <url>`: the scenario's events go to a running collector Worker, and the
 * timeline and report show what it stored, read back with its `GET /instances/:id/events`.
 * No outage step: the demo does not control that collector.
 */
const toCollectorWorker = async (remote: RemoteCollector, started: number): Promise<void> => {
  // Before the slow steps: a collector that is not there, or wants a token, is said at once.
  await remote.check()
  const copy = await codemodStep()

  step(`Start workerd; its HTTP tracker posts to the collector Worker at ${remote.eventsUrl}`)
  const script = await bundleWorker(copy)
  const config = tracker(remote.eventsUrl, remote.headers)
  const worker: RunningWorker = await startWorker({ script, tracker: config })
  cleanups.push(worker.dispose)
  say(`workerd: the Worker (${Math.round(script.length / 1024)} KiB bundle) with the DurableJobsEngine as JOBS`)
  const shown = { ...config, ...("headers" in config ? { headers: { authorization: "Bearer $COLLECTOR_TOKEN" } } : {}) }
  say(`tracker: ${JSON.stringify(shown)}`)

  step("Run the scenario over the four job types")
  // The collector may keep events of earlier runs (wrangler dev keeps its D1): instances have
  // the same ids each run, so this run's events are those from now on.
  const since = Date.now()
  await runScenario(worker, (line) => say(line))
  const labels = new Map<string, string>()
  for (const instance of Object.values(scenarioInstances))
    labels.set(await worker.instanceId(instance.instanceName), instance.instanceName)
  const stored = async () => (await Promise.all([...labels.keys()].map((id) => remote.instanceEvents(id)))).flat()
  await settled(async () => (await stored()).length)
  const all = await stored()
  const events = all.filter((event) => Date.parse(event.timestamp) >= since)

  step("Events stored by the collector Worker, per job instance (GET /instances/:id/events)")
  const timelines = timelinesOf(events, labels)
  printTimelines(timelines)
  const types = new Set(events.map((event) => event.type))
  say(
    `${events.length} events (${types.size} of the 20 types) from ${timelines.length} job instances, stored by the collector Worker` +
      (all.length > events.length ? ` (and ${all.length - events.length} of earlier runs, not shown)` : "") +
      `; ${worker.calls.length} job calls`
  )
  writeFileSync(
    reportPath,
    renderReport({
      title: "durable-effect-tracking: job events stored by the collector Worker",
      summary: [
        `A copy of the jobs fixture, codemodded, run in workerd through Miniflare; its HTTP tracker posted to the collector Worker at ${remote.eventsUrl}.`,
        `${events.length} events from ${timelines.length} job instances, ${types.size} of the 20 event types, read back from the collector.`,
        `Generated ${new Date().toISOString()}. Runs are bars from start to end; failures are red and marked ✕. Hover over (or focus) a bar or mark to see its fields.`
      ],
      timelines
    })
  )
  await finish(started, reportPath)
}

const main = async (): Promise<void> => {
  const started = performance.now()
  const options = demoOptions(process.argv.slice(2), process.env)
  console.log(bold("durable-effect-tracking demo"))
  if (options.collector !== undefined) {
    say(dim("codemod → Worker in workerd → HTTP tracker → the collector Worker → timeline and HTML report"))
    return toCollectorWorker(remoteCollector(options.collector), started)
  }
  say(dim("codemod → Worker in workerd → HTTP tracker → local collector → timeline and HTML report"))
  const copy = await codemodStep()
  const plan = copy.codemod!.plan

  step("Start the collector and workerd")
  const collector = await startEventCollector()
  cleanups.push(collector.close)
  say(`collector: ${collector.url} (node:http; decodes every batch with JobEventBatch)`)
  const script = await bundleWorker(copy)
  const worker: RunningWorker = await startWorker({ script, tracker: tracker(collector.url) })
  cleanups.push(worker.dispose)
  say(`workerd: the Worker (${Math.round(script.length / 1024)} KiB bundle) with the DurableJobsEngine as JOBS`)
  say(`tracker: ${JSON.stringify({ ...tracker(collector.url), endpoint: "<collector>" })}`)

  step("Run the scenario over the four job types")
  await runScenario(worker, (line) => say(line))
  // Each run flushes before it returns; an alarm's run may still be delivering: wait for quiet.
  await settled(() => collector.events().length)

  step("The collector goes down (answers 503) for a moment, two calls long")
  await collector.setMode({ kind: "status", status: 503 })
  for (let i = 1; i <= 2; i++) {
    const call = await worker.call("task", "orders", "send", { id: "or-2", event: { kind: "now" } })
    say(
      `task orders or-2: send #${i} → ${call.result.ok ? "answered as usual" : `failed: ${call.result.error}`} in ${Math.round(call.ms)} ms`
    )
    // The outage lasts a moment, so its events stand out in the report as late.
    await new Promise((resolve) => setTimeout(resolve, 700))
  }
  const savedIds = (await worker.storageKeys(outageInstance.instanceName))
    .filter((key) => key.startsWith(OutboxDefaults.keyPrefix))
    .map((key) => key.slice(OutboxDefaults.keyPrefix.length))
    .filter((id) => id !== "")
  say(`the tracker could not deliver: ${savedIds.length} events saved in the Durable Object's storage (outbox)`)
  await collector.setMode({ kind: "ok" })
  await worker.call("task", "orders", "status", "or-2")
  const accepted = new Set(collector.events().map((received) => received.event.eventId))
  say(
    `collector back; the instance's next call sent them: ${savedIds.filter((id) => accepted.has(id)).length} of ${savedIds.length} arrived`
  )

  step("Events received by the collector, per job instance")
  const labels = new Map<string, string>()
  for (const instance of [...Object.values(scenarioInstances), outageInstance])
    labels.set(await worker.instanceId(instance.instanceName), instance.instanceName)
  const events = collector.events().map((received) => received.event)
  const timelines = timelinesOf(events, labels)
  const delays = new Map(
    collector
      .events()
      .map((received) => [received.event.eventId, received.arrivedAt - Date.parse(received.event.timestamp)])
  )
  printTimelines(timelines, delays)
  const types = new Set(events.map((event) => event.type))
  const failed = collector.requests.filter((request) => request.status === undefined || request.status >= 300).length
  say(
    `${events.length} events (${types.size} of the 20 types) in ${collector.requests.length} requests; ` +
      `${failed} failed requests, ${collector.duplicates()} duplicates, ${collector.invalidBodies.length} invalid bodies; ` +
      `${worker.calls.length} job calls`
  )

  writeFileSync(
    reportPath,
    renderReport({
      title: "durable-effect-tracking: job events from workerd",
      summary: [
        `A copy of the jobs fixture, codemodded (${plan.wrapped.length} layers wrapped), run in workerd through Miniflare; its HTTP tracker posted to a local collector.`,
        `${events.length} events from ${timelines.length} job instances, ${types.size} of the 20 event types, in ${collector.requests.length} requests.`,
        `Generated ${new Date().toISOString()}. Runs are bars from start to end; failures are red and marked ✕. Hover over (or focus) a bar or mark to see its fields.`
      ],
      timelines,
      delays
    })
  )
  await finish(started, reportPath)
}

main().then(undefined, async (error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  await cleanUp()
  process.exitCode = 1
})
