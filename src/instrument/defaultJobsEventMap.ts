import type { EventMap } from "./EventMap.js"

// Filled in once the fixture's call graph is known.
export const defaultJobsEventMap: EventMap = { services: {} }
