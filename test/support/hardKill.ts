import { execFileSync } from "node:child_process"
import type { EventCollector } from "./collector.js"
import { type RunningWorker, startWorker } from "./runtime.js"
import { waitUntil } from "./wait.js"
import { tempDir } from "./tempDir.js"

/**
 * Hard kills of workerd while job instances are being called: SIGKILL at a random point (after
 * a random number of calls have returned), restart over the persisted storage, again; then
 * heal the collector, let every instance flush, and count what arrived against what the calls
 * that returned had produced, and against the state the jobs stored.
 */

/** The workerd processes this process started (Miniflare spawns the binary as a child). */
const workerdChildren = (): Set<number> => {
  let out = ""
  try {
    out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" })
  } catch {
    // ps exits 1 when there is no child at all
  }
  const pids = new Set<number>()
  for (const line of out.split("\n")) {
    const [pid, comm] = line.trim().split(/\s+/)
    if (comm === "workerd" && pid !== undefined) pids.add(Number(pid))
  }
  return pids
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** What `start` started (one workerd), and the pid of its workerd. */
export const withWorkerdPid = async <W extends { readonly dispose: () => Promise<void> }>(
  start: () => Promise<W>
): Promise<{ worker: W; pid: number }> => {
  const before = workerdChildren()
  const worker = await start()
  const started = [...workerdChildren()].filter((pid) => !before.has(pid))
  if (started.length !== 1) {
    await worker.dispose()
    throw new Error(`expected one new workerd process, found ${started.length}`)
  }
  return { worker, pid: started[0]! }
}

/** A running worker and the pid of its workerd. */
const startKillable = (options: Parameters<typeof startWorker>[0]): Promise<{ worker: RunningWorker; pid: number }> =>
  withWorkerdPid(() => startWorker(options))

/** SIGKILLs workerd and waits until the process is gone. */
export const killWorkerd = async (pid: number): Promise<void> => {
  process.kill(pid, "SIGKILL")
  await waitUntil("workerd to die", () => (isAlive(pid) ? undefined : true))
}

type Kind = "task" | "debounce"
interface Instance {
  readonly kind: Kind
  readonly id: string
  readonly name: string
}

/** What the calls that returned produced, per instance and event type. */
interface Tally {
  returned: number
  /** Returned debounce adds that filled the batch (a flush, and a wipe of the storage). */
  flushes: number
}

export interface HardKillReport {
  readonly mode: string
  readonly kills: number
  readonly callsReturned: number
  readonly callsInFlightAtKill: number
  readonly callErrors: number
  /** Events the returned calls produced that never arrived (by type count per instance). */
  readonly lostFromReturnedCalls: number
  readonly expectedFromReturnedCalls: number
  /** Task sends whose state change is in storage (the job's own count) without their `task.event.received`. */
  readonly storedSendsWithoutEvent: number
  readonly storedSends: number
  /** Sends in flight at a kill whose state change was stored anyway. */
  readonly inFlightSendsStored: number
  readonly duplicates: number
  /** Duplicates counted so far at each kill. */
  readonly duplicatesByLife: ReadonlyArray<number>
  readonly eventsAccepted: number
  /** Wipes (debounce purges) made by returned calls. */
  readonly wipes: number
}

export interface HardKillOptions {
  readonly script: string
  readonly collector: EventCollector
  readonly tracker: Record<string, unknown>
  readonly kills: number
  readonly instancesPerKind: number
  /** A seeded random source, so that a failing run can be repeated. */
  readonly random: () => number
}

/** A small seeded generator (mulberry32): the kill points and collector states of a run. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const callOnce = (worker: RunningWorker, instance: Instance, n: number) =>
  instance.kind === "task"
    ? worker.call("task", "orders", "send", { id: instance.id, event: { kind: "now" } })
    : worker.call("debounce", "clicks", "add", { id: instance.id, event: { page: `/p${n}` } })

export const runHardKills = async (options: HardKillOptions): Promise<HardKillReport> => {
  const { collector, random } = options
  const instances: Array<Instance> = (["task", "debounce"] as const).flatMap((kind) =>
    Array.from({ length: options.instancesPerKind }, (_, i) => {
      const id = `${kind === "task" ? "or" : "ck"}-kill-${i}`
      return { kind, id, name: kind === "task" ? `task:orders:${id}` : `debounce:clicks:${id}` }
    })
  )
  const tallies = new Map(instances.map((instance) => [instance.id, { returned: 0, flushes: 0 } satisfies Tally]))
  let returned = 0
  let inFlightAtKill = 0
  let errors = 0
  const inFlightSends = new Map(instances.map((instance) => [instance.id, 0]))

  const duplicatesByLife: Array<number> = []
  const persist = tempDir("det-e2e-kill-")
  let current: { worker: RunningWorker; pid: number } | undefined
  try {
    for (let kill = 0; kill < options.kills; kill++) {
      current = await startKillable({ script: options.script, tracker: options.tracker, persistDir: persist.path })
      const { worker, pid } = current
      // The collector is down in some lives and up in others.
      await collector.setMode(random() < 0.5 ? { kind: "status", status: 503 } : { kind: "ok" })
      const killAfter = returned + 4 + Math.floor(random() * 24)
      let killed = false
      const loops = instances.map(async (instance) => {
        // One call at a time per instance: its calls are ordered, so are its events.
        for (let n = 0; !killed; n++) {
          let outcome
          try {
            outcome = await callOnce(worker, instance, n)
          } catch {
            if (instance.kind === "task") inFlightSends.set(instance.id, inFlightSends.get(instance.id)! + 1)
            inFlightAtKill++
            return
          }
          if (!outcome.result.ok) {
            errors++
            continue
          }
          const tally = tallies.get(instance.id)!
          tally.returned++
          returned++
          const value = outcome.result.value as { eventCount?: number }
          if (instance.kind === "debounce" && (value.eventCount ?? 0) >= 3) tally.flushes++
        }
      })
      await waitUntil("calls to return before the kill", () => (returned >= killAfter ? true : undefined), {
        everyMs: 5
      })
      duplicatesByLife.push(collector.duplicates())
      killed = true
      await killWorkerd(pid)
      await Promise.all(loops)
      await worker.dispose()
      current = undefined
    }

    // Healed: one more life, every instance called once so that it flushes what it saved.
    await collector.setMode({ kind: "ok" })
    current = await startKillable({ script: options.script, tracker: options.tracker, persistDir: persist.path })
    const worker = current.worker
    for (const instance of instances)
      await worker.call(instance.kind, instance.kind === "task" ? "orders" : "clicks", "status", instance.id)
    const prefix = "tracking:outbox:"
    await waitUntil(
      "every outbox to be empty",
      async () => {
        for (const instance of instances) {
          if ((await worker.storageKeys(instance.name)).some((key) => key.startsWith(prefix))) return undefined
        }
        return true
      },
      { everyMs: 100 }
    )

    const accepted = collector.events().map((received) => received.event)
    let lost = 0
    let expected = 0
    let storedSends = 0
    let storedWithoutEvent = 0
    let inFlightStored = 0
    let wipes = 0
    for (const instance of instances) {
      const instanceId = await worker.instanceId(instance.name)
      const count = (type: string) =>
        accepted.filter((event) => event.instanceId === instanceId && event.type === type).length
      const tally = tallies.get(instance.id)!
      const wanted: Array<readonly [string, number]> =
        instance.kind === "task"
          ? [["task.event.received", tally.returned]]
          : [
              ["debounce.event.added", tally.returned],
              ["debounce.flush.triggered", tally.flushes]
            ]
      wipes += instance.kind === "debounce" ? tally.flushes : 0
      for (const [type, n] of wanted) {
        expected += n
        // Calls of an instance are sequential: at most one more event per kill, from a call in flight.
        lost += Math.max(0, n - count(type))
      }
      if (instance.kind === "task") {
        const state = await worker.call("task", "orders", "getState", instance.id)
        const received =
          ((state.result.ok ? (state.result.value as { state?: { received?: number } }).state : undefined) ?? {})
            .received ?? 0
        storedSends += received
        inFlightStored += received - tally.returned
        storedWithoutEvent += Math.max(0, received - count("task.event.received"))
      }
    }
    return {
      mode: String((options.tracker.outbox as { mode?: string } | undefined)?.mode ?? "onFailure"),
      kills: options.kills,
      callsReturned: returned,
      callsInFlightAtKill: inFlightAtKill,
      callErrors: errors,
      lostFromReturnedCalls: lost,
      expectedFromReturnedCalls: expected,
      storedSendsWithoutEvent: storedWithoutEvent,
      storedSends,
      inFlightSendsStored: inFlightStored,
      duplicates: collector.duplicates(),
      duplicatesByLife,
      eventsAccepted: accepted.length,
      wipes
    }
  } finally {
    if (current !== undefined) {
      if (isAlive(current.pid)) await current.worker.dispose()
      else await current.worker.dispose().catch(() => undefined)
    }
    persist.remove()
  }
}
