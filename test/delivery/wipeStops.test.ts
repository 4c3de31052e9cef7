import { Effect, Layer, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { createTestRuntime, StorageAdapter, StorageError, type StorageAdapterService } from "../fixtures/core/index.js"
import { EventTracker, JobEventBatch, OutboxDefaults, resolveTrackerLayer } from "durable-effect-tracking"
import type { HttpBatchTracker, HttpFetch, JobEvent, OutboxMode } from "durable-effect-tracking"
import { jobCall, outboxTrackerConfig } from "../support/outboxCalls.js"
import { jobEvents, realTurn } from "../support/tracking.js"

// A wipe (the jobs' `deleteAll`) stopped at each of its storage calls, as a kill would stop it:
// at every stop, storage still holds every event saved before the wipe, and a new tracker over
// that storage delivers them all.

const prefix = OutboxDefaults.keyPrefix
const eventKeysIn = (keys: ReadonlyArray<string>) => keys.filter((key) => key.startsWith(prefix) && key !== prefix)

/** A collector that answers `status` and keeps the ids of the batches it accepted. */
const collector = () => {
  let status = 503
  const accepted: Array<string> = []
  const fetch: HttpFetch = async (_url, init) => {
    const batch = Schema.decodeUnknownSync(JobEventBatch)(JSON.parse(init.body))
    if (status === 200) accepted.push(...batch.events.map((e) => e.eventId))
    return { status, headers: { get: () => null } }
  }
  return { fetch, accepted, heal: () => void (status = 200) }
}

/**
 * The core's in-memory storage, stopped dead at its `stopAt`-th call from `arm()` on: that call
 * and every later one fail without touching the data, which is left as a kill there leaves it
 * (the fake commits each call as it runs). Before each call it notes the keys storage holds.
 */
const stoppableStorage = (core: ReturnType<typeof createTestRuntime>, stopAt: number) => {
  let armed = false
  let calls = 0
  const keysBeforeEachCall: Array<ReadonlyArray<string>> = []
  const step = <A>(operation: StorageError["operation"], run: () => Effect.Effect<A, StorageError>) =>
    Effect.suspend(() => {
      if (!armed) return run()
      calls++
      if (calls >= stopAt) return Effect.fail(new StorageError({ operation, cause: "killed" }))
      keysBeforeEachCall.push(core.handles.storage.keys())
      return run()
    })
  const layer = Layer.effect(
    StorageAdapter,
    Effect.map(StorageAdapter, (storage): StorageAdapterService => ({
      get: (key) => step("get", () => storage.get(key)),
      put: (key, value) => step("put", () => storage.put(key, value)),
      putBatch: (entries) => step("putBatch", () => storage.putBatch(entries)),
      delete: (key) => step("delete", () => storage.delete(key)),
      deleteAll: () => step("deleteAll", () => storage.deleteAll()),
      list: (keyPrefix) => step("list", () => storage.list(keyPrefix))
    }))
  ).pipe(Layer.provideMerge(core.layer))
  return {
    layer,
    arm: () => void (armed = true),
    calls: () => calls,
    keysBeforeEachCall
  }
}

const config = outboxTrackerConfig

/** One runtime call over `storageLayer`: `job` runs, then the call flushes; its outcome, failed or not. */
const runCall = (
  trackerLayer: Layer.Layer<EventTracker>,
  storageLayer: Layer.Layer<StorageAdapter>,
  job: (storage: StorageAdapterService, tracker: HttpBatchTracker<JobEvent>) => Effect.Effect<unknown, unknown>
) => Effect.runPromise(Effect.either(jobCall(trackerLayer, storageLayer, job)))

// More than one call's worth of each (128 keys per call): the outbox saves in two putBatch
// calls, and the wipe deletes the job's keys in two runs.
const savedCount = 130
const jobKeyCount = 130

/**
 * A job whose collector is down saved `savedCount` events beside its `jobKeyCount` keys; the
 * next call emits one more event and wipes, with storage stopped at its `stopAt`-th call.
 */
const wipeStoppedAt = async (mode: OutboxMode, stopAt: number) => {
  const core = createTestRuntime()
  const stoppable = stoppableStorage(core, stopAt)
  const down = collector()
  const layer = resolveTrackerLayer(config(down.fetch, mode))
  const saved = jobEvents(savedCount, "saved")
  await runCall(layer, stoppable.layer, (storage, tracker) =>
    Effect.gen(function* () {
      yield* Effect.forEach(saved, (e) => tracker.emit(e), { discard: true })
      for (let i = 0; i < jobKeyCount; i++) yield* storage.put(`job:${i}`, i)
    })
  )
  const savedKeys = saved.map((e) => prefix + e.eventId).sort()
  expect(eventKeysIn(core.handles.storage.keys())).toEqual(savedKeys)

  const [late] = jobEvents(1, "late")
  stoppable.arm()
  const wiped = await runCall(layer, stoppable.layer, (storage, tracker) =>
    Effect.zipRight(tracker.emit(late!), storage.deleteAll())
  )
  return { core, stoppable, saved, savedKeys, late: late!, wiped }
}

describe("a wipe stopped at each of its storage calls keeps every saved event", () => {
  for (const mode of ["onFailure", "always"] as const) {
    it(`mode "${mode}": at every stop, storage holds every event saved before the wipe, and a restarted tracker delivers them`, async () => {
      // Run once to the end to learn how many calls the wipe (and the call's flush) makes.
      const whole = await wipeStoppedAt(mode, Number.POSITIVE_INFINITY)
      expect(whole.wiped._tag).toBe("Right")
      const totalCalls = whole.stoppable.calls()
      // The writes of mode "always", the listing, two runs of deletes, the flush's saves.
      expect(totalCalls).toBeGreaterThan(jobKeyCount)
      // Before every call of the wiping call (whose collector is down, so nothing is delivered):
      // every saved event is there, and no outbox key ever goes (the late event's, once written, stays).
      const snapshots = whole.stoppable.keysBeforeEachCall.map((keys) => keys.filter((key) => key.startsWith(prefix)))
      for (const [index, keys] of snapshots.entries()) {
        expect(keys).toEqual(expect.arrayContaining(whole.savedKeys))
        if (index > 0) expect(keys).toEqual(expect.arrayContaining(snapshots[index - 1]!))
      }
      expect(whole.core.handles.storage.keys()).toContain(prefix + whole.late.eventId)
      // The job's keys are gone; the outbox's are all there.
      expect(whole.core.handles.storage.keys().filter((key) => !key.startsWith(prefix))).toEqual([])

      for (let stopAt = 1; stopAt <= totalCalls; stopAt++) {
        const { core, savedKeys, saved } = await wipeStoppedAt(mode, stopAt)
        const left = core.handles.storage.keys()
        expect({ stopAt, missing: savedKeys.filter((key) => !left.includes(key)) }).toEqual({ stopAt, missing: [] })

        // The object restarts over what the stop left, with the collector back.
        const up = collector()
        up.heal()
        await runCall(resolveTrackerLayer(config(up.fetch, mode)), core.layer, () => Effect.void)
        const accepted = new Set(up.accepted)
        expect({ stopAt, undelivered: saved.filter((e) => !accepted.has(e.eventId)).length }).toEqual({
          stopAt,
          undelivered: 0
        })
        expect(eventKeysIn(core.handles.storage.keys())).toEqual([])
      }
    }, 60_000)
  }

  it("a save a flush issues while the wipe's deleteAll is pending lands after it, not before", async () => {
    const core = createTestRuntime()
    // A deleteAll applied a few turns after it is issued, after whatever is issued meanwhile:
    // as a save issued between the wipe's check and its deleteAll would be.
    const slowDeleteAll = Layer.effect(
      StorageAdapter,
      Effect.map(StorageAdapter, (storage): StorageAdapterService => ({
        ...storage,
        deleteAll: () =>
          Effect.zipRight(
            Effect.forEach(Array.from({ length: 20 }), () => realTurn, { discard: true }),
            storage.deleteAll()
          )
      }))
    ).pipe(Layer.provideMerge(core.layer))
    const down = collector()
    const layer = resolveTrackerLayer(config(down.fetch, "onFailure"))
    const events = jobEvents(3)
    const outcome = await runCall(layer, slowDeleteAll, (storage, tracker) =>
      Effect.zipRight(
        Effect.forEach(events, (e) => tracker.emit(e), { discard: true }),
        // The wipe finds no outbox key and runs deleteAll; the flush gives up and saves meanwhile.
        Effect.all([storage.deleteAll(), tracker.flush()], { concurrency: "unbounded", discard: true }).pipe(
          // Read before the call's own flush, which would save again what it finds wiped.
          Effect.map(() => eventKeysIn(core.handles.storage.keys()))
        )
      )
    )
    expect(outcome._tag === "Right" && outcome.right.result).toEqual(events.map((e) => prefix + e.eventId).sort())
  })

  it("fails as a failed deleteAll would, deleting nothing, when the keys cannot be listed", async () => {
    const core = createTestRuntime()
    const down = collector()
    const unlistable = Layer.effect(
      StorageAdapter,
      Effect.map(StorageAdapter, (storage): StorageAdapterService => ({
        ...storage,
        list: (keyPrefix) =>
          keyPrefix === ""
            ? Effect.fail(new StorageError({ operation: "list", cause: "busy" }))
            : storage.list(keyPrefix)
      }))
    ).pipe(Layer.provideMerge(core.layer))
    const layer = resolveTrackerLayer(config(down.fetch, "onFailure"))
    const saved = jobEvents(2)
    await runCall(layer, unlistable, (storage, tracker) =>
      Effect.zipRight(
        Effect.forEach(saved, (e) => tracker.emit(e), { discard: true }),
        storage.put("state", 1)
      )
    )
    const before = core.handles.storage.keys()
    const wiped = await runCall(layer, unlistable, (storage) => storage.deleteAll())
    expect(wiped._tag === "Left" && wiped.left).toMatchObject({ _tag: "StorageError", operation: "list" })
    expect(core.handles.storage.keys()).toEqual(before)
  })

  it("uses the storage's own deleteAll when the outbox has nothing in storage", async () => {
    const core = createTestRuntime()
    const calls: Array<string> = []
    const logged = Layer.effect(
      StorageAdapter,
      Effect.map(StorageAdapter, (storage): StorageAdapterService => ({
        ...storage,
        delete: (key) =>
          Effect.zipRight(
            Effect.sync(() => void calls.push(`delete ${key}`)),
            storage.delete(key)
          ),
        deleteAll: () =>
          Effect.zipRight(
            Effect.sync(() => void calls.push("deleteAll")),
            storage.deleteAll()
          )
      }))
    ).pipe(Layer.provideMerge(core.layer))
    const up = collector()
    up.heal()
    const layer = resolveTrackerLayer(config(up.fetch, "onFailure"))
    await runCall(layer, logged, (storage) => Effect.zipRight(storage.put("state", 1), storage.deleteAll()))
    expect(calls).toEqual(["deleteAll"])
    expect(core.handles.storage.keys()).toEqual([])
  })
})
