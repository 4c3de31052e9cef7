import type { EventMap } from "../instrument/EventMap.js"
import { defaultJobsEventMap } from "./defaultJobsEventMap.js"
import { inlineJobsEventMap } from "./inlineJobsEventMap.js"
import { jobsTagKey } from "./shapes.js"

/**
 * The layouts jobs packages come in, each with the map that fits it. A package is told apart by
 * the services it has: only the current layout has a `JobExecutionService`.
 */
export interface JobsLayout {
  readonly name: "execution-service" | "inline"
  readonly description: string
  readonly map: EventMap
  /** The map's export name in this library, for generated code. */
  readonly mapExport: "defaultJobsEventMap" | "inlineJobsEventMap"
}

export const executionServiceLayout: JobsLayout = {
  name: "execution-service",
  description: "JobExecutionService runs every job's function; CleanupService ends instances",
  map: defaultJobsEventMap,
  mapExport: "defaultJobsEventMap"
}

export const inlineLayout: JobsLayout = {
  name: "inline",
  description:
    "handlers run jobs' functions inline (through RetryExecutor only with a retry config) and end instances themselves",
  map: inlineJobsEventMap,
  mapExport: "inlineJobsEventMap"
}

/** The layout of a package with services under these tag keys. */
export const detectJobsLayout = (serviceTagKeys: Iterable<string>): JobsLayout => {
  for (const key of serviceTagKeys) if (key === jobsTagKey("JobExecutionService")) return executionServiceLayout
  return inlineLayout
}
