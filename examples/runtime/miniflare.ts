import { Miniflare, type MiniflareOptions } from "miniflare"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { waitUntil } from "./wait.js"
import type { AlarmRuns, CallResult, ClientCall } from "./worker.js"

export interface WorkerOptions {
  /** The bundled Worker (see bundle.ts). */
  readonly script: string
  /** The tracker option, as JSON-able config; absent: the Worker runs without tracking. */
  readonly tracker?: Record<string, unknown>
  /** Keep Durable Object storage in this directory, across restarts; default: in memory. */
  readonly persistDir?: string
}

/** One call on the jobs client as the Worker answered it, with how long it took. */
export interface TimedCall {
  readonly call: ClientCall
  readonly result: CallResult
  readonly ms: number
}

/** A running workerd with the jobs Worker, and a client for it. */
export interface RunningWorker {
  /** `client[job](name)[action](...args)` inside the Worker; never throws for a job error. */
  readonly call: (
    job: ClientCall["job"],
    name: string,
    action: string,
    ...args: ReadonlyArray<unknown>
  ) => Promise<TimedCall>
  /** The Durable Object id (what events carry as `instanceId`) of `type:name:id`. */
  readonly instanceId: (instanceName: string) => Promise<string>
  /** Every storage key of the instance `type:name:id`. */
  readonly storageKeys: (instanceName: string) => Promise<ReadonlyArray<string>>
  /** The instance's alarm: when it is set for, and how many alarm runs have finished. */
  readonly alarmRuns: (instanceName: string) => Promise<AlarmRuns>
  /**
   * Brings the instance's pending alarm forward to now and waits until that run has finished
   * (its events flushed): the scenario says when an alarm fires, not the wall clock.
   */
  readonly fireAlarm: (instanceName: string) => Promise<void>
  /** Waits until the instance has finished `count` alarm runs and none is running. */
  readonly alarmRunsFinished: (instanceName: string, count: number) => Promise<void>
  /** Every call made, in order. */
  readonly calls: ReadonlyArray<TimedCall>
  readonly dispose: () => Promise<void>
}

/** A running Miniflare whose temp files live in a directory that `dispose` removes. */
export interface OwnedMiniflare {
  readonly mf: Miniflare
  /** Stops workerd (waiting for it to exit), then removes the temp directory. */
  readonly dispose: () => Promise<void>
}

/**
 * Starts Miniflare with its temp directory inside one of ours. Miniflare puts its files in a
 * `miniflare-<hex>` directory under `os.tmpdir()`, chosen when it is constructed, and removes it
 * without waiting when disposed (or not at all if the process ends first): constructed with
 * TMPDIR pointing at a directory we own, that directory is removed for sure, once workerd has exited.
 */
export const startMiniflare = async (options: MiniflareOptions): Promise<OwnedMiniflare> => {
  const root = mkdtempSync(join(tmpdir(), "det-miniflare-"))
  const removeRoot = () => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
  const previous = process.env.TMPDIR
  let mf: Miniflare
  try {
    process.env.TMPDIR = root
    mf = new Miniflare(options)
  } catch (error) {
    removeRoot()
    throw error
  } finally {
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
  }
  // If the process ends first (Miniflare itself exits on Ctrl-C), the directory goes too.
  process.once("exit", removeRoot)
  const dispose = async () => {
    try {
      await mf.dispose()
    } finally {
      process.off("exit", removeRoot)
      removeRoot()
    }
  }
  try {
    await mf.ready
  } catch (error) {
    await dispose()
    throw error
  }
  return { mf, dispose }
}

const ORIGIN = "http://jobs.local"

/** Starts workerd (through Miniflare 4) with the Durable Object `Jobs` bound as `JOBS`. */
export const startWorker = async (options: WorkerOptions): Promise<RunningWorker> => {
  const { mf, dispose } = await startMiniflare({
    modules: true,
    script: options.script,
    compatibilityDate: "2025-01-01",
    durableObjects: { JOBS: "Jobs" },
    bindings: options.tracker === undefined ? {} : { TRACKER: JSON.stringify(options.tracker) },
    durableObjectsPersist: options.persistDir ?? false
  })
  const calls: Array<TimedCall> = []
  const get = async (path: string): Promise<unknown> => (await mf.dispatchFetch(`${ORIGIN}${path}`)).json()
  const query = (instance: string) => `?instance=${encodeURIComponent(instance)}`
  const alarmRuns = async (instance: string) => (await get(`/alarm-runs${query(instance)}`)) as AlarmRuns
  const alarmRunsFinished = async (instance: string, count: number) => {
    await waitUntil(`${instance}: ${count} alarm runs finished`, async () => {
      const runs = await alarmRuns(instance)
      return runs.finished >= count && !runs.running ? true : undefined
    })
  }
  return {
    calls,
    call: async (job, name, action, ...args) => {
      const call: ClientCall = { job, name, action, args }
      const started = performance.now()
      const response = await mf.dispatchFetch(`${ORIGIN}/call`, { method: "POST", body: JSON.stringify(call) })
      const result = (await response.json()) as CallResult
      const timed = { call, result, ms: performance.now() - started }
      calls.push(timed)
      return timed
    },
    instanceId: async (instance) => ((await get(`/instance-id${query(instance)}`)) as { id: string }).id,
    storageKeys: async (instance) => ((await get(`/storage-keys${query(instance)}`)) as { keys: Array<string> }).keys,
    alarmRuns,
    fireAlarm: async (instance) => {
      const before = (await get(`/fire-alarm${query(instance)}`)) as AlarmRuns
      if (before.scheduledAt === null) throw new Error(`${instance}: no alarm is pending`)
      if (before.running) throw new Error(`${instance}: an alarm run is still going on`)
      await alarmRunsFinished(instance, before.finished + 1)
    },
    alarmRunsFinished,
    dispose
  }
}
