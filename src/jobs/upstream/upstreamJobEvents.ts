/**
 * Upstream core's own job event format as a vocabulary: the 8 types the jobs release emits by
 * hand, each event about one job (`instanceId`, `jobType`, `jobName`, and the user's `id` when
 * known), with `source: "job"`. What a map that reproduces the hand-placed events carries, and
 * trackers of those events are told.
 *
 * No `effect/Schema` here: this module is on the path of every traced call, and a Worker bundle
 * must not carry the Schema module for it. `upstreamJobEventsWithSchema` (its own module) adds
 * the schema where events are decoded.
 */

import { defineVocabulary } from "../../event/Vocabulary.js"
import { largestUpstreamJobEvent } from "./largestUpstreamJobEvent.js"
import type { UpstreamJobEvent } from "./UpstreamJobEvent.js"
import { UpstreamJobEventTypes } from "./UpstreamJobEventTypes.js"

/**
 * Upstream core's job event format as a vocabulary: {@link UpstreamJobEventTypes}, each event
 * about one job (`instanceId`, `jobType`, `jobName`; `id` when known), with `source: "job"`, as
 * span attributes `job.instanceId`, `job.type`, `job.name`, `job.id`. Its events decode with
 * upstream core's `InternalTrackingEventSchema`. It refuses the 20-type job events of the types
 * the two formats share (`job.started`, `job.failed`, `job.terminated`), and the 20-type jobs
 * vocabulary refuses these: a tracker told both, in either order, assigns each event its own.
 *
 * @category Upstream job events
 */
export const upstreamJobEvents = defineVocabulary<
  UpstreamJobEvent,
  "instanceId" | "jobType" | "jobName",
  "eventId" | "timestamp" | "source"
>({
  name: "jobs-upstream",
  types: UpstreamJobEventTypes,
  context: ["instanceId", "jobType", "jobName"],
  optionalContext: ["id"],
  constants: { source: "job" },
  // The 20-type format has `job.terminated` too, with an optional `source` (who terminated) that
  // may also be `"job"`: upstream's always has a `runCount`, which tells the two apart.
  check: (event) => event.type !== "job.terminated" || typeof event.runCount === "number",
  largestEvent: largestUpstreamJobEvent,
  // The span attributes of the jobs vocabulary: a job is the same job whichever format its
  // events take.
  attributePrefix: "job",
  attributeNames: { jobType: "job.type", jobName: "job.name" }
})

/**
 * The upstream job event vocabulary's type.
 *
 * @category Upstream job events
 */
export type UpstreamJobEvents = typeof upstreamJobEvents
