// The workflow package's engine, tracked: the layers `createDurableWorkflows` composes, each
// wrapped with `withTracking(layer, { eventMap: workflowEventMap })` and the tracker under the
// runtime layer, as docs/workflow-events.md says to wire them. The engine's source is not
// edited: when the demo's Worker is bundled (workflowBundle.ts), its imports of these four
// layers resolve to this module's versions, which is what the codemod will write into the
// engine once it knows the workflow package.
import type { DurableObjectState } from "@cloudflare/workers-types"
import { Layer } from "effect"
import {
  EventTracker,
  type EventTrackerService,
  HttpBatchTracker,
  type HttpBatchTrackerConfig,
  NoopTracker,
  withTracking,
  workflowEventMap
} from "durable-effect-tracking"
import * as durableObject from "../../test/fixtures/workflow/src/adapters/durable-object/index.js"
import * as executor from "../../test/fixtures/workflow/src/executor/index.js"
import * as orchestrator from "../../test/fixtures/workflow/src/orchestrator/index.js"
import * as machine from "../../test/fixtures/workflow/src/state/machine.js"

const tracked = withTracking({ eventMap: workflowEventMap })

// One tracker per Durable Object, made before the engine builds its layers (see `trackWith`),
// so that the object can flush it after each call.
const trackers = new WeakMap<DurableObjectState, EventTrackerService>()

/**
 * Gives the Durable Object of `state` an HTTP batch tracker (none: tracking off), and returns
 * `state`: call it on the way into the engine's constructor, which builds its runtime layer.
 */
export const trackWith = (
  state: DurableObjectState,
  config: HttpBatchTrackerConfig | undefined
): DurableObjectState => {
  trackers.set(state, config === undefined ? NoopTracker : HttpBatchTracker.make(config))
  return state
}

/** The tracker of the Durable Object of `state`. */
export const trackerOf = (state: DurableObjectState): EventTrackerService => trackers.get(state) ?? NoopTracker

// What the engine imports, tracked. workflowBundle.ts lists, per module of the package, the
// names replaced here: one row there and one line here per seam. The combinators' seam
// (`Workflow.step`, `sleep`, `sleepUntil`, for the map's four blind spots) is one export here,
// their wrapped versions from the package's own `primitives` module, and its row there.
export const createDurableObjectRuntime = (state: DurableObjectState) =>
  tracked(durableObject.createDurableObjectRuntime(state)).pipe(
    Layer.provideMerge(Layer.succeed(EventTracker, trackerOf(state)))
  )
export const WorkflowExecutorLayer = tracked(executor.WorkflowExecutorLayer)
export const WorkflowStateMachineLayer = tracked(machine.WorkflowStateMachineLayer)
export const WorkflowOrchestratorLayer = <W extends orchestrator.WorkflowRegistry>() =>
  tracked(orchestrator.WorkflowOrchestratorLayer<W>())
