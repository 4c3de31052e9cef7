/**
 * The `outbox` option's value. It carries the outbox's code (Outbox.ts, TransactionalOutbox.ts)
 * with it, so that a tracker imports none of it and a Worker that asks for no outbox bundles
 * none of it (issue 25).
 */

import { Context, Effect } from "effect"
import * as Option from "effect/Option"
import {
  type HttpBatchTrackerOutboxConfig,
  OutboxStorage,
  outboxConfigIssues,
  resolveOutboxConfig,
  TrackerOutbox
} from "./Outbox.js"
import { outboxKeepingStorage } from "./TransactionalOutbox.js"

/**
 * A durable outbox, as the HTTP batch tracker's `outbox` option takes it: made by
 * {@link durableOutbox}. Each tracker given it keeps an outbox of its own.
 *
 * @category Trackers
 */
export interface DurableOutbox {
  readonly _tag: "DurableOutbox"
}

/**
 * The `outbox` field a tracker configuration may carry.
 *
 * @category Trackers
 */
export interface HttpBatchTrackerOutboxOption {
  /** Keep undelivered events in the Durable Object's storage (off when absent): `durableOutbox(config)`. */
  readonly outbox?: DurableOutbox
}

/** What a {@link DurableOutbox} is to the tracker given it. */
export interface DurableOutboxParts extends DurableOutbox {
  /** Problems with its configuration, by field name: the tracker reports them with its own. */
  readonly issues: ReadonlyArray<string>
  /** A new outbox, for one tracker; call only when `issues` is empty. */
  readonly makeOutbox: () => TrackerOutbox
  /**
   * Hands `outbox` the jobs core's storage found in the context, and gives what to provide over
   * it: that storage as the outbox needs the jobs to use it (TransactionalOutbox.ts); nothing
   * when the context has none.
   */
  readonly storageFor: (outbox: TrackerOutbox) => Effect.Effect<Context.Context<never>>
}

const storageFor = (outbox: TrackerOutbox): Effect.Effect<Context.Context<never>> =>
  Effect.map(Effect.serviceOption(OutboxStorage), (storage) => {
    outbox.useStorage(storage)
    return (
      Option.isNone(storage)
        ? Context.empty()
        : Context.make(OutboxStorage, outboxKeepingStorage(storage.value, outbox))
    ) as Context.Context<never>
  })

/**
 * A durable outbox for the HTTP batch tracker's `outbox` option: events a flush could not
 * deliver (or, in mode `"always"`, every event) are kept in the Durable Object's storage and
 * sent by a later flush, of this tracker or of the next one over the same storage.
 * `HttpBatchTracker.make`/`layer` (or `addTracker`) check its configuration with theirs and
 * report every issue in one `InvalidTrackerConfigError`.
 *
 * @example
 * ```ts
 * import { durableOutbox, HttpBatchTracker } from "durable-effect-tracking"
 *
 * export const tracker = HttpBatchTracker.layer({
 *   endpoint: "https://collector.example.com/events",
 *   env: "production",
 *   serviceKey: "orders",
 *   outbox: durableOutbox({ mode: "always" })
 * })
 * ```
 *
 * @category Trackers
 */
export const durableOutbox = (config: HttpBatchTrackerOutboxConfig = {}): DurableOutbox => {
  const issues = outboxConfigIssues(config)
  const parts: DurableOutboxParts = {
    _tag: "DurableOutbox",
    issues,
    makeOutbox: () => new TrackerOutbox(resolveOutboxConfig(config)),
    storageFor
  }
  return parts
}
