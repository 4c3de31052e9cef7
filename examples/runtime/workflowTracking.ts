// The workflow package, tracked through its two seams with the one map, `workflowEventMap`, as
// docs/workflow-events.md says to wire them: the layers `createDurableWorkflows` composes, each
// wrapped with `withTracking(layer, { eventMap: workflowEventMap })` and the tracker under the
// runtime layer, and the combinators `Workflow.step`, `sleep` and `sleepUntil`, wrapped with
// `trackExports`. The package's source is not edited: when the demo's Worker is bundled
// (workflowBundle.ts), its imports of these layers and combinators resolve to this module's
// versions, which is what the codemod will write into the package.
import type { DurableObjectState } from "@cloudflare/workers-types"
import { Layer } from "effect"
import {
  EventTracker,
  type EventTrackerService,
  HttpBatchTracker,
  type HttpBatchTrackerConfig,
  NoopTracker,
  trackExports,
  withTracking,
  workflowEventMap
} from "durable-effect-tracking"
import * as durableObject from "../../test/fixtures/workflow/src/adapters/durable-object/index.js"
import * as executor from "../../test/fixtures/workflow/src/executor/index.js"
import * as orchestrator from "../../test/fixtures/workflow/src/orchestrator/index.js"
import * as primitives from "../../test/fixtures/workflow/src/primitives/index.js"
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

// What the package imports, tracked. workflowBundle.ts lists, per module of the package, the
// names replaced here: one row there and one line here per seam.
export const createDurableObjectRuntime = (state: DurableObjectState) =>
  tracked(durableObject.createDurableObjectRuntime(state)).pipe(
    Layer.provideMerge(Layer.succeed(EventTracker, trackerOf(state)))
  )
export const WorkflowExecutorLayer = tracked(executor.WorkflowExecutorLayer)
export const WorkflowStateMachineLayer = tracked(machine.WorkflowStateMachineLayer)
export const WorkflowOrchestratorLayer = <W extends orchestrator.WorkflowRegistry>() =>
  tracked(orchestrator.WorkflowOrchestratorLayer<W>())
// The combinators' seam: the step-level events but step.completed, in the frame of the traced run.
export const { step, sleep, sleepUntil } = trackExports(primitives, {
  eventMap: workflowEventMap,
  namespace: "Workflow"
})
