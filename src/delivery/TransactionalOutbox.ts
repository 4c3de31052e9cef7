import { Effect } from "effect"
import { safeRun, safeSite } from "../internal/safe.js"
import { chunks, MAX_KEYS_PER_CALL, type OutboxStorageService, type TrackerOutbox } from "./Outbox.js"

/**
 * The storage the jobs see when the tracker has an outbox: the jobs core's `StorageAdapter`,
 * unchanged in what it returns and how it fails, with two additions.
 *
 * - Before each of the job's writes (`put`, `putBatch`, `delete`, `deleteAll`) the tracker's
 *   accepted events not yet written are written (mode `"always"`). Nothing else runs between
 *   the two writes, so a Durable Object commits them together (writes with no other I/O between
 *   them are coalesced into one atomic batch), and in any case in order: a job's state change
 *   is never durable without the events emitted before it.
 * - A wipe (`deleteAll`: a job's termination, a debounce purge) keeps the outbox: the saved
 *   events are read before it and written back right after it, in the same call, with no other
 *   I/O between. The Durable Object holds the call's response until all of it is durable.
 *
 * The job's own operations are never changed, merged or retried: an outbox write that fails is
 * counted by the outbox and the job's write runs as it would have.
 */

// The outbox's own calls around a wipe; a failure of each is logged once (see safe.ts).
const listSite = safeSite("tracker/TransactionalOutbox", "storage.list before a wipe")
const putSite = safeSite("tracker/TransactionalOutbox", "storage.putBatch after a wipe")

/** The writes a jobs core's storage adapter has beyond what the outbox itself needs. */
interface JobWrites {
  put?<T>(key: string, value: T): Effect.Effect<void, unknown>
  deleteAll?(): Effect.Effect<void, unknown>
}

export const outboxKeepingStorage = <S extends OutboxStorageService & JobWrites>(
  storage: S,
  outbox: TrackerOutbox
): S => {
  const first = <A, E>(write: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.zipRight(outbox.writeAccepted(), Effect.suspend(write))

  const wipe = (deleteAll: () => Effect.Effect<void, unknown>): Effect.Effect<void, unknown> =>
    Effect.gen(function* () {
      yield* outbox.writeAccepted()
      const prefix = outbox.config.keyPrefix
      // A failed read keeps nothing: the outbox notices the wipe at its next give-up (marker).
      const saved = yield* safeRun(
        listSite,
        Effect.suspend(() => storage.list<unknown>(prefix)),
        Effect.sync(() => new Map<string, unknown>()),
        () => outbox.noteStorageError()
      )
      yield* Effect.suspend(deleteAll)
      // Read before the wipe; what a concurrent flush delivered since then is not written back.
      const entries = [...saved.entries()].filter(([key]) => key.startsWith(prefix) && outbox.keepsThroughWipe(key))
      for (const run of chunks(entries, MAX_KEYS_PER_CALL)) {
        const chunk = Object.fromEntries(run)
        yield* safeRun(
          putSite,
          Effect.suspend(() => storage.putBatch(chunk)).pipe(
            Effect.tap(() => outbox.noteKeptThroughWipe(Object.keys(chunk)))
          ),
          Effect.void,
          () => outbox.noteWipedOut(Object.keys(chunk))
        )
      }
    })

  // Everything else (reads, and whatever else the adapter has) is the adapter's own.
  const guarded: OutboxStorageService & JobWrites = Object.create(storage)
  guarded.putBatch = (entries) => first(() => storage.putBatch(entries))
  guarded.delete = (key) => first(() => storage.delete(key))
  if (typeof storage.put === "function") {
    const put = storage.put.bind(storage)
    guarded.put = (key, value) => first(() => put(key, value))
  }
  if (typeof storage.deleteAll === "function") {
    const deleteAll = storage.deleteAll.bind(storage)
    guarded.deleteAll = () => wipe(deleteAll)
  }
  return guarded as S
}
