import type { EventMap } from "../instrument/EventMap.js"
import { workflowTagKey } from "./shapes.js"
import { workflowEventMap } from "./workflowEventMap.js"

/**
 * The durable-effect workflow package as the codemod (`codemod`, `migrate`, `coverage`) meets
 * it: how it is told apart, the map that fits it, the layers its engine composes that the map
 * wraps, and the combinators it exports that the second seam (`trackExports`) wraps. It stands
 * beside the jobs layouts (`src/jobs/layouts.ts`).
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
   * The module that exports the combinators, relative to the package, `/`-separated. The
   * package's `src/index.ts` exports it as the `Workflow` namespace (`export * as Workflow from
   * "./primitives"`) and its names again at the top level, so wrapping them there covers both.
   */
  readonly exportsModule: string
  /** The namespace the package exports them as, and their entries' namespace in a map. */
  readonly namespace: string
  /**
   * The exported functions the wrapper seam wraps, for the events no service boundary carries
   * (steps' starts and failures, retries, sleeps, timeouts): the map's function entries.
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
  exportsModule: "src/primitives/index.ts",
  namespace: "Workflow",
  exportsToWrap: ["step", "sleep", "sleepUntil"]
}

/** The workflow layout, for a package with services under these tag keys (its orchestrator and executor); else `undefined`. */
export const detectWorkflowLayout = (serviceTagKeys: Iterable<string>): WorkflowLayout | undefined => {
  const keys = new Set(serviceTagKeys)
  return keys.has(workflowTagKey("WorkflowOrchestrator")) && keys.has(workflowTagKey("WorkflowExecutor"))
    ? workflowLayout
    : undefined
}
