/**
 * What `migrate` relies on to keep a package's public tracking API: every tracker config a user
 * wrote against upstream core's `HttpBatchTrackerConfig` (the release's public type, kept as it
 * is) is one this library's tracker takes, so the config passes from the public entries to
 * `addTracker` as it is. This library requires no field upstream's leaves out. Type-checked by
 * `npm run typecheck`, not run by vitest.
 */
import { expectTypeOf } from "vitest"
import type { HttpBatchTrackerConfig, TrackerOption } from "durable-effect-tracking"
import type { HttpBatchTrackerConfig as UpstreamTrackerConfig } from "../fixtures/core-tracked/tracker/http-batch.js"

expectTypeOf<UpstreamTrackerConfig>().toMatchTypeOf<TrackerOption>()
expectTypeOf<UpstreamTrackerConfig>().toMatchTypeOf<HttpBatchTrackerConfig>()
// Field by field: each of upstream's fields, as upstream types it, is accepted here.
expectTypeOf<Required<UpstreamTrackerConfig>["retry"]>().toMatchTypeOf<Required<HttpBatchTrackerConfig>["retry"]>()
expectTypeOf<Required<UpstreamTrackerConfig>["headers"]>().toMatchTypeOf<Required<HttpBatchTrackerConfig>["headers"]>()
// The least upstream requires is enough here.
expectTypeOf<Pick<UpstreamTrackerConfig, "endpoint" | "env" | "serviceKey">>().toMatchTypeOf<HttpBatchTrackerConfig>()
