import { startCollector } from "./collector.js"
import { type HardKillOptions, isAlive, killWorkerd, withWorkerdPid } from "./hardKill.js"
import { startMiniflare } from "./runtime.js"
import { tempDir } from "./tempDir.js"
import { waitUntil } from "./wait.js"
import type { PauseSpec, PauseStatus } from "./workers/wipe-pause-worker.js"

/**
 * Hard kills of workerd inside a wipe of a Durable Object's storage, at each storage call.
 *
 * Each cycle takes a fresh debounce instance (`maxEvents` 3): two `add`s that return, then a
 * third that fills the batch, so its run ends in a purge (the jobs' `deleteAll`, which the
 * outbox turns into a wipe that keeps its keys). Before the third call the test arms the pause
 * hook of the Worker (test/support/workers/wipe-pause-worker.ts) at one storage call of that
 * call (its own work and its flush), before or after it; when the Worker says it is parked
 * there, workerd is SIGKILLed and started again over the persisted storage. A first cycle of
 * each pass runs without a kill, to count the storage calls of such a call.
 *
 * At the end the collector is healed, every instance is called once so that it delivers what
 * its outbox holds, and the events that arrived are compared with what the calls that returned
 * produced: for each instance, the events of its first two calls (stamped before the third
 * began) against those of a cycle without a kill, and, when the third call returned, its events
 * too.
 */

export interface WipeKillOptions extends Omit<HardKillOptions, "instancesPerKind"> {
  /** Durable Objects on SQLite-backed storage; otherwise the key-value backend. */
  readonly sqlite: boolean
}

export interface WipeKillReport {
  readonly backend: "kv" | "sqlite"
  readonly mode: string
  readonly kills: number
  /** Kills at a park in the flush that runs after the call answered (the call returned). */
  readonly killsAfterAnswer: number
  /** Kills per storage call parked at (`before put`, `after deleteAll`...). */
  readonly killsAt: Readonly<Record<string, number>>
  /** The storage calls of a wiping call, in order, per pass (from its cycle without a kill). */
  readonly storageCallsPerWipingCall: ReadonlyArray<string>
  /** What the Worker found: its storage is SQLite-backed. */
  readonly sqliteSeen: boolean
  /** Instances whose outbox holds its marker key and no event, once every event was delivered. */
  readonly markersLeft: number
  readonly cycles: number
  readonly callsReturned: number
  readonly callErrors: number
  /** Wiping calls that returned (no kill, or a kill in their flush). */
  readonly wipesReturned: number
  readonly expectedFromReturnedCalls: number
  readonly lostFromReturnedCalls: number
  /** Distinct events accepted by the collector, and deliveries of an `eventId` already accepted. */
  readonly eventsAccepted: number
  readonly duplicates: number
  readonly seconds: number
}

/**
 * The test's side of the pause hook: a collector that records `GET /parked?...` and never
 * answers it (workerd dies first); its query says where the Worker parked.
 */
const startControl = async () => {
  const server = await startCollector()
  server.setFallback({ hang: true })
  return {
    url: server.url,
    parked: () => server.requests.length,
    park: (index: number): Record<string, string> | undefined => {
      const request = server.requests[index]
      return request === undefined ? undefined : Object.fromEntries(new URL(request.url, server.url).searchParams)
    },
    close: server.close
  }
}

const ORIGIN = "http://jobs.local"

interface Life {
  readonly pid: number
  readonly post: (path: string, body: unknown) => Promise<unknown>
  readonly get: (path: string) => Promise<unknown>
  readonly dispose: () => Promise<void>
}

const startLife = (options: WipeKillOptions, persistDir: string): Promise<Life> =>
  withWorkerdPid(async () => {
    const { mf, dispose } = await startMiniflare({
      modules: true,
      script: options.script,
      compatibilityDate: "2025-01-01",
      durableObjects: { JOBS: { className: "Jobs", useSQLite: options.sqlite } },
      bindings: { TRACKER: JSON.stringify(options.tracker) },
      durableObjectsPersist: persistDir
    })
    const read = async (response: { readonly status: number; text(): Promise<string> }) => {
      const text = await response.text()
      if (response.status !== 200) throw new Error(`the Worker answered ${response.status}: ${text}`)
      return JSON.parse(text) as unknown
    }
    const post = async (path: string, body: unknown) =>
      read(await mf.dispatchFetch(`${ORIGIN}${path}`, { method: "POST", body: JSON.stringify(body) }))
    const get = async (path: string) => read(await mf.dispatchFetch(`${ORIGIN}${path}`))
    return { post, get, dispose }
  }).then(({ worker, pid }) => ({ ...worker, pid }))

interface CallResult {
  readonly ok: boolean
  readonly value?: unknown
  readonly error?: string
}

const query = (instance: string) => `?instance=${encodeURIComponent(instance)}`
const instanceName = (id: string) => `debounce:clicks:${id}`

/** What a cycle left for the count at the end. */
interface Cycle {
  readonly id: string
  /** Node's clock just before the third call was sent: events of the first two are stamped before it. */
  readonly thirdSentAt: number
  readonly thirdReturned: boolean
  /** No kill in this cycle: its events are the reference. */
  readonly reference: boolean
}

/** An event's identity for the count: its type, and its `eventCount` when it has one. */
const keyOf = (event: { readonly type: string; readonly eventCount?: unknown }) =>
  event.eventCount === undefined ? event.type : `${event.type}#${String(event.eventCount)}`

const countKeys = (events: ReadonlyArray<{ readonly type: string }>) => {
  const counts = new Map<string, number>()
  for (const event of events) counts.set(keyOf(event), (counts.get(keyOf(event)) ?? 0) + 1)
  return counts
}

/** How many of `wanted` (a multiset) are missing from `got`, and how many were wanted. */
const missing = (wanted: ReadonlyMap<string, number>, got: ReadonlyMap<string, number>) => {
  let lost = 0
  let total = 0
  for (const [key, n] of wanted) {
    total += n
    lost += Math.max(0, n - (got.get(key) ?? 0))
  }
  return { lost, total }
}

export const runWipeKills = async (options: WipeKillOptions): Promise<WipeKillReport> => {
  const started = performance.now()
  const { collector, random } = options
  const control = await startControl()
  const persist = tempDir("det-e2e-wipe-kill-")
  const cycles: Array<Cycle> = []
  const killsAt: Record<string, number> = {}
  const callsPerWipe: Array<string> = []
  let sqliteSeen = false
  let kills = 0
  let killsAfterAnswer = 0
  let returned = 0
  let errors = 0
  let life: Life | undefined
  const current = async () => (life ??= await startLife(options, persist.path))

  const add = async (id: string, n: number): Promise<CallResult> =>
    (await (
      await current()
    ).post("/call", {
      job: "debounce",
      name: "clicks",
      action: "add",
      args: [{ id, event: { page: `/p${n}` } }]
    })) as CallResult

  /** One cycle on a fresh instance; `spec` absent: no pause (the storage calls are counted). */
  const cycle = async (spec: Omit<PauseSpec, "control"> | undefined): Promise<PauseStatus | undefined> => {
    const id = `ck-wipe-${cycles.length}`
    for (const n of [1, 2]) {
      const outcome = await add(id, n)
      if (!outcome.ok) errors++
      else returned++
    }
    // A clock tick between the second call's answer and the third call: stamps tell them apart.
    const secondBack = Date.now()
    await waitUntil("the clock to move on", () => (Date.now() > secondBack + 1 ? true : undefined), { everyMs: 1 })
    const worker = await current()
    await worker.post(`/pause-arm${query(instanceName(id))}`, {
      step: spec?.step ?? 0,
      when: spec?.when ?? "before",
      control: control.url
    } satisfies PauseSpec)
    const parksBefore = control.parked()
    const thirdSentAt = Date.now()
    let third: CallResult | "killed" | undefined
    const thirdCall = add(id, 3).then(
      (outcome) => (third = outcome),
      () => (third = "killed")
    )
    // Once the third call has answered, its flush may still park; the status waits for the flush.
    let status: PauseStatus | undefined
    void thirdCall.then(async () => {
      if (third === "killed") return
      status = (await worker.get(`/pause-status${query(instanceName(id))}`).catch(() => undefined)) as
        PauseStatus | undefined
    })
    await waitUntil(
      "the armed call to park or to finish",
      () => (control.parked() > parksBefore || status !== undefined ? true : undefined),
      { everyMs: 2 }
    )
    const park = control.park(parksBefore)
    if (park !== undefined) {
      // Parked in the flush after the answer: the answer was sent, so the call returned.
      if (park.phase === "after") await thirdCall
      await killWorkerd(worker.pid)
      await thirdCall
      await worker.dispose().catch(() => undefined)
      life = undefined
      kills++
      if (park.phase === "after") killsAfterAnswer++
      const at = `${park.when} ${park.op}`
      killsAt[at] = (killsAt[at] ?? 0) + 1
    }
    const thirdReturned = third !== undefined && third !== "killed" && third.ok
    if (third !== undefined && third !== "killed" && !third.ok) errors++
    if (thirdReturned) returned++
    cycles.push({ id, thirdSentAt, thirdReturned, reference: spec === undefined })
    return park === undefined ? status : undefined
  }

  try {
    for (let pass = 0; kills < options.kills; pass++) {
      // Collector down (the outbox holds the events of the first two calls when the wipe runs)
      // and up (the events were delivered, and their keys deleted), pass by pass.
      const up = pass % 2 === 1
      await collector.setMode(up ? { kind: "ok" } : { kind: "status", status: 503 })
      const counted = await cycle(undefined)
      if (counted === undefined || counted.steps === 0) {
        throw new Error("a cycle without a pause did not report its storage calls")
      }
      const steps = counted.steps
      sqliteSeen = counted.sqlite
      callsPerWipe.push(`${up ? "collector up" : "collector down"}: ${counted.ops.join(" ")}`)
      const points = (["before", "after"] as const).flatMap((when) =>
        Array.from({ length: steps }, (_, i) => ({ when, step: i + 1 }))
      )
      // Every point of the pass in a random order, or a random few of them.
      for (let i = points.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[points[i], points[j]] = [points[j]!, points[i]!]
      }
      for (const point of points.slice(0, options.kills - kills)) await cycle(point)
    }

    // Healed: every instance called once, so that it delivers what its outbox holds.
    await collector.setMode({ kind: "ok" })
    const worker = await current()
    const prefix = "tracking:outbox:"
    for (const { id } of cycles) {
      await worker.post("/call", { job: "debounce", name: "clicks", action: "status", args: [id] })
    }
    // Event keys only: a kill between the delete of the last saved event and the delete of the
    // outbox's marker leaves the marker alone (no event in it) until a flush that sends.
    const isEventKey = (key: string) => key.startsWith(prefix) && !/^(~.*)?$/.test(key.slice(prefix.length))
    let markersLeft = 0
    const outboxLeft = async () => {
      const left: Record<string, ReadonlyArray<string>> = {}
      markersLeft = 0
      for (const { id } of cycles) {
        const { keys } = (await worker.get(`/storage-keys${query(instanceName(id))}`)) as { keys: Array<string> }
        if (keys.some(isEventKey)) left[id] = keys
        else if (keys.includes(prefix)) markersLeft++
      }
      return left
    }
    await waitUntil("every outbox to be empty", async () =>
      Object.keys(await outboxLeft()).length === 0 ? true : undefined
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; keys left: ${JSON.stringify(await outboxLeft())}`)
    })

    const byInstance = new Map<string, Array<{ type: string; timestamp: string }>>()
    for (const { event } of collector.events()) {
      const list = byInstance.get(event.instanceId) ?? []
      list.push(event)
      byInstance.set(event.instanceId, list)
    }
    const split = async (c: Cycle) => {
      const { id: instanceId } = (await worker.get(`/instance-id${query(instanceName(c.id))}`)) as { id: string }
      const events = byInstance.get(instanceId) ?? []
      return {
        firstTwo: countKeys(events.filter((event) => Date.parse(event.timestamp) < c.thirdSentAt)),
        third: countKeys(events.filter((event) => Date.parse(event.timestamp) >= c.thirdSentAt))
      }
    }
    const reference = await split(cycles.find((c) => c.reference)!)
    let lost = 0
    let expected = 0
    let wipesReturned = 0
    for (const c of cycles) {
      const got = await split(c)
      const firstTwo = missing(reference.firstTwo, got.firstTwo)
      lost += firstTwo.lost
      expected += firstTwo.total
      if (c.thirdReturned) {
        wipesReturned++
        const third = missing(reference.third, got.third)
        lost += third.lost
        expected += third.total
      }
    }
    return {
      backend: options.sqlite ? "sqlite" : "kv",
      mode: String((options.tracker.outbox as { mode?: string } | undefined)?.mode ?? "onFailure"),
      kills,
      killsAfterAnswer,
      killsAt,
      storageCallsPerWipingCall: callsPerWipe,
      sqliteSeen,
      markersLeft,
      cycles: cycles.length,
      callsReturned: returned,
      callErrors: errors,
      wipesReturned,
      expectedFromReturnedCalls: expected,
      lostFromReturnedCalls: lost,
      eventsAccepted: collector.events().length,
      duplicates: collector.duplicates(),
      seconds: Math.round((performance.now() - started) / 1000)
    }
  } finally {
    if (life !== undefined) {
      if (isAlive(life.pid)) await life.dispose()
      else await life.dispose().catch(() => undefined)
    }
    await control.close()
    persist.remove()
  }
}
