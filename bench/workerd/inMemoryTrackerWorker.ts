// The demo's jobs Worker (examples/runtime/worker.ts) whose Durable Object tracks into an
// in-memory tracker: in workerd, the tracked path's own cost (the proxies, the events, an `emit`
// that keeps each event) with no delivery at all, what the per-event benchmark measures in Node.
// Bundled over a codemodded copy of the fixture (see bench/workerdWorkload.ts).
import { InMemoryTracker } from "durable-effect-tracking"
import { createDurableJobs } from "../../test/fixtures/jobs/src/index.js"
import { definitions } from "../../examples/runtime/worker.js"

export { default } from "../../examples/runtime/worker.js"

// The codemodded factory takes `{ tracker }` (the fixture's own type does not say so).
type WithTracker = (
  defs: typeof definitions,
  options: { readonly tracker: () => unknown }
) => ReturnType<typeof createDurableJobs>

// A tracker per object, as the factory asks for one per object; it keeps its object's events
// (about ten in the bench's workload, whose every workload uses new objects).
const tracked = (createDurableJobs as unknown as WithTracker)(definitions, {
  tracker: () => InMemoryTracker.make().tracker
})

export const Jobs = tracked.Jobs
