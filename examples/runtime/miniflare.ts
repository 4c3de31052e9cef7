import { Miniflare } from "miniflare"
import type { CallResult, ClientCall } from "./worker.js"

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
  readonly call: (job: ClientCall["job"], name: string, action: string, ...args: ReadonlyArray<unknown>) => Promise<TimedCall>
  /** The Durable Object id (what events carry as `instanceId`) of `type:name:id`. */
  readonly instanceId: (instanceName: string) => Promise<string>
  /** Every storage key of the instance `type:name:id`. */
  readonly storageKeys: (instanceName: string) => Promise<ReadonlyArray<string>>
  /** Every call made, in order. */
  readonly calls: ReadonlyArray<TimedCall>
  readonly dispose: () => Promise<void>
}

const ORIGIN = "http://jobs.local"

/** Starts workerd (through Miniflare 4) with the Durable Object `Jobs` bound as `JOBS`. */
export const startWorker = async (options: WorkerOptions): Promise<RunningWorker> => {
  const mf = new Miniflare({
    modules: true,
    script: options.script,
    compatibilityDate: "2025-01-01",
    durableObjects: { JOBS: "Jobs" },
    bindings: options.tracker === undefined ? {} : { TRACKER: JSON.stringify(options.tracker) },
    durableObjectsPersist: options.persistDir ?? false
  })
  await mf.ready
  const calls: Array<TimedCall> = []
  const get = async (path: string): Promise<unknown> => (await mf.dispatchFetch(`${ORIGIN}${path}`)).json()
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
    instanceId: async (instance) => ((await get(`/instance-id?instance=${encodeURIComponent(instance)}`)) as { id: string }).id,
    storageKeys: async (instance) =>
      ((await get(`/storage-keys?instance=${encodeURIComponent(instance)}`)) as { keys: Array<string> }).keys,
    dispose: () => mf.dispose()
  }
}
