// `npm start`: the whole story on this machine. A copy of the jobs fixture is codemodded as a
// user would, bundled into a Worker and run in workerd (Miniflare 4) with real Durable Object
// storage and alarms; its HTTP tracker posts to a local collector; the events are shown as a
// per-instance timeline here and in a self-contained HTML report.
import { writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { bundleWorker } from "./runtime/bundle.js"
import { type EventCollector, startEventCollector } from "./runtime/collector.js"
import { copyJobsPackage, type JobsPackageCopy } from "./runtime/fixture.js"
import { type RunningWorker, startWorker } from "./runtime/miniflare.js"
import { renderReport } from "./runtime/report.js"
import { instance, runScenario, scenarioInstances } from "./runtime/scenario.js"
import { OutboxDefaults } from "../src/delivery/Outbox.js"
import { renderTimelines, timelinesOf } from "./runtime/timeline.js"
import { waitUntil } from "./runtime/wait.js"

const reportPath = resolve(process.cwd(), "tracking-report.html")
const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined
const bold = (text: string) => (color ? `\u001b[1m${text}\u001b[0m` : text)
const dim = (text: string) => (color ? `\u001b[2m${text}\u001b[0m` : text)
const step = (text: string) => console.log(`\n${bold(`▸ ${text}`)}`)
const say = (text: string) => console.log(`  ${text}`)

// Everything started is stopped on the way out: normal end, failure, Ctrl-C.
const cleanups: Array<() => Promise<void> | void> = []
let cleaning: Promise<void> | undefined
const cleanUp = (): Promise<void> =>
  (cleaning ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup()
      } catch {
        // keep cleaning the rest
      }
    }
  })())
// Miniflare exits the process itself on a signal (after stopping workerd), before any async
// cleanup could run: temp directories are also removed, synchronously, on exit.
const removeOnExit: Array<() => void> = []
process.once("exit", () => {
  for (const remove of removeOnExit) remove()
})
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping workerd and the collector, removing temp files`)
    void cleanUp().finally(() => process.exit(130))
  })
}

const tracker = (collector: EventCollector) => ({
  endpoint: collector.url,
  env: "demo",
  serviceKey: "jobs-demo",
  timeoutMs: 1_000,
  flushTimeoutMs: 2_000,
  retry: { maxAttempts: 2, initialDelayMs: 100 },
  // Undelivered events wait in each Durable Object's storage (see the outage step).
  outbox: {}
})

const outageInstance = instance("task", "orders", "or-2", "2 orders while the collector is down")

const main = async (): Promise<void> => {
  const started = performance.now()
  console.log(bold("durable-effect-tracking demo"))
  say(dim("codemod → Worker in workerd → HTTP tracker → local collector → timeline and HTML report"))

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

  step("Start the collector and workerd")
  const collector = await startEventCollector()
  cleanups.push(collector.close)
  say(`collector: ${collector.url} (node:http; decodes every batch with JobEventBatch)`)
  const script = await bundleWorker(copy)
  const worker: RunningWorker = await startWorker({ script, tracker: tracker(collector) })
  cleanups.push(worker.dispose)
  say(`workerd: the Worker (${Math.round(script.length / 1024)} KiB bundle) with the DurableJobsEngine as JOBS`)
  say(`tracker: ${JSON.stringify({ ...tracker(collector), endpoint: "<collector>" })}`)

  step("Run the scenario over the four job types")
  await runScenario(worker, (line) => say(line))
  // Each run flushes before it returns; an alarm's run may still be delivering: wait for quiet.
  let seen = -1
  await waitUntil(
    "the events to settle",
    () => {
      const now = collector.events().length
      const settled = now === seen
      seen = now
      return settled ? true : undefined
    },
    { everyMs: 300, withinMs: 10_000 }
  )

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
  console.log(
    renderTimelines(timelines, { color, delays })
      .split("\n")
      .map((line) => (line === "" ? line : `  ${line}`))
      .join("\n")
  )
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
  await cleanUp()
  step("Done")
  say(`HTML report: ${reportPath}`)
  say(dim(`finished in ${((performance.now() - started) / 1000).toFixed(1)} s; workerd stopped, temp files removed`))
}

main().then(undefined, async (error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  await cleanUp()
  process.exitCode = 1
})
