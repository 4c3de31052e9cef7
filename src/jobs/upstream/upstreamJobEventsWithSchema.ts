/**
 * The upstream job event vocabulary with its Schema, for what decodes upstream job events (a
 * collector, tests), and a batch decoder. The same vocabulary as `upstreamJobEvents` (maps of
 * either combine), in a module of its own so that what traces calls does not import
 * `effect/Schema`.
 */

import { decodeEventBatch, type VocabularyWithSchema } from "../../event/decodeEventBatch.js"
import { UpstreamJobEvent } from "./UpstreamJobEvent.js"
import { upstreamJobEvents, type UpstreamJobEvents } from "./upstreamJobEvents.js"

/**
 * The upstream job event vocabulary with its Schema (`UpstreamJobEvent`).
 *
 * @category Upstream job events
 */
export const upstreamJobEventsWithSchema: UpstreamJobEvents & VocabularyWithSchema<UpstreamJobEvent> = {
  ...upstreamJobEvents,
  schema: UpstreamJobEvent
}

/**
 * Decodes a parsed request body as a batch of upstream job events as trackers send them
 * (`{ "events": [...] }`, each with `env` and `serviceKey`); the error lists each problem once,
 * by its path.
 *
 * @category Upstream job events
 */
export const decodeUpstreamJobEventBatch = decodeEventBatch(upstreamJobEventsWithSchema)
