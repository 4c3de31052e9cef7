import { Effect } from "effect"
import { safeRun, safeSite } from "../internal/safe.js"
import { chunks, MAX_KEYS_PER_CALL, type OutboxStorageService, type TrackerOutbox } from "./Outbox.js"

/**
 * The storage the jobs see when the tracker has an outbox: the jobs core's `StorageAdapter`,
 * unchanged in what it returns, with two additions.
 *
 * - Before each of the job's writes (`put`, `putBatch`, `delete`, `deleteAll`) the tracker's
 *   accepted events not yet written are written (mode `"always"`). Nothing else runs between
 *   the two writes, so a Durable Object commits them together (writes with no other I/O between
 *   them are coalesced into one atomic batch), and in any case in order: a job's state change
 *   is never durable without the events emitted before it.
 * - A wipe (`deleteAll`: a job's termination, a debounce purge) never deletes the outbox's keys
 *   (see {@link wipeKeepingOutbox}).
 *
 * The job's reads and writes are never changed, merged or retried: an outbox write that fails
 * is counted by the outbox and the job's write runs as it would have.
 */

/** The writes a jobs core's storage adapter has beyond what the outbox itself needs. */
interface JobWrites {
  put?<T>(key: string, value: T): Effect.Effect<void, unknown>
  deleteAll?(): Effect.Effect<void, unknown>
}

// The listing of every key before a wipe; its first failure is logged once (see safe.ts).
const listAllSite = safeSite("delivery/TransactionalOutbox", "storage.list of every key before a wipe")

/**
 * A `deleteAll` that leaves the outbox's keys in place. `deleteAll` commits on its own (a write
 * issued after it, to put the outbox back, is not in the same commit), so it is only used when
 * storage holds no outbox key and the outbox is writing none. Otherwise every other key is
 * deleted, in calls of at most 128 deletes issued together, and the outbox's keys (events,
 * marker, "not before" time) are never touched: whatever step a kill stops the wipe at, every
 * saved event is still in storage.
 *
 * When the keys cannot be listed nothing is deleted and the wipe fails with the listing's error,
 * as a failed `deleteAll` would: deleting blind could take saved events with it. Unlike
 * `deleteAll`, a kill between two runs of deletes leaves part of the job's keys (more than 128).
 */
const wipeKeepingOutbox = (
  storage: OutboxStorageService,
  deleteAll: () => Effect.Effect<void, unknown>,
  outbox: TrackerOutbox
): Effect.Effect<void, unknown> =>
  Effect.gen(function* () {
    yield* outbox.writeAccepted()
    const prefix = outbox.config.keyPrefix
    // A failed listing is counted and logged once, then fails the wipe with its own cause.
    const listed = yield* Effect.suspend(() => storage.list<unknown>("")).pipe(
      Effect.tapErrorCause((cause) =>
        safeRun(listAllSite, Effect.failCause(cause), Effect.void, () => outbox.noteStorageError())
      )
    )
    const keys = [...listed.keys()]
    const outboxKeys = keys.filter((key) => key.startsWith(prefix))
    // Checked as `deleteAll` is issued, with the outbox's writes held: a save issued since the
    // listing makes the outbox hold keys, and one issued later lands after the wipe.
    const wipedWhole = yield* outbox.withWritesHeld(
      Effect.suspend(() =>
        outboxKeys.length === 0 && outbox.storesNothing ? Effect.as(deleteAll(), true) : Effect.succeed(false)
      )
    )
    if (wipedWhole) return
    const jobKeys = keys.filter((key) => !key.startsWith(prefix))
    for (const run of chunks(jobKeys, MAX_KEYS_PER_CALL)) {
      // Issued together, with no other I/O between them (whether workerd then commits a run as one
      // batch is not shown by any test here). The first failure is the job's, as deleteAll's would be.
      yield* Effect.forEach(run, (key) => Effect.suspend(() => storage.delete(key)), {
        concurrency: "unbounded",
        discard: true
      })
    }
    outbox.noteKeptThroughWipe(outboxKeys)
  })

export const outboxKeepingStorage = <S extends OutboxStorageService & JobWrites>(
  storage: S,
  outbox: TrackerOutbox
): S => {
  const first = <A, E>(write: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.zipRight(outbox.writeAccepted(), Effect.suspend(write))

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
    guarded.deleteAll = () => wipeKeepingOutbox(storage, deleteAll, outbox)
  }
  return guarded as S
}
