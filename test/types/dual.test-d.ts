/**
 * withTracking and addTracker are dual, as Effect's layer combinators are: data-first and piped
 * forms give the same types. Type-checked by `npm run typecheck`, not run by vitest.
 */
import { Layer } from "effect"
import { expectTypeOf } from "vitest"
import type { RuntimeLayer } from "@durable-effect/core"
import {
  addTracker,
  InMemoryTracker,
  NoopTracker,
  withTracking,
  type EventMap,
  type TrackerOption
} from "durable-effect-tracking"
import { RuntimeServicesLayer } from "../fixtures/jobs/src/services/index.js"

declare const core: RuntimeLayer
declare const eventMap: EventMap
declare const option: TrackerOption
const { tracker } = InMemoryTracker.make()
const config = { endpoint: "https://collector.example.com", env: "production", serviceKey: "jobs" }

// Piped withTracking keeps the layer's exact type; the event map is required in both forms.
expectTypeOf(RuntimeServicesLayer.pipe(withTracking({ eventMap }))).toEqualTypeOf<typeof RuntimeServicesLayer>()
// @ts-expect-error an event map is required
withTracking({ spans: true })
// @ts-expect-error an event map is required
withTracking(RuntimeServicesLayer, {})
// @ts-expect-error options are required
withTracking(RuntimeServicesLayer)
expectTypeOf(RuntimeServicesLayer.pipe(withTracking({ eventMap, spans: true }))).toEqualTypeOf<
  typeof RuntimeServicesLayer
>()
expectTypeOf(withTracking({ eventMap })).toBeFunction()

// The composition the issue asks for: piped wrapping over a core with a tracker.
const composed = RuntimeServicesLayer.pipe(
  withTracking({ eventMap }),
  Layer.provideMerge(core.pipe(addTracker(tracker)))
)
expectTypeOf(composed).toEqualTypeOf(
  withTracking(RuntimeServicesLayer, { eventMap }).pipe(Layer.provideMerge(addTracker(core, tracker)))
)

// Piped addTracker keeps the core's type, for a tracker object or a config, or nothing.
expectTypeOf(core.pipe(addTracker(tracker))).toEqualTypeOf<RuntimeLayer>()
expectTypeOf(core.pipe(addTracker(config))).toEqualTypeOf<RuntimeLayer>()
expectTypeOf(core.pipe(addTracker())).toEqualTypeOf<RuntimeLayer>()
// Data-first takes any option, a layer among them, and none.
expectTypeOf(addTracker(core, option)).toEqualTypeOf<RuntimeLayer>()
expectTypeOf(addTracker(core, NoopTracker.layer)).toEqualTypeOf<RuntimeLayer>()
expectTypeOf(addTracker(core)).toEqualTypeOf<RuntimeLayer>()
// @ts-expect-error: a tracker layer cannot be piped (a lone layer is the core); pass it data-first
core.pipe(addTracker(NoopTracker.layer))
