import type { EventMap } from "../instrument/EventMap.js"
import { workflowTagKey } from "./shapes.js"
import { workflowEventMap } from "./workflowEventMap.js"

/**
 * The durable-effect workflow package as the codemod's `migrate` and `coverage` meet it: how it
 * is told apart, the map that fits it, and the layers its engine composes that the map wraps.
 * It stands beside the jobs layouts (`src/jobs/layouts.ts`).
 */
export interface WorkflowLayout {
  readonly name: "workflow"
  readonly description: string
  readonly map: EventMap
  /** The map's export name in this library, for generated code. */
  readonly mapExport: "workflowEventMap"
  /** The engine's composition, relative to the package, `/`-separated. */
  readonly engineFile: string
  /** The service layers the engine composes that the map has entries for, by export name. */
  readonly serviceLayers: ReadonlyArray<string>
  /** The function the engine builds the runtime layer (storage, scheduler, runtime adapters) with. */
  readonly runtimeLayerFactory: string
  /**
   * Exported functions of the package a wrapper seam would wrap, for the events no service
   * boundary carries (the map's blind spots). None yet: the step, sleep and timeout events of
   * `Workflow.step`/`Workflow.sleep`/`Workflow.sleepUntil` wait for that seam.
   */
  readonly exportsToWrap: ReadonlyArray<string>
}

export const workflowLayout: WorkflowLayout = {
  name: "workflow",
  description:
    "WorkflowOrchestrator drives runs through WorkflowExecutor and WorkflowStateMachine over core's adapters; steps and sleeps are the Workflow combinators",
  map: workflowEventMap,
  mapExport: "workflowEventMap",
  engineFile: "src/engine/engine.ts",
  serviceLayers: ["WorkflowOrchestratorLayer", "WorkflowExecutorLayer", "WorkflowStateMachineLayer"],
  runtimeLayerFactory: "createDurableObjectRuntime",
  exportsToWrap: []
}

/** The workflow layout, for a package with services under these tag keys (its orchestrator and executor); else `undefined`. */
export const detectWorkflowLayout = (serviceTagKeys: Iterable<string>): WorkflowLayout | undefined => {
  const keys = new Set(serviceTagKeys)
  return keys.has(workflowTagKey("WorkflowOrchestrator")) && keys.has(workflowTagKey("WorkflowExecutor"))
    ? workflowLayout
    : undefined
}
