import { Effect, Layer, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { createTestRuntime, StorageAdapter } from "../fixtures/core/index.js"
import {
  durableOutbox,
  EventTracker,
  HttpBatchTracker,
  InvalidTrackerConfigError,
  JobEventBatch,
  resolveTrackerLayer
} from "durable-effect-tracking"
import type { HttpFetch, JobEvent, TrackerOption } from "durable-effect-tracking"
import { OutboxDefaults, OutboxStorage, type OutboxStorageService } from "../../src/delivery/Outbox.js"
import { emitAll, idsOf, jobEvents } from "../support/tracking.js"

/** A fetch that answers the queued statuses in order, then 200, and keeps what it was sent. */
const fakeCollector = () => {
  const answers: Array<number> = []
  const received: Array<{ readonly status: number; readonly ids: ReadonlyArray<string> }> = []
  const fetch: HttpFetch = async (_url, init) => {
    const status = answers.shift() ?? 200
    const batch = Schema.decodeUnknownSync(JobEventBatch)(JSON.parse(init.body))
    received.push({ status, ids: batch.events.map((event) => event.eventId) })
    return { status, headers: { get: () => null } }
  }
  return {
    fetch,
    /** The next requests are answered with these statuses. */
    answer: (...statuses: ReadonlyArray<number>) => void answers.push(...statuses),
    /** The next `count` requests fail with 503. */
    fail: (count: number) => void answers.push(...Array.from({ length: count }, () => 503)),
    delivered: () => received.filter((r) => r.status === 200).flatMap((r) => r.ids),
    received
  }
}

const baseConfig = (fetch: HttpFetch) =>
  ({
    endpoint: "http://collector.invalid/ingest",
    env: "test",
    serviceKey: "svc",
    retry: { maxAttempts: 1 },
    fetch
  }) as const

const prefix = OutboxDefaults.keyPrefix
/** The keys the outbox writes for these events: one per event, and its marker (the prefix itself). */
const outboxKeys = (events: ReadonlyArray<JobEvent>, keyPrefix: string = prefix) =>
  [keyPrefix, ...idsOf(events).map((id) => keyPrefix + id)].sort()

/** Storage as an earlier tracker instance left it. */
const seed = (core: ReturnType<typeof createTestRuntime>, events: ReadonlyArray<JobEvent>) => {
  core.handles.storage.put(prefix, "outbox")
  for (const event of events) core.handles.storage.put(prefix + event.eventId, JSON.stringify(event))
}

/** The tracker a layer provides, built over `storageLayer` as the codemodded runtime builds it. */
const trackerFrom = (
  layer: Layer.Layer<EventTracker>,
  storageLayer: Layer.Layer<never> | Layer.Layer<any> = Layer.empty
) =>
  Effect.runSync(
    Effect.scoped(Layer.build(layer.pipe(Layer.provideMerge(storageLayer as Layer.Layer<never>)))).pipe(
      Effect.map((context) => context.unsafeMap.get(EventTracker.key) as HttpBatchTracker<JobEvent>)
    )
  )

/** Runs `use` on the tracker of a fresh build of `layer` over `storageLayer`: one runtime call. */
const call = <A>(
  layer: Layer.Layer<EventTracker>,
  storageLayer: Layer.Layer<any> | Layer.Layer<never>,
  use: (tracker: HttpBatchTracker<JobEvent>) => Effect.Effect<A>
): Promise<A> =>
  Effect.runPromise(
    Effect.flatMap(EventTracker, (tracker) => use(tracker as unknown as HttpBatchTracker<JobEvent>)).pipe(
      Effect.provide(layer.pipe(Layer.provideMerge(storageLayer as Layer.Layer<never>)))
    )
  )

describe("the HTTP tracker's durable outbox", () => {
  it("without the option, a flush that gives up writes nothing to storage", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const layer = resolveTrackerLayer(baseConfig(collector.fetch))
    collector.fail(1)
    const stats = await call(layer, core.layer, (t) =>
      Effect.gen(function* () {
        yield* emitAll(t, jobEvents(3))
        yield* t.flush()
        return yield* t.stats()
      })
    )
    expect(stats.requeued).toBe(3)
    expect(stats.outbox).toBeUndefined()
    expect(core.handles.storage.keys()).toEqual([])
  })

  it("a healthy collector costs no storage writes", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), outbox: durableOutbox() })
    const events = jobEvents(4)
    const stats = await call(layer, core.layer, (t) =>
      Effect.zipRight(Effect.zipRight(emitAll(t, events), t.flush()), t.stats())
    )
    expect(collector.delivered()).toEqual(idsOf(events))
    expect(core.handles.storage.keys()).toEqual([])
    expect(stats.outbox).toMatchObject({ saved: 0, restored: 0, deleted: 0, storageErrors: 0 })
  })

  it("saves every undelivered event when a flush gives up, under <keyPrefix><eventId>, as the event's JSON", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), batchSize: 2, outbox: durableOutbox() })
    const events = jobEvents(5)
    collector.fail(1)
    const stats = await call(layer, core.layer, (t) =>
      Effect.zipRight(Effect.zipRight(emitAll(t, events), t.flush()), t.stats())
    )
    expect(collector.received).toEqual([{ status: 503, ids: idsOf(events.slice(0, 2)) }])
    // The batch in flight and the events behind it: all five.
    expect(core.handles.storage.keys()).toEqual(outboxKeys(events))
    for (const event of events) {
      // As it would be sent: enriched.
      expect(JSON.parse(core.handles.storage.get<string>(prefix + event.eventId)!)).toEqual({
        ...JSON.parse(JSON.stringify(event)),
        env: "test",
        serviceKey: "svc"
      })
    }
    expect(stats.outbox).toMatchObject({ saved: 5, held: 5, notSaved: 0 })
    expect(stats.pending).toBe(5)
  })

  it("a later tracker over the same storage sends the saved events first, at its first flush, then deletes their keys", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const config: TrackerOption = { ...baseConfig(collector.fetch), outbox: durableOutbox() }
    const before = jobEvents(3, "before")
    collector.fail(1)
    await call(resolveTrackerLayer(config), core.layer, (t) => Effect.zipRight(emitAll(t, before), t.flush()))
    expect(core.handles.storage.keys()).toEqual(outboxKeys(before))

    // The object was evicted: a new runtime, a new tracker, the same storage.
    const after = jobEvents(2, "after")
    const stats = await call(resolveTrackerLayer(config), core.layer, (t) =>
      Effect.zipRight(Effect.zipRight(emitAll(t, after), t.flush()), t.stats())
    )
    expect(collector.delivered()).toEqual([...idsOf(before), ...idsOf(after)])
    expect(core.handles.storage.keys()).toEqual([])
    expect(stats.outbox).toMatchObject({ restored: 3, deleted: 3, held: 0, storageErrors: 0 })
  })

  it("reads the saved events when its layer is first built: a wipe of the storage later in the same call loses nothing", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const saved = jobEvents(3)
    seed(core, saved)
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), outbox: durableOutbox() })
    // One call: the job purges its storage (as a debounce flush or a termination does), then the run flushes.
    const wipe = Effect.flatMap(StorageAdapter, (storage) => storage.deleteAll())
    await Effect.runPromise(
      Effect.flatMap(EventTracker, (tracker) => Effect.zipRight(wipe, tracker.flush())).pipe(
        Effect.provide(layer.pipe(Layer.provideMerge(core.layer)))
      )
    )
    expect(collector.delivered()).toEqual(idsOf(saved))
    expect(core.handles.storage.keys()).toEqual([])
  })

  it("restores at the first flush even when the new tracker has nothing of its own, and only once", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const saved = jobEvents(2)
    seed(core, saved)
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), outbox: durableOutbox() })
    collector.fail(1)
    await call(layer, core.layer, (t) => t.flush())
    expect(collector.received).toEqual([{ status: 503, ids: idsOf(saved) }])
    // Still in storage (already saved: not written again), and still held in memory.
    expect(core.handles.storage.keys()).toEqual(outboxKeys(saved))
    const stats = await call(layer, core.layer, (t) => Effect.zipRight(t.flush(), t.stats()))
    expect(collector.delivered()).toEqual(idsOf(saved))
    expect(stats.outbox).toMatchObject({ restored: 2, saved: 0, deleted: 2, held: 0 })
    expect(core.handles.storage.keys()).toEqual([])
  })

  it("does not send an event twice when a saved one is also held in memory (dedupe by eventId)", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const events = jobEvents(3)
    seed(core, [events[1]!])
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), outbox: durableOutbox() })
    // The tracker holds the events before it is first built with a storage.
    await call(layer, Layer.empty, (t) => emitAll(t, events))
    await call(layer, core.layer, (t) => t.flush())
    expect(collector.delivered()).toEqual(idsOf(events))
    expect(core.handles.storage.keys()).toEqual([])
  })

  it("keeps at most maxEvents in storage, the oldest, and counts the rest", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const layer = resolveTrackerLayer({
      ...baseConfig(collector.fetch),
      outbox: durableOutbox({ maxEvents: 3, keyPrefix: "ob/" })
    })
    const events = jobEvents(5)
    collector.fail(1)
    const stats = await call(layer, core.layer, (t) =>
      Effect.zipRight(Effect.zipRight(emitAll(t, events), t.flush()), t.stats())
    )
    expect(core.handles.storage.keys()).toEqual(outboxKeys(events.slice(0, 3), "ob/"))
    expect(stats.outbox).toMatchObject({ saved: 3, notSaved: 2, held: 3 })
    // All five are still held in memory and go with the next flush.
    const after = await call(layer, core.layer, (t) => Effect.zipRight(t.flush(), t.stats()))
    expect(collector.delivered()).toEqual(idsOf(events))
    expect(after.outbox).toMatchObject({ deleted: 3, held: 0 })
    expect(core.handles.storage.keys()).toEqual([])
  })

  it("deletes only the saved events that were delivered when a later batch fails", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const events = jobEvents(4)
    seed(core, events)
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), batchSize: 2, outbox: durableOutbox() })
    collector.answer(200, 503)
    await call(layer, core.layer, (t) => t.flush())
    expect(collector.delivered()).toEqual(idsOf(events.slice(0, 2)))
    expect(core.handles.storage.keys()).toEqual(outboxKeys(events.slice(2)))
  })

  it("writes in chunks of at most 128 keys, the marker included (the Durable Object limit per call)", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const sizes: Array<number> = []
    const counting = Layer.effect(
      OutboxStorage,
      Effect.map(OutboxStorage, (storage): OutboxStorageService => ({
        ...storage,
        putBatch: (entries) =>
          Effect.zipRight(
            Effect.sync(() => void sizes.push(Object.keys(entries).length)),
            storage.putBatch(entries)
          )
      }))
      // The fixture's StorageAdapter is found under the same key; only the types differ.
    ).pipe(Layer.provide(core.layer as unknown as Layer.Layer<OutboxStorage>))
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), outbox: durableOutbox({ maxEvents: 500 }) })
    collector.fail(1)
    await call(layer, counting, (t) => Effect.zipRight(emitAll(t, jobEvents(300)), t.flush()))
    expect(sizes).toEqual([128, 127, 46])
    expect(core.handles.storage.size()).toBe(301)
  })

  it("notices at the next give-up that the object's storage was wiped (a job's termination) and saves the events again", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), outbox: durableOutbox() })
    const [first, second] = [jobEvents(2, "first"), jobEvents(1, "second")]
    collector.fail(1)
    await call(layer, core.layer, (t) => Effect.zipRight(emitAll(t, first), t.flush()))
    expect(core.handles.storage.keys()).toEqual(outboxKeys(first))
    // The job is terminated: everything in the object's storage goes, the outbox with it.
    await Effect.runPromise(
      Effect.flatMap(StorageAdapter, (storage) => storage.deleteAll()).pipe(Effect.provide(core.layer))
    )
    expect(core.handles.storage.keys()).toEqual([])
    collector.fail(1)
    const stats = await call(layer, core.layer, (t) =>
      Effect.zipRight(Effect.zipRight(emitAll(t, second), t.flush()), t.stats())
    )
    expect(core.handles.storage.keys()).toEqual(outboxKeys([...first, ...second]))
    expect(stats.outbox).toMatchObject({ saved: 5, held: 3 })
  })

  it("catches storage failures, counts them, and keeps the events in memory", async () => {
    const collector = fakeCollector()
    const broken: OutboxStorageService = {
      get: () => Effect.fail("unreadable"),
      putBatch: () => Effect.fail("disk full"),
      delete: () => Effect.die(new Error("gone")),
      list: () => {
        throw new Error("throws before returning an effect")
      }
    }
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), outbox: durableOutbox() })
    const storageLayer = Layer.succeed(OutboxStorage, broken)
    const events = jobEvents(2)
    collector.fail(1)
    const stats = await call(layer, storageLayer, (t) =>
      Effect.zipRight(Effect.zipRight(emitAll(t, events), t.flush()), t.stats())
    )
    // The read threw when the layer was built and again at the flush (it is retried until it
    // works); the save failed: three errors, all counted, none raised.
    expect(stats.outbox).toMatchObject({ storageErrors: 3, saved: 0 })
    expect(stats.pending).toBe(2)
    const after = await call(layer, storageLayer, (t) => Effect.zipRight(t.flush(), t.stats()))
    expect(collector.delivered()).toEqual(idsOf(events))
    expect(after.pending).toBe(0)
  })

  it("retries deletes that fail at most once per flush, spaced out, so 20 calls cost O(keys) failed deletes", async () => {
    const collector = fakeCollector()
    const core = createTestRuntime()
    const saved = jobEvents(40, "saved")
    seed(core, saved)
    let deletesFail = true
    let failedDeletes = 0
    const refusingDeletes = Layer.effect(
      OutboxStorage,
      Effect.map(OutboxStorage, (storage): OutboxStorageService => ({
        ...storage,
        delete: (key) =>
          deletesFail
            ? Effect.suspend(() => {
                failedDeletes++
                return Effect.fail("quota")
              })
            : storage.delete(key)
      }))
    ).pipe(Layer.provide(core.layer as unknown as Layer.Layer<OutboxStorage>))
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), outbox: durableOutbox() })
    const oneCall = (tag: string) =>
      call(layer, refusingDeletes, (t) =>
        Effect.zipRight(Effect.zipRight(emitAll(t, jobEvents(1, tag)), t.flush()), t.stats())
      )

    for (let i = 0; i < 20; i++) await oneCall(`call-${i}`)
    expect(collector.delivered()).toHaveLength(60)
    // The 40 keys tried once each when delivered, then one failed try per retry, the retries
    // 1, 2, 4 and 8 flushes apart (flushes 2, 5, 10 and 19); before, every delivered batch and
    // every flush's end tried all of them again.
    expect(failedDeletes).toBe(40 + 4)
    expect(core.handles.storage.keys()).toEqual(outboxKeys(saved))

    // Storage takes deletes again: the keys go within the longest spacing (32 flushes).
    deletesFail = false
    let calls = 0
    let stats = await oneCall("healed")
    while (core.handles.storage.keys().length > 0 && calls < 40) {
      calls++
      stats = await oneCall(`healed-${calls}`)
    }
    expect(calls).toBeLessThanOrEqual(32)
    expect(core.handles.storage.keys()).toEqual([])
    expect(stats.outbox).toMatchObject({ deleted: 40, held: 0 })
    expect(failedDeletes).toBe(44)
  })

  it("without a StorageAdapter in its context, the outbox is inert and the tracker works in memory", async () => {
    const collector = fakeCollector()
    const layer = resolveTrackerLayer({ ...baseConfig(collector.fetch), outbox: durableOutbox() })
    const events = jobEvents(2)
    collector.fail(1)
    const tracker = trackerFrom(layer)
    await Effect.runPromise(Effect.zipRight(emitAll(tracker, events), tracker.flush()))
    await Effect.runPromise(tracker.flush())
    expect(collector.delivered()).toEqual(idsOf(events))
    expect((await Effect.runPromise(tracker.stats())).outbox).toMatchObject({ saved: 0, restored: 0, storageErrors: 0 })
  })

  it("rejects a bad outbox configuration with the other issues, by field name", () => {
    const collector = fakeCollector()
    const issuesOf = (outbox: unknown, extra: object = {}): ReadonlyArray<string> => {
      try {
        HttpBatchTracker.make({ ...baseConfig(collector.fetch), ...extra, outbox: outbox as never })
      } catch (error) {
        if (error instanceof InvalidTrackerConfigError) return error.issues
        throw error
      }
      return []
    }
    expect(issuesOf(durableOutbox({ maxEvents: 0 }))).toEqual(["outbox.maxEvents must be a positive integer"])
    expect(issuesOf(durableOutbox({ keyPrefix: "" }))).toEqual(["outbox.keyPrefix must be a non-empty string"])
    expect(issuesOf(durableOutbox({ mode: "never" as never }))).toEqual(['outbox.mode must be "onFailure" or "always"'])
    expect(issuesOf(durableOutbox("yes" as never))).toEqual(["outbox must be an object"])
    expect(issuesOf(durableOutbox({ maxEvents: 1.5 }), { batchSize: 0 })).toEqual([
      "batchSize must be a positive integer",
      "outbox.maxEvents must be a positive integer"
    ])
  })

  it("refuses an outbox given as a plain configuration (the form before durableOutbox), in make, layer and addTracker", async () => {
    const collector = fakeCollector()
    const plainIssue = "outbox must be durableOutbox(config), not the configuration itself"
    const config = { ...baseConfig(collector.fetch), outbox: { mode: "always" } }
    // @ts-expect-error the outbox option takes what durableOutbox makes, not its configuration
    const make = () => HttpBatchTracker.make(config)
    // @ts-expect-error as above
    const layer = () => HttpBatchTracker.layer(config)
    for (const build of [make, layer]) {
      expect(build).toThrow(InvalidTrackerConfigError)
      try {
        build()
      } catch (error) {
        expect((error as InvalidTrackerConfigError).issues).toEqual([plainIssue])
      }
    }
    // Through addTracker the jobs run on, with tracking off (the no-op tracker), never without the outbox.
    // @ts-expect-error as above
    const resolved = resolveTrackerLayer(config)
    const tracker = await Effect.runPromise(Effect.provide(EventTracker, resolved))
    await Effect.runPromise(tracker.emit(jobEvents(1)[0]))
    await Effect.runPromise(tracker.flush())
    expect(collector.delivered()).toEqual([])
  })
})
