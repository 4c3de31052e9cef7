/**
 * `HttpBatchTracker.make / layer / layerPerBuild`: the HTTP batch tracker's constructors under
 * one name, as the other trackers have theirs (`QueueTracker.make`, `OtelLogsTracker.layer`).
 * The tracker itself is built in `HttpBatchTracker.ts`; this module only names its entry points
 * (and keeps the old names as deprecated aliases until 1.0).
 */
import {
  createHttpBatchTracker as make,
  type HttpBatchTracker as HttpBatchTrackerService,
  HttpBatchTrackerLayer as layerPerBuild,
  sharedHttpBatchTrackerLayer as layer
} from "./HttpBatchTracker.js"
import type { JobEvent } from "../../event/JobEvent.js"

/**
 * An `EventTrackerService` that POSTs batches over HTTP, with delivery counters.
 *
 * @category Trackers
 */
export type HttpBatchTracker<E = JobEvent> = HttpBatchTrackerService<E>

/**
 * The production tracker: batched, bounded, retried delivery over HTTP, with an optional durable
 * `outbox` in the Durable Object's storage. `emit` only buffers (never fails); `flush` delivers.
 *
 * - `make(config)`: one tracker (its buffer lives in the returned object).
 * - `layer(config)`: a layer sharing one tracker across all its builds, as a jobs runtime that
 *   rebuilds its layers per call needs; with `outbox`, provide the jobs core layer to it.
 * - `layerPerBuild(config)`: a fresh tracker per build; events not flushed before the build's
 *   scope ends are lost.
 *
 * Each throws `InvalidTrackerConfigError` for a configuration that cannot work.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { emitEvent, flushEvents, HttpBatchTracker, makeJobEvent } from "durable-effect-tracking"
 *
 * const tracker = HttpBatchTracker.layer({ endpoint: "https://collector.example.com/events", env: "production", serviceKey: "orders" })
 * const program = Effect.gen(function* () {
 *   yield* emitEvent(makeJobEvent({ type: "job.created", instanceId: "i-1", jobType: "task", jobName: "orders" }))
 *   yield* flushEvents
 * })
 * export const run = () => Effect.runPromise(program.pipe(Effect.provide(tracker)))
 * ```
 *
 * @category Trackers
 */
export const HttpBatchTracker = { make, layer, layerPerBuild } as const

/**
 * One HTTP batch tracker.
 *
 * @deprecated Use `HttpBatchTracker.make(config)`; this name is kept until 1.0.
 * @category Trackers
 */
export const createHttpBatchTracker = make

/**
 * A layer sharing one HTTP batch tracker across its builds.
 *
 * @deprecated Use `HttpBatchTracker.layer(config)`; this name is kept until 1.0.
 * @category Trackers
 */
export const sharedHttpBatchTrackerLayer = layer

/**
 * A layer with a fresh HTTP batch tracker per build.
 *
 * @deprecated Use `HttpBatchTracker.layerPerBuild(config)`; this name is kept until 1.0.
 * @category Trackers
 */
export const HttpBatchTrackerLayer = layerPerBuild
