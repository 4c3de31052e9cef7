// The demo's jobs Worker (examples/runtime/worker.ts) with a test-only pause hook, for the
// hard kills inside a wipe (test/support/wipeKills.ts). Bundled like the demo's Worker, over a
// codemodded copy of the fixture (see bundleWorker's `entry`).
//
// The Durable Object's storage is seen through a proxy that counts the storage calls of one
// armed client call (its own work and the flush that follows its response) and parks before or
// after the chosen one: it sends `GET <control>/parked?...` and awaits an answer that never
// comes, until the test kills workerd. A request is output, so workerd sends it only once the
// writes issued before it are durable (the output gate): when the test hears of the park, storage
// holds exactly what the calls before the parked point wrote, which is what a kill there leaves.
import type { DurableObjectState } from "@cloudflare/workers-types"
import demo, { Jobs as DemoJobs, type WorkerEnv } from "../../../examples/runtime/worker.js"

/** Where to park: before or after the `step`-th storage call (from 1) of the next client call. */
export interface PauseSpec {
  readonly step: number
  readonly when: "before" | "after"
  /** The test's control server: `<control>/parked` is requested when parked. */
  readonly control: string
}

/** What the armed call did, once it (and its flush) ran to the end without parking. */
export interface PauseStatus {
  readonly armed: boolean
  /** Storage calls counted since the armed call began. */
  readonly steps: number
  /** Their names, in the order they were made. */
  readonly ops: ReadonlyArray<string>
  /** The object's storage is SQLite-backed (it has `sql`). */
  readonly sqlite: boolean
}

// Every method of DurableObjectStorage that reaches the stored data or the alarm.
const storageCalls = new Set([
  "get",
  "put",
  "delete",
  "deleteAll",
  "list",
  "getAlarm",
  "setAlarm",
  "deleteAlarm",
  "transaction",
  "sync"
])

type Method = (...args: ReadonlyArray<unknown>) => unknown

/** Methods read off a proxied platform object run on the object itself (they need its internals). */
const bound = (target: object, key: string | symbol): unknown => {
  const value: unknown = Reflect.get(target, key)
  return typeof value === "function" ? (value as Method).bind(target) : value
}

class StoragePauses {
  #spec: PauseSpec | undefined
  #counting = false
  #steps = 0
  #ops: Array<string> = []
  /** "call" while the client call runs; "after" once it has answered (its flush, in waitUntil). */
  #phase: "call" | "after" = "call"
  readonly #background = new Set<Promise<unknown>>()

  /**
   * Shadows the state's `storage` and `waitUntil` with own properties: the platform checks that
   * a Durable Object is constructed with the real state object, so that object is kept.
   */
  constructor(readonly state: DurableObjectState) {
    const realStorage = state.storage
    const storage = new Proxy(realStorage, {
      get: (target, key) => {
        const value = bound(target, key)
        if (typeof key !== "string" || !storageCalls.has(key) || typeof value !== "function") return value
        return (...args: ReadonlyArray<unknown>) => this.#around(key, () => (value as Method)(...args))
      }
    })
    const waitUntil = state.waitUntil.bind(state)
    Object.defineProperty(state, "storage", { value: storage })
    Object.defineProperty(state, "waitUntil", {
      value: (promise: Promise<unknown>) => {
        const settled = promise.then(
          () => undefined,
          () => undefined
        )
        this.#background.add(settled)
        void settled.then(() => this.#background.delete(settled))
        waitUntil(promise)
      }
    })
  }

  #around(op: string, run: () => unknown): unknown {
    if (!this.#counting || this.#spec === undefined) return run()
    const step = ++this.#steps
    this.#ops.push(op)
    const spec = this.#spec
    if (step !== spec.step) return run()
    if (spec.when === "before") return this.#park(op, step).then(run)
    return Promise.resolve(run()).then(async (result) => {
      await this.#park(op, step)
      return result
    })
  }

  /** Never returns: the test kills workerd once it has heard of the park. */
  async #park(op: string, step: number): Promise<never> {
    const spec = this.#spec!
    const query = new URLSearchParams({ op, step: String(step), when: spec.when, phase: this.#phase })
    await fetch(`${spec.control}/parked?${query}`)
    throw new Error("the control server answered a park: it must hold it until the kill")
  }

  #sqlite(): boolean {
    try {
      // Only a SQLite-backed object has a database; on the key-value backend `sql` throws.
      return typeof this.state.storage.sql.databaseSize === "number"
    } catch {
      return false
    }
  }

  /** Waits for the flushes of earlier calls, then counts the storage calls of the next call. */
  async arm(spec: PauseSpec): Promise<void> {
    await Promise.all([...this.#background])
    this.#spec = spec
    this.#counting = false
    this.#steps = 0
    this.#ops = []
  }

  async during<A>(call: () => Promise<A>): Promise<A> {
    if (this.#spec !== undefined && !this.#counting) {
      this.#counting = true
      this.#phase = "call"
    }
    const result = await call()
    this.#phase = "after"
    return result
  }

  /** Once the armed call's flush has ended: how many storage calls it made; disarms. */
  async status(): Promise<PauseStatus> {
    await Promise.all([...this.#background])
    const status = { armed: this.#spec !== undefined, steps: this.#steps, ops: this.#ops, sqlite: this.#sqlite() }
    this.#spec = undefined
    this.#counting = false
    return status
  }
}

export class Jobs extends DemoJobs {
  readonly #pauses: StoragePauses

  constructor(state: DurableObjectState, env: WorkerEnv) {
    const pauses = new StoragePauses(state)
    super(pauses.state, env as never)
    this.#pauses = pauses
  }

  override call(...args: Parameters<DemoJobs["call"]>): ReturnType<DemoJobs["call"]> {
    return this.#pauses.during(() => super.call(...args))
  }

  async armPause(spec: PauseSpec): Promise<void> {
    await this.#pauses.arm(spec)
  }

  async pauseStatus(): Promise<PauseStatus> {
    return this.#pauses.status()
  }
}

type PausingStub = Pick<Jobs, "armPause" | "pauseStatus">
const stub = (env: WorkerEnv, instance: string): PausingStub =>
  env.JOBS.get(env.JOBS.idFromName(instance)) as unknown as PausingStub

const json = (value: unknown) =>
  new Response(JSON.stringify(value), { headers: { "content-type": "application/json" } })

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    const url = new URL(request.url)
    const instance = url.searchParams.get("instance") ?? ""
    if (url.pathname === "/pause-arm") {
      await stub(env, instance).armPause((await request.json()) as PauseSpec)
      return json({ armed: true })
    }
    if (url.pathname === "/pause-status") return json(await stub(env, instance).pauseStatus())
    return demo.fetch(request, env)
  }
}
