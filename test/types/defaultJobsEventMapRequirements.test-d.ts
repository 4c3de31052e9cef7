/**
 * The default map's requirements, kept apart from it: a jobs `MapRequirements` that
 * `withRequirements` writes into the default map (or a map made from it), which stays a jobs map.
 * Type-checked by `npm run typecheck`, not run by vitest.
 */
import { expectTypeOf } from "vitest"
import {
  defaultJobsEventMap,
  defaultJobsEventMapRequirements,
  filterEventMap,
  withRequirements,
  type EventMap,
  type JobEvents,
  type MapRequirements
} from "durable-effect-tracking"

expectTypeOf(defaultJobsEventMapRequirements).toEqualTypeOf<MapRequirements<JobEvents>>()
expectTypeOf(withRequirements(defaultJobsEventMap, defaultJobsEventMapRequirements)).toEqualTypeOf<
  EventMap<JobEvents>
>()
expectTypeOf(
  withRequirements(
    filterEventMap(defaultJobsEventMap, (type) => type !== "task.idle"),
    defaultJobsEventMapRequirements
  )
).toEqualTypeOf<EventMap<JobEvents>>()
// Requirements of another vocabulary's types are refused.
withRequirements(defaultJobsEventMap, {
  // @ts-expect-error not a job event type
  x: { y: { "workflow.started": {} } }
})
