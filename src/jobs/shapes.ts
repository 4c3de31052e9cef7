/**
 * The parts of the jobs package's services that the default event map reads, declared by
 * shape: this library never imports the jobs package, and any copy of it with these tag keys
 * and methods is tracked.
 */

import type { Duration, Effect } from "effect"
import type { JobType } from "./events/JobEvent.js"

export const jobsTagKey = (name: string): string => `@durable-effect/jobs/${name}`
export const RuntimeAdapterKey = "@durable-effect/RuntimeAdapter"
export const StorageAdapterKey = "@durable-effect/StorageAdapter"

/** The instance's storage: what a read of the package's own keys needs. */
export interface StorageAdapterShape {
  get(key: string): Effect.Effect<unknown, unknown>
}

/** Where a continuous job keeps its run count (the package's `KEYS.CONTINUOUS.RUN_COUNT`). */
export const continuousRunCountKey = "cont:runCount"

export interface RuntimeAdapterShape {
  readonly instanceId: string
  now(): Effect.Effect<number>
}

export interface JobMetadataShape {
  readonly type: JobType
  readonly name: string
  readonly status: string
}

export interface MetadataServiceShape {
  initialize(type: JobType, name: string): Effect.Effect<void, unknown>
  get(): Effect.Effect<JobMetadataShape | undefined, unknown>
  updateStatus(status: string): Effect.Effect<void, unknown>
}

export interface AlarmServiceShape {
  schedule(when: Duration.DurationInput | number | Date): Effect.Effect<void, unknown>
  cancel(): Effect.Effect<void, unknown>
  getScheduled(): Effect.Effect<number | undefined, unknown>
}

export interface CleanupServiceShape {
  terminate(): Effect.Effect<void, unknown>
}

export interface ExecuteOptionsShape {
  readonly jobType: JobType
  readonly jobName: string
  readonly runCount?: number
}

export interface ExecutionResultShape {
  readonly success: boolean
  readonly retryScheduled: boolean
  readonly terminated: boolean
  readonly rescheduled: boolean
  readonly retryExhausted: boolean
  readonly terminateReason?: string
}

export interface JobExecutionServiceShape {
  execute(options: ExecuteOptionsShape): Effect.Effect<ExecutionResultShape, unknown>
}

/** The retry signals travel in the error channel; they are told apart by `_tag`. */
export interface RetryScheduledShape {
  readonly _tag: "RetryScheduledSignal"
  readonly attempt: number
  readonly resumeAt: number
}
export interface RetryExhaustedShape {
  readonly _tag: "RetryExhaustedSignal"
  readonly attempts: number
  readonly totalDurationMs: number
  readonly lastError: unknown
  readonly reason: string
}
/** The older layout's exhausted retries: a tagged error, after the config's `onRetryExhausted` ran. */
export interface RetryExhaustedErrorShape {
  readonly _tag: "RetryExhaustedError"
  readonly attempts: number
  readonly totalDurationMs: number
  readonly lastError: unknown
  readonly reason?: string
}
export interface TerminateShape {
  readonly _tag: "TerminateSignal"
  readonly reason?: string
}

export interface RetryExecutorShape {
  executeWithRetry(
    effect: Effect.Effect<unknown, unknown>,
    config: unknown,
    context: { readonly jobType: JobType; readonly jobName: string }
  ): Effect.Effect<
    unknown,
    RetryScheduledShape | RetryExhaustedShape | RetryExhaustedErrorShape | TerminateShape | { readonly _tag?: string }
  >
  getAttempt(): Effect.Effect<number, unknown>
}

export interface JobRequestShape {
  readonly type: JobType
  readonly action: string
  readonly name: string
  readonly reason?: string
}

/** Responses are tagged by `_type`; the fields read here exist on the responses named. */
export interface JobResponseShape {
  readonly _type: string
  readonly terminated?: boolean
  /** The older layout's continuous `stop`. */
  readonly stopped?: boolean
  readonly flushed?: boolean
  readonly retryScheduled?: boolean
  readonly reason?: string
  readonly eventCount?: number
  readonly cleared?: boolean
  readonly discardedEvents?: number
  readonly scheduledAt?: number | null
  /** The older layout's continuous `start` answer: `"terminated"` when its first run ended the instance. */
  readonly status?: string
}

export interface JobHandlerShape {
  handle(request: JobRequestShape): Effect.Effect<JobResponseShape | undefined, unknown>
  handleAlarm(): Effect.Effect<void, unknown>
}

export interface DispatcherShape {
  handle(request: JobRequestShape): Effect.Effect<unknown, unknown>
  handleAlarm(): Effect.Effect<void, unknown>
}
