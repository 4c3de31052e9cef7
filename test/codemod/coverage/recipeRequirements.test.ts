import { describe, expect, it } from "vitest"
import { recipeRequirement } from "../../../src/codemod/coverage/recipeRequirements.js"
import {
  extendEventMap,
  filterEventMap,
  omitEventFields,
  removeFromEventMap,
  serviceEventsByKey,
  withRequirements,
  type EventMap,
  type MethodEvents
} from "../../../src/instrument/EventMap.js"
import { defaultJobsEventMap } from "../../../src/jobs/defaultJobsEventMap.js"
import { jobEvents } from "../../../src/jobs/events/jobEvents.js"
import { defaultJobsEventMapRequirements } from "../../../src/jobs/requirements.js"
import { jobsTagKey } from "../../../src/jobs/shapes.js"

const execution = jobsTagKey("JobExecutionService")
const retry = jobsTagKey("RetryExecutor")

const entryOf = (map: EventMap, tagKey: string, method: string): MethodEvents => map.services[tagKey]!.methods[method]!

/** Every (tag key, method, type) a map has a recipe for, with what coverage reads it relies on. */
const requirementsOf = (map: EventMap) =>
  Object.fromEntries(
    Object.entries(map.services).flatMap(([tagKey, entry]) =>
      Object.entries(entry.methods).flatMap(([method, events]) =>
        [events.before, events.success, events.failure]
          .flatMap((phase) => Object.keys(phase ?? {}))
          .map((type) => [`${tagKey} ${method} ${type}`, recipeRequirement(tagKey, method, events, type)] as const)
      )
    )
  )

describe("what coverage reads a recipe relies on", () => {
  it("keeps the default map's requirements apart: the map carries none, coverage finds each for its recipes", () => {
    for (const entry of Object.values(defaultJobsEventMap.services))
      for (const events of Object.values(entry.methods)) expect(events.requires).toBeUndefined()
    // What coverage reads of the default map is what the requirements written into it say.
    const written = withRequirements(defaultJobsEventMap, defaultJobsEventMapRequirements)
    const expected = Object.fromEntries(
      Object.entries(requirementsOf(written)).map(([place]) => {
        const [tagKey, method, type] = place.split(" ") as [string, string, string]
        return [place, entryOf(written, tagKey, method).requires?.[type as never]]
      })
    )
    expect(requirementsOf(defaultJobsEventMap)).toEqual(expected)
    expect(recipeRequirement(retry, "executeWithRetry", entryOf(defaultJobsEventMap, retry, "executeWithRetry"), "retry.scheduled")).toEqual({
      classes: ["RetryScheduledSignal"]
    })
  })

  it("finds them in maps made from the default map, for its own recipes only", () => {
    const narrowed = filterEventMap(
      removeFromEventMap(defaultJobsEventMap, jobsTagKey("AlarmService")),
      (type) => type !== "job.failed"
    )
    const own = extendEventMap(
      narrowed,
      serviceEventsByKey()(jobEvents, execution, "JobExecutionService", {
        execute: { success: { "execution.started": () => ({}) } }
      })
    )
    // Recipes kept from the default map: its requirements.
    expect(recipeRequirement(retry, "executeWithRetry", entryOf(own, retry, "executeWithRetry"), "retry.exhausted")).toEqual({
      classes: ["RetryExhaustedSignal"]
    })
    // A recipe of one's own at the same method relies on what its entry says: here nothing.
    expect(recipeRequirement(execution, "execute", entryOf(own, execution, "execute"), "execution.started")).toBeUndefined()
    // Its entry's own `requires` wins over the default map's.
    const declared = withRequirements(defaultJobsEventMap, {
      [retry]: { executeWithRetry: { "retry.exhausted": { classes: ["MyExhausted"] } } }
    })
    expect(recipeRequirement(retry, "executeWithRetry", entryOf(declared, retry, "executeWithRetry"), "retry.exhausted")).toEqual({
      classes: ["MyExhausted"]
    })
  })

  it("does not find them for wrapped recipes, which withRequirements gives them", () => {
    const omitted = omitEventFields(defaultJobsEventMap, ["durationMs"])
    const entry = entryOf(omitted, retry, "executeWithRetry")
    expect(recipeRequirement(retry, "executeWithRetry", entry, "retry.scheduled")).toBeUndefined()
    const written = withRequirements(omitted, defaultJobsEventMapRequirements)
    expect(requirementsOf(written)).toEqual(requirementsOf(defaultJobsEventMap))
  })
})
