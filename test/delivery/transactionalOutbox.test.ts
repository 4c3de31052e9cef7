import { Effect, Layer, Logger, LogLevel, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { createTestRuntime, StorageAdapter, StorageError, type StorageAdapterService } from "../fixtures/core/index.js"
import { EventTracker, JobEventBatch, OutboxDefaults, resolveTrackerLayer } from "durable-effect-tracking"
import type { HttpBatchTracker, HttpBatchTrackerStats, HttpFetch, JobEvent } from "durable-effect-tracking"
import { jobCall, outboxTrackerConfig } from "../support/outboxCalls.js"
import { idsOf, jobEvents } from "../support/tracking.js"

// Mode "always": the events of a call are in the object's storage before the call returns,
// written no later than the job's next write after them; a wipe by the job keeps them.

const prefix = OutboxDefaults.keyPrefix
const outboxKeysIn = (keys: ReadonlyArray<string>) => keys.filter((key) => key.startsWith(prefix) && key !== prefix)

/** A collector that answers `status()` and, at each request, notes which events storage held. */
const collectorOver = (storedKeys: () => ReadonlyArray<string>) => {
  let status = 200
  const requests: Array<{ readonly ids: ReadonlyArray<string>; readonly storedAtRequest: ReadonlyArray<string> }> = []
  const fetch: HttpFetch = async (_url, init) => {
    const batch = Schema.decodeUnknownSync(JobEventBatch)(JSON.parse(init.body))
    requests.push({ ids: batch.events.map((e) => e.eventId), storedAtRequest: outboxKeysIn(storedKeys()) })
    return { status, headers: { get: () => null } }
  }
  return { fetch, requests, setStatus: (next: number) => void (status = next) }
}

/** The core's storage with every write logged, in the order storage receives them. */
const loggedCore = (core: ReturnType<typeof createTestRuntime>) => {
  const log: Array<string> = []
  const note = (entry: string) => Effect.sync(() => void log.push(entry))
  const layer = Layer.effect(
    StorageAdapter,
    Effect.map(StorageAdapter, (storage): StorageAdapterService => ({
      ...storage,
      put: (key, value) => Effect.zipRight(note(`put ${key}`), storage.put(key, value)),
      putBatch: (entries) =>
        Effect.zipRight(
          note(
            `putBatch ${Object.keys(entries)
              .map((k) => (k.startsWith(prefix) ? "outbox" : k))
              .join(",")}`
          ),
          storage.putBatch(entries)
        ),
      delete: (key) => Effect.zipRight(note(`delete ${key.startsWith(prefix) ? "outbox" : key}`), storage.delete(key)),
      deleteAll: () => Effect.zipRight(note("deleteAll"), storage.deleteAll())
    }))
  ).pipe(Layer.provideMerge(core.layer))
  return { layer, log }
}

const config = outboxTrackerConfig

/** One runtime call: `job` runs with the storage and tracker the runtime gives it, then the call flushes. */
const runCall = <A, E>(
  trackerLayer: Layer.Layer<EventTracker>,
  coreLayer: Layer.Layer<StorageAdapter>,
  job: (storage: StorageAdapterService, tracker: HttpBatchTracker<JobEvent>) => Effect.Effect<A, E>
): Promise<A> => Effect.runPromise(Effect.map(jobCall(trackerLayer, coreLayer, job), ({ result }) => result))

describe('outbox mode "always"', () => {
  it("writes the events emitted before a job's write ahead of it, and the rest before the request; deletes them once delivered", async () => {
    const core = createTestRuntime()
    const { layer: storageLayer, log } = loggedCore(core)
    const collector = collectorOver(() => core.handles.storage.keys())
    const layer = resolveTrackerLayer(config(collector.fetch))
    const [before, after] = [jobEvents(2, "before"), jobEvents(1, "after")]

    const stats = await runCall(layer, storageLayer, (storage, tracker) =>
      Effect.gen(function* () {
        yield* Effect.forEach(before, (e) => tracker.emit(e))
        yield* storage.put("state", { count: 1 })
        yield* Effect.forEach(after, (e) => tracker.emit(e))
        return yield* tracker.stats()
      })
    )
    expect(log.slice(0, 3)).toEqual(["putBatch outbox,outbox,outbox", "put state", "putBatch outbox"])
    // Every event of the call was in storage when the request was made.
    expect(collector.requests).toHaveLength(1)
    expect([...collector.requests[0]!.storedAtRequest].sort()).toEqual(
      [...before, ...after].map((e) => prefix + e.eventId).sort()
    )
    // Delivered: deleted.
    expect(log.slice(3)).toEqual(["delete outbox", "delete outbox", "delete outbox", "delete outbox"])
    expect(core.handles.storage.keys()).toEqual(["state"])
    // Read before the flush: the third event is written by it.
    expect(stats.outbox).toMatchObject({ saved: 2 })
  })

  it("a call whose collector is down leaves its events in storage, and a later tracker over that storage sends them", async () => {
    const core = createTestRuntime()
    const collector = collectorOver(() => core.handles.storage.keys())
    collector.setStatus(503)
    const events = jobEvents(3)
    await runCall(resolveTrackerLayer(config(collector.fetch)), core.layer, (storage, tracker) =>
      Effect.zipRight(
        Effect.forEach(events, (e) => tracker.emit(e)),
        storage.put("state", 1)
      )
    )
    expect(outboxKeysIn(core.handles.storage.keys()).sort()).toEqual(events.map((e) => prefix + e.eventId).sort())

    // The object restarts: a new tracker, the collector is back.
    collector.setStatus(200)
    await runCall(resolveTrackerLayer(config(collector.fetch)), core.layer, () => Effect.void)
    expect(collector.requests.at(-1)!.ids).toEqual(idsOf(events))
    expect(outboxKeysIn(core.handles.storage.keys())).toEqual([])
  })

  it("keeps undelivered events through a wipe of the object's storage (deleteAll), in both modes", async () => {
    for (const mode of ["always", "onFailure"] as const) {
      const core = createTestRuntime()
      const { layer: storageLayer, log } = loggedCore(core)
      const collector = collectorOver(() => core.handles.storage.keys())
      collector.setStatus(503)
      const layer = resolveTrackerLayer(config(collector.fetch, mode))
      const [first, second] = [jobEvents(2, "first"), jobEvents(2, "second")]
      // A call that could not deliver: its events are saved (at once, or as the flush gives up).
      await runCall(layer, storageLayer, (storage, tracker) =>
        Effect.zipRight(
          Effect.forEach(first, (e) => tracker.emit(e)),
          storage.put("state", 1)
        )
      )
      // The next call terminates the job: everything goes, then it emits and cannot deliver either.
      const stats = await runCall(layer, storageLayer, (storage, tracker) =>
        Effect.gen(function* () {
          yield* storage.deleteAll()
          expect(core.handles.storage.keys(), mode).not.toContain("state")
          expect(outboxKeysIn(core.handles.storage.keys()).sort(), mode).toEqual(
            first.map((e) => prefix + e.eventId).sort()
          )
          yield* Effect.forEach(second, (e) => tracker.emit(e))
          return yield* tracker.stats()
        })
      )
      // The job's keys went one by one; `deleteAll` would have taken the outbox with them.
      expect(log, mode).toContain("delete state")
      expect(log, mode).not.toContain("deleteAll")
      expect(stats.outbox?.keptThroughWipe, mode).toBe(2)
      expect(outboxKeysIn(core.handles.storage.keys()).sort(), mode).toEqual(
        [...first, ...second].map((e) => prefix + e.eventId).sort()
      )

      collector.setStatus(200)
      await runCall(layer, storageLayer, () => Effect.void)
      const delivered = new Set(collector.requests.slice(-1).flatMap((r) => r.ids))
      expect(
        [...first, ...second].every((e) => delivered.has(e.eventId)),
        mode
      ).toBe(true)
      expect(outboxKeysIn(core.handles.storage.keys()), mode).toEqual([])
    }
  })

  it("never changes what the job's storage calls return or how they fail, even when the outbox's own writes fail", async () => {
    const core = createTestRuntime()
    let failOutbox = true
    const flaky = Layer.effect(
      StorageAdapter,
      Effect.map(StorageAdapter, (storage): StorageAdapterService => ({
        ...storage,
        putBatch: (entries) =>
          failOutbox && Object.keys(entries).some((k) => k.startsWith(prefix))
            ? Effect.fail(new StorageError({ operation: "putBatch", cause: "disk full" }))
            : storage.putBatch(entries),
        put: (key, value) =>
          key === "broken"
            ? Effect.fail(new StorageError({ operation: "put", key, cause: "no" }))
            : storage.put(key, value)
      }))
    ).pipe(Layer.provideMerge(core.layer))
    const collector = collectorOver(() => core.handles.storage.keys())
    collector.setStatus(503)
    const layer = resolveTrackerLayer(config(collector.fetch))
    const outcome = await runCall(layer, flaky, (storage, tracker) =>
      Effect.gen(function* () {
        yield* tracker.emit(jobEvents(1)[0]!)
        yield* storage.put("state", 7)
        const read = yield* storage.get<number>("state")
        const removed = yield* storage.delete("nothing-here")
        const broken = yield* Effect.either(storage.put("broken", 1))
        return { read, removed, broken, stats: yield* tracker.stats() }
      })
    )
    expect(outcome.read).toBe(7)
    expect(outcome.removed).toBe(false)
    expect(outcome.broken._tag === "Left" && outcome.broken.left).toMatchObject({
      _tag: "StorageError",
      operation: "put",
      key: "broken"
    })
    expect(outcome.stats.outbox?.storageErrors).toBeGreaterThan(0)
    // The event is still held in memory, for the next flush.
    expect(outcome.stats.pending).toBe(1)
    failOutbox = false
  })

  it("counts each event a failed outbox write could not save, once, warns once without event data, and lets the job's write through", async () => {
    for (const mode of ["always", "onFailure"] as const) {
      const core = createTestRuntime()
      let quota = true
      const full = Layer.effect(
        StorageAdapter,
        Effect.map(StorageAdapter, (storage): StorageAdapterService => ({
          ...storage,
          putBatch: (entries) =>
            quota && Object.keys(entries).some((k) => k.startsWith(prefix))
              ? Effect.fail(new StorageError({ operation: "putBatch", cause: "quota exceeded" }))
              : storage.putBatch(entries)
        }))
      ).pipe(Layer.provideMerge(core.layer))
      const warnings: Array<{ readonly message: unknown; readonly annotations: Record<string, unknown> }> = []
      const capture = Logger.make(({ logLevel, message, annotations }) => {
        if (logLevel._tag === "Warning") warnings.push({ message, annotations: Object.fromEntries(annotations) })
      })
      const collector = collectorOver(() => core.handles.storage.keys())
      collector.setStatus(503)
      const layer = resolveTrackerLayer(config(collector.fetch, mode))
      const events = jobEvents(40)
      const callWithLogs = (
        job: (storage: StorageAdapterService, tracker: HttpBatchTracker<JobEvent>) => Effect.Effect<unknown, unknown>
      ) =>
        Effect.runPromise(
          jobCall(layer, full, job).pipe(
            Effect.map(({ stats }) => stats),
            Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
            Logger.withMinimumLogLevel(LogLevel.All)
          )
        )

      const first = await callWithLogs((storage, tracker) =>
        Effect.zipRight(
          Effect.forEach(events, (e) => tracker.emit(e)),
          storage.put("state", 1)
        )
      )
      // The job's write went through without its events; they are held in memory and counted.
      expect(core.handles.storage.keys(), mode).toEqual(["state"])
      expect(first.outbox, mode).toMatchObject({ saved: 0, held: 0, notSaved: 40 })
      expect(first.pending, mode).toBe(40)

      // Tried again by the next give-up: still not saved, not counted again.
      const second = await callWithLogs(() => Effect.void)
      expect(second.outbox, mode).toMatchObject({ saved: 0, held: 0, notSaved: 40 })
      expect(warnings, mode).toHaveLength(1)
      expect(warnings[0]!.annotations, mode).toMatchObject({ module: "delivery/Outbox", notSaved: 40, held: 0 })
      const said = JSON.stringify(warnings)
      for (const e of events) expect(said, mode).not.toContain(e.eventId)
      expect(said, mode).not.toContain("svc")

      // Storage has room again: the next give-up saves them all.
      quota = false
      const third = await callWithLogs(() => Effect.void)
      expect(third.outbox, mode).toMatchObject({ saved: 40, held: 40, notSaved: 40 })
      expect(outboxKeysIn(core.handles.storage.keys()), mode).toHaveLength(40)
      expect(warnings, mode).toHaveLength(1)
    }
  })

  it("without a StorageAdapter in its context, works from memory and queues nothing to write", async () => {
    const collector = collectorOver(() => [])
    collector.setStatus(503)
    const layer = resolveTrackerLayer(config(collector.fetch))
    const events = jobEvents(3)
    const run = (use: (tracker: HttpBatchTracker<JobEvent>) => Effect.Effect<unknown>) =>
      Effect.runPromise(
        Effect.flatMap(EventTracker, (t) => use(t as unknown as HttpBatchTracker<JobEvent>)).pipe(Effect.provide(layer))
      )
    await run((t) =>
      Effect.zipRight(
        Effect.forEach(events, (e) => t.emit(e)),
        t.flush()
      )
    )
    collector.setStatus(200)
    const stats = (await run((t) => Effect.zipRight(t.flush(), t.stats()))) as HttpBatchTrackerStats
    expect(collector.requests.at(-1)!.ids).toEqual(idsOf(events))
    expect(stats.outbox).toMatchObject({ saved: 0, storageErrors: 0 })
    expect(stats.pending).toBe(0)
  })

  it("does not write back after a wipe the events a flush running alongside delivered (and deleted) meanwhile", async () => {
    const core = createTestRuntime()
    const collector = collectorOver(() => core.handles.storage.keys())
    collector.setStatus(503)
    const layer = resolveTrackerLayer(config(collector.fetch))
    const events = jobEvents(3)
    await runCall(layer, core.layer, (_storage, tracker) => Effect.forEach(events, (e) => tracker.emit(e)))
    expect(outboxKeysIn(core.handles.storage.keys())).toHaveLength(3)
    collector.setStatus(200)
    // The wipe's own deleteAll lets another call's flush run first (after the wipe read the outbox).
    let tracker: HttpBatchTracker<JobEvent> | undefined
    const interleaved = Layer.effect(
      StorageAdapter,
      Effect.map(StorageAdapter, (storage): StorageAdapterService => ({
        ...storage,
        deleteAll: () =>
          Effect.zipRight(
            Effect.suspend(() => tracker!.flush()),
            storage.deleteAll()
          )
      }))
    ).pipe(Layer.provideMerge(core.layer))
    await runCall(layer, interleaved, (storage, t) => {
      tracker = t
      return storage.deleteAll()
    })
    expect(new Set(collector.requests.filter((r) => r.ids.length > 0).at(-1)!.ids)).toEqual(new Set(idsOf(events)))
    expect(outboxKeysIn(core.handles.storage.keys())).toEqual([])
  })
})
