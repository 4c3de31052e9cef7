/**
 * The step-level event the workflow package's service boundaries show best: `step.completed`,
 * from the put of the step's result, which carries every field. The other step-level events
 * happen inside the combinators and come from their seam (workflowCombinatorEvents.ts).
 */

import { serviceEventsByKey, type EventMap } from "../instrument/EventMap.js"
import { workflowEvents, type WorkflowEvents } from "./events/workflowEvents.js"
import { inRun, stepNameIn } from "./runMemory.js"
import { workflowTagKey, type WorkflowStorageShape } from "./shapes.js"

/** What a step stores with its result: when, on which attempt, and how long since its first start. */
interface StepResultMeta {
  readonly completedAt: number
  readonly attempt: number
  readonly durationMs: number
}

const metaOf = (value: unknown): StepResultMeta | undefined => {
  const meta = typeof value === "object" && value !== null ? (value as { meta?: unknown }).meta : undefined
  if (typeof meta !== "object" || meta === null) return undefined
  const { attempt, durationMs } = meta as Partial<StepResultMeta>
  return typeof attempt === "number" && typeof durationMs === "number" ? (meta as StepResultMeta) : undefined
}

/** The storage entry of `step.completed`: a run's put of `step:<name>:result`. */
export const stepBoundaryEvents: EventMap<WorkflowEvents> = serviceEventsByKey<WorkflowStorageShape>()(
  workflowEvents,
  workflowTagKey("StorageAdapter"),
  "StorageAdapter",
  {
    put: {
      success: {
        "step.completed": ({ args: [key, value], context }) => {
          const stepName = stepNameIn(key, "result")
          const meta = metaOf(value)
          return !inRun(context) || stepName === undefined || meta === undefined
            ? undefined
            : { stepName, attempt: meta.attempt, durationMs: meta.durationMs, cached: false }
        }
      }
    }
  }
)
