import { Effect, Layer } from "effect"
import { durableOutbox, EventTracker } from "durable-effect-tracking"
import type { HttpBatchTracker, HttpBatchTrackerStats, HttpFetch, JobEvent, OutboxMode } from "durable-effect-tracking"
import { StorageAdapter, type StorageAdapterService } from "../fixtures/core/index.js"
import { withoutWaiting } from "./tracking.js"

/** An HTTP tracker's configuration with an outbox in `mode`, one attempt per send, over `fetch`. */
export const outboxTrackerConfig = (fetch: HttpFetch, mode: OutboxMode = "always") =>
  ({
    endpoint: "http://collector.invalid/ingest",
    env: "test",
    serviceKey: "svc",
    retry: { maxAttempts: 1 },
    fetch,
    outbox: durableOutbox({ mode })
  }) as const

/**
 * One call that must not wait on the clock (see `withoutWaiting`): `use` runs on the HTTP tracker
 * the tracker layer builds over `storageLayer` (an object's storage, kept across calls).
 */
export const trackerCall = <A>(
  trackerLayer: Layer.Layer<EventTracker>,
  storageLayer: Layer.Layer<StorageAdapter>,
  use: (tracker: HttpBatchTracker<JobEvent>) => Effect.Effect<A>
): Effect.Effect<A> =>
  withoutWaiting(
    Effect.flatMap(EventTracker, (tracker) => use(tracker as unknown as HttpBatchTracker<JobEvent>)).pipe(
      Effect.provide(trackerLayer.pipe(Layer.provideMerge(storageLayer)))
    )
  )

/**
 * One runtime call: `job` runs with the storage and tracker the runtime gives it (the tracker
 * layer over `storageLayer`, as the codemodded runtime builds them), then the call flushes.
 * Gives what the job returned and the tracker's stats after the flush.
 */
export const jobCall = <A, E>(
  trackerLayer: Layer.Layer<EventTracker>,
  storageLayer: Layer.Layer<StorageAdapter>,
  job: (storage: StorageAdapterService, tracker: HttpBatchTracker<JobEvent>) => Effect.Effect<A, E>
): Effect.Effect<{ readonly result: A; readonly stats: HttpBatchTrackerStats }, E> =>
  Effect.gen(function* () {
    const storage = yield* StorageAdapter
    const tracker = (yield* EventTracker) as unknown as HttpBatchTracker<JobEvent>
    const result = yield* job(storage, tracker).pipe(Effect.ensuring(tracker.flush()))
    return { result, stats: yield* tracker.stats() }
  }).pipe(Effect.provide(trackerLayer.pipe(Layer.provideMerge(storageLayer))))
