import type { MapRequirements, RecipeRequirement, RecipeRequirements } from "../instrument/requirements.js"
import type { JobEvents } from "./events/jobEvents.js"
import { jobsTagKey } from "./shapes.js"

/** A request type of `jobType` whose `action` may be one of `actions`. */
export const requestAction = (jobType: string, ...actions: ReadonlyArray<string>): RecipeRequirement => ({
  values: { where: { type: jobType }, property: "action", anyOf: actions }
})

export const learnsFrom = (service: string, method: string): RecipeRequirement => ({
  calls: [{ tagKey: jobsTagKey(service), method }]
})

/** The user's function is called as `def.execute(...)` in the handlers. */
export const userFunctionCall = "def.execute"

const sameFor = (types: ReadonlyArray<keyof RecipeRequirements>, requirement: RecipeRequirement): RecipeRequirements =>
  Object.fromEntries(types.map((type) => [type, requirement]))

/**
 * What the recipes of `defaultJobsEventMap` rely on in a jobs package, besides the methods they
 * sit on: the signal classes they tell apart, the request actions they read, the calls they learn
 * from. `durable-effect-tracking coverage <dir>` checks each against the package. Kept apart from
 * the map, which a Worker bundles: only coverage reads them. Coverage finds them for the map's
 * own recipes wherever they are (in a map made from it by `extendEventMap`, `filterEventMap` or
 * `removeFromEventMap` too); `withRequirements(map, defaultJobsEventMapRequirements)` writes them
 * into a map's entries.
 *
 * @category Instrumentation
 */
export const defaultJobsEventMapRequirements: MapRequirements<JobEvents> = {
  [jobsTagKey("JobExecutionService")]: {
    execute: {
      ...sameFor(
        [
          "execution.started",
          "execution.succeeded",
          "execution.failed",
          "job.completed",
          "job.failed",
          "task.event.processed",
          "debounce.flush.triggered"
        ],
        { bypass: userFunctionCall }
      ),
      // A send's onEvent run: the request that started it is a task `send`.
      "task.event.received": requestAction("task", "send"),
      // A run that ends its instance: only CleanupService.terminate shows it.
      "job.terminated": learnsFrom("CleanupService", "terminate")
    }
  },
  [jobsTagKey("RetryExecutor")]: {
    executeWithRetry: {
      "retry.scheduled": { classes: ["RetryScheduledSignal"] },
      "retry.exhausted": { classes: ["RetryExhaustedSignal"] },
      "retry.attempted": learnsFrom("RetryExecutor", "getAttempt")
    }
  },
  [jobsTagKey("ContinuousHandler")]: { handle: { "job.terminated": requestAction("continuous", "terminate") } },
  [jobsTagKey("TaskHandler")]: {
    handle: {
      "job.terminated": requestAction("task", "terminate"),
      // Only CleanupService.terminate tells a task that ended itself from one that is idle.
      "task.idle": learnsFrom("CleanupService", "terminate")
    },
    handleAlarm: { "task.idle": learnsFrom("CleanupService", "terminate") }
  },
  [jobsTagKey("DebounceHandler")]: {
    handle: {
      "debounce.event.added": requestAction("debounce", "add"),
      "debounce.cleared": requestAction("debounce", "clear")
    }
  },
  // An alarm learns whose it is from the metadata it reads.
  [jobsTagKey("Dispatcher")]: { handleAlarm: { "alarm.fired": learnsFrom("MetadataService", "get") } }
}
