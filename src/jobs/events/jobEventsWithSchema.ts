import { JobEvent } from "./JobEvent.js"
import { jobEvents, type JobEvents } from "./jobEvents.js"

/**
 * The job event vocabulary with its Schema, for what decodes job events (a collector, tests): the
 * same vocabulary as `jobEvents` (maps of either combine), kept in a module of its own so that
 * what traces calls does not import `effect/Schema`.
 *
 * @category The job event schema
 */
export const jobEventsWithSchema: JobEvents = { ...jobEvents, schema: JobEvent }
