/**
 * Several event maps for one withTracking: a list as `migrate --events both` writes it in the
 * package's `src/tracking.ts` (`[a, b] as const`) is accepted, of one vocabulary or of two, and
 * the layer keeps its exact type; an empty list is not. Type-checked by `npm run typecheck`,
 * not run by vitest.
 */
import { expectTypeOf } from "vitest"
import {
  defaultJobsEventMap,
  inlineJobsEventMap,
  upstreamJobEvents,
  withTracking,
  type EventMap,
  type EventMaps
} from "durable-effect-tracking"
import { RuntimeServicesLayer } from "../fixtures/jobs/src/services/index.js"

declare const upstreamMap: EventMap<typeof upstreamJobEvents>
const trackingEventMap = [upstreamMap, defaultJobsEventMap] as const
expectTypeOf(trackingEventMap).toMatchTypeOf<EventMaps>()
expectTypeOf(withTracking(RuntimeServicesLayer, { eventMap: trackingEventMap })).toEqualTypeOf<
  typeof RuntimeServicesLayer
>()
expectTypeOf(
  RuntimeServicesLayer.pipe(withTracking({ eventMap: [inlineJobsEventMap, defaultJobsEventMap] }))
).toEqualTypeOf<typeof RuntimeServicesLayer>()
// @ts-expect-error a list of maps is never empty
withTracking(RuntimeServicesLayer, { eventMap: [] })
