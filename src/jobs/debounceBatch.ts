/**
 * The debounce batch as the jobs maps keep track of it: its size as requests answer it, remembered
 * per instance for the alarm's flush, and what started a flush.
 */

import { memoryOf } from "./instanceMemory.js"
import type { JobContext } from "./JobContext.js"
import type { JobRequestShape, JobResponseShape } from "./shapes.js"

/** The batch's size as the request answered it, once known. */
export const batchSizeOf = (context: JobContext): number | undefined =>
  typeof context["batchSize"] === "number" ? context["batchSize"] : undefined

/** Which request started a debounce flush: a full batch inside `add`, the alarm, or a client. */
export const flushReason = (trigger: unknown) =>
  trigger === "add" ? ("maxEvents" as const) : trigger === "alarm" ? ("flushAfter" as const) : ("manual" as const)

/**
 * Remembered for the alarm's flush: the batch as the request left it. A flush empties it, unless
 * a retry keeps it for the alarm.
 */
export const rememberBatch = (context: JobContext, result: JobResponseShape | undefined) => {
  const memory = memoryOf(context)
  if (result?._type === "debounce.add") {
    memory.batchSize = context["executed"] !== true || result.retryScheduled === true ? result.eventCount : undefined
  } else if (result?._type === "debounce.flush" && result.flushed === true) {
    memory.batchSize = result.retryScheduled === true ? result.eventCount : undefined
  }
}

/** A request that changes the debounce batch: what was remembered of it is no longer known. */
export const forgetChangingBatch = (request: JobRequestShape, caller: JobContext): void => {
  if (request.action === "add" || request.action === "flush" || request.action === "clear")
    memoryOf(caller).batchSize = undefined
}

/** An `add` and a flush answer with the batch's size. */
export const batchSizeAnswered = (result: JobResponseShape | undefined) =>
  (result?._type === "debounce.add" || (result?._type === "debounce.flush" && result.flushed === true)) &&
  result.eventCount !== undefined
    ? { batchSize: result.eventCount }
    : undefined
