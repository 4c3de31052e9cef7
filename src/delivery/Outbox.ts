import { Context, Effect } from "effect"
import * as Option from "effect/Option"
import { jsonValueOf } from "./BatchBody.js"
import { checkPositiveInt } from "./ConfigChecks.js"
import { SizedEvent } from "./EventSize.js"
import { makeFlushSpacing } from "./FlushSpacing.js"
import { logFrom } from "../internal/log.js"
import { type SafeSite, safeRun, safeSite } from "../internal/safe.js"

/**
 * Durable delivery for the HTTP batch tracker: events a flush could not deliver are kept in
 * the Durable Object's own storage, so that they outlive the object being evicted or restarted
 * and are sent by a later flush (of this instance, or of the next one over the same storage).
 *
 * @category Trackers
 */
export interface HttpBatchTrackerOutboxConfig {
  /**
   * When events are written. `"onFailure"` (default): only the events a flush could not deliver,
   * as it gives up. `"always"`: every event, in the call that emitted it, before the job's next
   * storage write and at the latest when the call flushes (see docs/http-tracker.md).
   */
  readonly mode?: OutboxMode
  /** Most events kept in storage; the oldest are kept. Default 1000. */
  readonly maxEvents?: number
  /** Prefix of the storage keys (`<keyPrefix><eventId>`). Default `"tracking:outbox:"`. */
  readonly keyPrefix?: string
}

/**
 * When the durable outbox writes events: only those a flush gave up on, or every event.
 *
 * @category Trackers
 */
export type OutboxMode = "onFailure" | "always"

export interface ResolvedOutboxConfig {
  readonly mode: OutboxMode
  readonly maxEvents: number
  readonly keyPrefix: string
}

/**
 * The durable outbox's defaults: when it keeps events, how many undelivered events it keeps,
 * under which storage key prefix.
 *
 * @category Trackers
 */
export const OutboxDefaults = { mode: "onFailure", maxEvents: 1_000, keyPrefix: "tracking:outbox:" } as const

/** Problems with an `outbox` value, by field name; empty when it is absent or fine. */
export const outboxConfigIssues = (outbox: unknown): ReadonlyArray<string> => {
  if (outbox === undefined) return []
  if (typeof outbox !== "object" || outbox === null || Array.isArray(outbox)) return ["outbox must be an object"]
  const { maxEvents, keyPrefix, mode } = outbox as Record<string, unknown>
  const issues: Array<string> = []
  if (mode !== undefined && mode !== "onFailure" && mode !== "always")
    issues.push('outbox.mode must be "onFailure" or "always"')
  checkPositiveInt(issues, "outbox.maxEvents", maxEvents, OutboxDefaults.maxEvents)
  if (keyPrefix !== undefined && (typeof keyPrefix !== "string" || keyPrefix === "")) {
    issues.push("outbox.keyPrefix must be a non-empty string")
  }
  return issues
}

/** Fills in defaults; call {@link outboxConfigIssues} first. */
export const resolveOutboxConfig = (outbox: HttpBatchTrackerOutboxConfig): ResolvedOutboxConfig => ({
  mode: outbox.mode ?? OutboxDefaults.mode,
  maxEvents: outbox.maxEvents ?? OutboxDefaults.maxEvents,
  keyPrefix: outbox.keyPrefix ?? OutboxDefaults.keyPrefix
})

/**
 * The part of the jobs core's `StorageAdapter` the outbox uses. Errors are whatever the
 * adapter fails with; the outbox catches them all.
 */
export interface OutboxStorageService {
  get<T>(key: string): Effect.Effect<T | undefined, unknown>
  putBatch(entries: Record<string, unknown>): Effect.Effect<void, unknown>
  delete(key: string): Effect.Effect<boolean, unknown>
  list<T>(prefix: string): Effect.Effect<Map<string, T>, unknown>
}

/**
 * The jobs core's `StorageAdapter`, found by its key: this library does not depend on the
 * core package, and a tag is matched by key at run time.
 */
export class OutboxStorage extends Context.Tag("@durable-effect/StorageAdapter")<
  OutboxStorage,
  OutboxStorageService
>() {}

/**
 * Counters of the outbox since the tracker was created; a snapshot.
 *
 * @category Trackers
 */
export interface OutboxStats {
  /** Events written to storage. */
  readonly saved: number
  /** Saved events read back into the buffer (by a later tracker instance, usually). */
  readonly restored: number
  /** Saved events whose keys were deleted after they were delivered or dropped. */
  readonly deleted: number
  /**
   * Undelivered events the outbox could not save, each counted once however often it tried:
   * its storage write failed, or it was beyond `maxEvents`, without a string `eventId`, or too
   * large for one storage value. They are held in memory only until saved or delivered.
   */
  readonly notSaved: number
  /** Storage operations that failed (caught; the events stay in memory). */
  readonly storageErrors: number
  /** Saved events a wipe of the object's storage (the jobs' `deleteAll`) left in place, each time counted. */
  readonly keptThroughWipe: number
  /** Events this tracker believes are in storage now. */
  readonly held: number
}

/** Durable Object storage takes at most 128 keys per multi-key call, and 128 KiB per value. */
export const MAX_KEYS_PER_CALL = 128
// One key of each call is kept for the marker.
const KEYS_PER_CALL = MAX_KEYS_PER_CALL - 1
const MAX_VALUE_CHARS = 100_000
// Most event ids remembered as counted in `notSaved` (far more than a buffer holds).
const MAX_COUNTED_NOT_SAVED = 10_000
// Most flushes between two retries of deletes that failed.
const MAX_FLUSHES_BETWEEN_DELETE_RETRIES = 32
// `<keyPrefix>~notBefore` keeps a collector's "not before" time (epoch ms, as text) beside the
// saved events. An eventId (a UUIDv7) never starts with "~".
const NOT_BEFORE_ID = "~notBefore"

const eventIdOf = (event: unknown): string | undefined => {
  if (event instanceof SizedEvent) return event.eventId
  const id: unknown = typeof event === "object" && event !== null ? (event as { eventId?: unknown }).eventId : undefined
  return typeof id === "string" && id !== "" ? id : undefined
}

// Stored as JSON text (what would be sent, without the tracker's enrichment): a string
// survives any storage, whereas a structured clone of an event object may not.
const storedForm = (event: unknown): string | undefined => {
  // Sized at emit (strings cut to fit, enrichment included; a copied event's JSON is made now).
  if (event instanceof SizedEvent) return event.json.length <= MAX_VALUE_CHARS ? event.json : undefined
  try {
    const json = JSON.stringify(jsonValueOf(event))
    return typeof json === "string" && json.length <= MAX_VALUE_CHARS ? json : undefined
  } catch {
    return undefined
  }
}

// The storage adapter's calls the outbox makes; a failure of each is logged once (see safe.ts).
const listSite = safeSite("delivery/Outbox", "storage.list")
const getSite = safeSite("delivery/Outbox", "storage.get")
const putSite = safeSite("delivery/Outbox", "storage.putBatch")
const deleteSite = safeSite("delivery/Outbox", "storage.delete")
const writeSite = safeSite("delivery/Outbox", "storage write of the not-before time")
const fromOutbox = logFrom("delivery/Outbox")

/** `items` in runs of at most `size`. */
export const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/**
 * The outbox of one tracker. It keeps no events itself: it remembers which ones are in
 * storage (by `eventId`), and the storage the latest layer build handed it.
 */
export class TrackerOutbox {
  #storage: OutboxStorageService | undefined
  #restoredOnce = false
  // Written with the first saved events, under the prefix itself: when it is gone, something
  // deleted the object's storage (a job's termination does), saved events with it.
  #markerWritten = false
  readonly #inStorage = new Set<string>()
  readonly #toDelete = new Set<string>()
  // Settled events whose key could not be deleted: retried at the end of a flush, spaced out
  // while storage refuses (still counted as in storage meanwhile).
  readonly #failedDeletes = new Set<string>()
  readonly #deleteRetry = makeFlushSpacing(MAX_FLUSHES_BETWEEN_DELETE_RETRIES)
  // Held while a write of the outbox is issued, and by a wipe from its check that the outbox
  // stores nothing until its `deleteAll` is issued: no write can land between the two.
  readonly #writeLock = Effect.unsafeMakeSemaphore(1)
  readonly #counters = { saved: 0, restored: 0, deleted: 0, notSaved: 0, storageErrors: 0, keptThroughWipe: 0 }
  // The "not before" time this outbox believes is in storage (NaN: a value it cannot read).
  #storedNotBefore: number | undefined
  // Mode "always": accepted events not written yet, oldest first.
  #unwritten: Array<SizedEvent> = []
  // The held events counted in `notSaved` (so each is counted once); forgotten once settled.
  readonly #countedNotSaved = new Set<string>()
  #warnedNotSaved = false

  constructor(readonly config: ResolvedOutboxConfig) {}

  /** The storage of the object the tracker serves now (the latest layer build's). */
  useStorage(storage: Option.Option<OutboxStorageService>): void {
    if (Option.isSome(storage)) this.#storage = storage.value
  }

  /** True until saved events have been read back once (with a storage to read). */
  get wantsRestore(): boolean {
    return !this.#restoredOnce && this.#storage !== undefined
  }

  /** The "not before" time an earlier tracker saved (read by {@link restore}); undefined when none. */
  get savedNotBefore(): number | undefined {
    return Number.isFinite(this.#storedNotBefore) ? this.#storedNotBefore : undefined
  }

  /** Whether some of `held` is not in storage yet and there is room to save it. */
  holdsUnsaved(held: ReadonlyArray<unknown>): boolean {
    if (this.#storage === undefined || this.#inStorage.size >= this.config.maxEvents) return false
    return held.some((event) => {
      const id = eventIdOf(event)
      return id !== undefined && !this.#inStorage.has(id)
    })
  }

  /**
   * The saved events to put in front of the buffer, oldest first, at most `room` of them, none
   * whose `eventId` is in `held`. Runs once per tracker; a failed read is tried at the next flush.
   */
  restore(held: ReadonlyArray<unknown>, room: number): Effect.Effect<ReadonlyArray<unknown>> {
    const storage = this.#storage
    if (this.#restoredOnce || storage === undefined) return Effect.succeed([])
    return this.#guard(
      listSite,
      Effect.suspend(() => storage.list<unknown>(this.config.keyPrefix)).pipe(
        Effect.map((entries) => {
          this.#restoredOnce = true
          const heldIds = new Set(held.map(eventIdOf))
          const events: Array<unknown> = []
          // Keys are `<prefix><UUIDv7>`: listing order is emission order.
          for (const [key, value] of entries) {
            const id = key.slice(this.config.keyPrefix.length)
            if (id === "") {
              this.#markerWritten = true
              continue
            }
            if (id === NOT_BEFORE_ID) {
              // Unreadable (NaN): ignored, and rewritten or deleted by the next flush.
              this.#storedNotBefore = typeof value === "string" && value !== "" ? Number(value) : Number.NaN
              continue
            }
            let event: unknown
            try {
              event = typeof value === "string" ? JSON.parse(value) : undefined
            } catch {
              event = undefined
            }
            if (eventIdOf(event) !== id) {
              // Not something this outbox wrote: leave nothing behind that can never be sent.
              this.#toDelete.add(id)
              continue
            }
            this.#inStorage.add(id)
            if (heldIds.has(id) || events.length >= room) continue
            events.push(event)
          }
          this.#counters.restored += events.length
          return events as ReadonlyArray<unknown>
        })
      ),
      []
    )
  }

  /** An event entered the buffer: in mode "always" it is written before the call ends. */
  accepted(event: SizedEvent): void {
    // Without a storage (none in the layer's context) there is nothing to write to.
    if (this.config.mode === "always" && this.#storage !== undefined) this.#unwritten.push(event)
  }

  /** Whether accepted events wait to be written (mode "always"). */
  get hasUnwritten(): boolean {
    return this.#unwritten.length > 0
  }

  /**
   * Writes the accepted events not written yet (mode "always"; nothing otherwise). Run before
   * each of the job's storage writes and at the start of each flush, so an event is stored no
   * later than the job's next write after it: a state change found in storage has the events
   * emitted before it stored too.
   */
  writeAccepted(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.#unwritten.length === 0 || this.#storage === undefined) return Effect.void
      const events = this.#unwritten
      this.#unwritten = []
      return this.#save(this.#storage, events)
    })
  }

  /** Whether the outbox believes storage holds none of its keys and it is writing none. */
  get storesNothing(): boolean {
    return this.#inStorage.size === 0 && !this.#markerWritten && this.#unwritten.length === 0
  }

  /**
   * Runs `effect` with no write of the outbox issued meanwhile (a wipe checks that the outbox
   * stores nothing and runs `deleteAll` in it: a save made after the check lands after the wipe).
   */
  withWritesHeld<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> {
    return this.#writeLock.withPermits(1)(effect)
  }

  /** A storage operation made outside the outbox's own methods failed. */
  noteStorageError(): void {
    this.#counters.storageErrors++
  }

  /** A wipe deleted every other key and left these of the outbox's in place. */
  noteKeptThroughWipe(keys: ReadonlyArray<string>): void {
    for (const key of keys)
      if (this.#inStorage.has(key.slice(this.config.keyPrefix.length))) this.#counters.keptThroughWipe++
  }

  /** These events were delivered or dropped: their keys go at the end of the flush. */
  settled(events: ReadonlyArray<unknown>): void {
    const delivered = new Set<string>()
    for (const event of events) {
      const id = eventIdOf(event)
      if (id === undefined) continue
      this.#countedNotSaved.delete(id)
      if (this.#inStorage.has(id)) this.#toDelete.add(id)
      else if (this.#unwritten.length > 0) delivered.add(id)
    }
    // Delivered before it was written (a flush overtook the write): it need not be written.
    if (delivered.size > 0)
      this.#unwritten = this.#unwritten.filter((e) => e.eventId === undefined || !delivered.has(e.eventId))
  }

  /**
   * Deletes the keys of the events settled so far. A flush runs it after each delivered batch
   * (so an object killed in the middle of a long flush sends again at most the batch it was
   * sending) and as it ends. Each key is tried once here: one whose delete fails, and every key
   * settled while such failures wait, is left to {@link retryFailedDeletes}.
   */
  deleteSettled(): Effect.Effect<void> {
    const storage = this.#storage
    if (storage === undefined) return Effect.void
    return Effect.suspend(() => {
      const deletions = [...this.#toDelete]
      this.#toDelete.clear()
      // Storage refused deletes lately: these wait for the next retry rather than fail too.
      if (this.#failedDeletes.size > 0) {
        for (const id of deletions) this.#failedDeletes.add(id)
        return Effect.void
      }
      for (const id of deletions) this.#inStorage.delete(id)
      let anyFailed = false
      return Effect.forEach(
        deletions,
        (id) =>
          this.#guard(deleteSite, this.#deleteKey(storage, id), false, () => {
            anyFailed = true
            this.#inStorage.add(id)
            this.#failedDeletes.add(id)
          }),
        { discard: true, concurrency: 16 }
      ).pipe(Effect.tap(() => (anyFailed ? this.#deleteRetry.failed() : undefined)))
    })
  }

  /**
   * Once per flush, when the spacing allows: deletes the keys whose delete failed, one at a
   * time, stopping at the first failure (storage that still refuses costs one failed delete).
   */
  #retryFailedDeletes(storage: OutboxStorageService): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.#failedDeletes.size === 0 || !this.#deleteRetry.due()) return Effect.void
      const ids = [...this.#failedDeletes]
      const retryFrom = (index: number): Effect.Effect<void> => {
        if (index === ids.length) return Effect.sync(() => this.#deleteRetry.succeeded())
        const id = ids[index]!
        return Effect.flatMap(this.#guard(deleteSite, this.#deleteKey(storage, id), false), (deleted) => {
          if (!deleted) return Effect.sync(() => this.#deleteRetry.failed())
          this.#failedDeletes.delete(id)
          this.#inStorage.delete(id)
          return retryFrom(index + 1)
        })
      }
      return retryFrom(0)
    })
  }

  /** Deletes one event's key; true once done (whether the key was there or not). */
  #deleteKey(storage: OutboxStorageService, id: string): Effect.Effect<boolean, unknown> {
    return Effect.suspend(() => storage.delete(this.config.keyPrefix + id)).pipe(
      Effect.map(() => {
        this.#counters.deleted++
        return true
      })
    )
  }

  /**
   * Ends a flush: deletes the keys of settled events and, when the flush gave up, saves the
   * undelivered events not already saved (`held`, oldest first), up to `maxEvents` in storage.
   * Keeps the tracker's "not before" time (`notBefore`) in storage, or deletes it once unset.
   */
  finishFlush(gaveUp: boolean, held: ReadonlyArray<unknown>, notBefore: number | undefined): Effect.Effect<void> {
    const storage = this.#storage
    if (storage === undefined) return Effect.void
    const prefix = this.config.keyPrefix
    return Effect.suspend(() => {
      const remove = Effect.zipRight(this.deleteSettled(), this.#retryFailedDeletes(storage))
      const removeMarker = Effect.suspend(() =>
        this.#markerWritten && this.#inStorage.size === 0 && !gaveUp
          ? this.#guard(
              deleteSite,
              Effect.suspend(() => storage.delete(prefix)).pipe(
                Effect.tap(() => Effect.sync(() => (this.#markerWritten = false)))
              ),
              undefined
            )
          : Effect.void
      )
      const checkMarker = Effect.suspend(() =>
        this.#inStorage.size === 0
          ? Effect.void
          : this.#guard(
              getSite,
              Effect.suspend(() => storage.get<unknown>(prefix)).pipe(
                Effect.tap((marker) =>
                  Effect.sync(() => {
                    if (marker !== undefined) return
                    // Wiped: what this tracker believed saved is gone; save it again.
                    this.#inStorage.clear()
                    this.#markerWritten = false
                    this.#storedNotBefore = undefined
                  })
                )
              ),
              undefined
            )
      )
      const save = Effect.suspend(() => this.#save(storage, held))
      // Changed only when a collector answers with a long Retry-After, and when that is over.
      const keepNotBefore = Effect.suspend(() => {
        const stored = this.#storedNotBefore
        if (stored === notBefore) return Effect.void
        const key = prefix + NOT_BEFORE_ID
        const write = this.withWritesHeld(
          Effect.suspend(() =>
            notBefore === undefined
              ? Effect.asVoid(storage.delete(key))
              : storage.putBatch({ [key]: String(notBefore) })
          )
        )
        return this.#guard(
          writeSite,
          write.pipe(Effect.tap(() => Effect.sync(() => (this.#storedNotBefore = notBefore)))),
          undefined
        )
      })
      const end = gaveUp
        ? Effect.zipRight(remove, Effect.zipRight(checkMarker, save))
        : Effect.zipRight(remove, removeMarker)
      return Effect.zipRight(end, keepNotBefore)
    })
  }

  /**
   * Saves `events` not already saved, oldest first, up to `maxEvents` in storage, in calls of
   * at most 128 keys. They count as saved from the moment the write is issued, so a delivery
   * that overtakes the write still deletes the key (storage applies operations in order).
   */
  #save(storage: OutboxStorageService, events: ReadonlyArray<unknown>): Effect.Effect<void> {
    const prefix = this.config.keyPrefix
    const entries: Array<readonly [string, string]> = []
    for (const event of events) {
      const id = eventIdOf(event)
      if (id !== undefined && this.#inStorage.has(id)) continue
      const value = id === undefined ? undefined : storedForm(event)
      if (id === undefined || value === undefined || this.#inStorage.size >= this.config.maxEvents) {
        this.#countNotSaved(id)
        continue
      }
      entries.push([id, value])
      this.#inStorage.add(id)
    }
    if (entries.length === 0) return this.#warnNotSavedOnce()
    const writes = Effect.forEach(
      chunks(entries, KEYS_PER_CALL),
      (chunk, index) =>
        this.#guard(
          putSite,
          this.withWritesHeld(
            Effect.suspend(() => {
              const batch: Record<string, string> = {}
              // The marker goes with the first chunk (one key of the 128 is kept for it).
              if (index === 0 && !this.#markerWritten) batch[prefix] = "outbox"
              for (const [id, value] of chunk) batch[prefix + id] = value
              return storage.putBatch(batch)
            })
          ).pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                this.#markerWritten = true
                this.#counters.saved += chunk.length
              })
            )
          ),
          undefined,
          // Not saved after all: the events stay in memory (and a later give-up saves them).
          () => {
            for (const [id] of chunk) {
              this.#inStorage.delete(id)
              this.#countNotSaved(id)
            }
          }
        ),
      { discard: true }
    )
    return Effect.zipRight(writes, this.#warnNotSavedOnce())
  }

  /** Counts an event the outbox could not save, once per event (every time when it has no id). */
  #countNotSaved(id: string | undefined): void {
    if (id !== undefined) {
      if (this.#countedNotSaved.has(id)) return
      // Events dropped from memory are never settled: the oldest ids are forgotten past a bound.
      if (this.#countedNotSaved.size >= MAX_COUNTED_NOT_SAVED)
        this.#countedNotSaved.delete(this.#countedNotSaved.values().next().value!)
      this.#countedNotSaved.add(id)
    }
    this.#counters.notSaved++
  }

  /**
   * The first time events could not be saved, says so once, as a warning: from then on a restart
   * can lose them, which no storage error log says per event. Counts only: no event, no key.
   */
  #warnNotSavedOnce(): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.#warnedNotSaved || this.#counters.notSaved === 0) return Effect.void
      this.#warnedNotSaved = true
      return Effect.logWarning(
        "outbox could not save undelivered events to storage; they are held in memory only, and lost if the object restarts before they are delivered (stats().outbox.notSaved counts them; not logged again)"
      ).pipe(Effect.annotateLogs({ notSaved: this.#counters.notSaved, held: this.#inStorage.size }), fromOutbox)
    })
  }

  stats(): OutboxStats {
    return { ...this.#counters, held: this.#inStorage.size }
  }

  /** Runs a storage effect; any failure, defect or throw is counted and replaced by `fallback`. */
  #guard<A>(site: SafeSite, effect: Effect.Effect<A, unknown>, fallback: A, onError?: () => void): Effect.Effect<A> {
    return safeRun(site, effect, Effect.succeed(fallback), () => {
      this.#counters.storageErrors++
      onError?.()
    })
  }
}
