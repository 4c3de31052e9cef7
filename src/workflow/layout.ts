/**
 * Where the workflow package exports its combinators, and which ones the second seam traces:
 * what the codemod needs to know of a workflow package's layout. The package's `src/index.ts`
 * exports the module as the `Workflow` namespace (`export * as Workflow from "./primitives"`)
 * and its names again at the top level, so wrapping them in the module covers both.
 */
export const workflowLayout = {
  /** The module that exports the combinators, relative to the package directory (`/`-separated). */
  exportsModule: "src/primitives/index.ts",
  /** The namespace the package exports them as, and their entries' namespace in the map. */
  namespace: "Workflow",
  /** The combinators the map has function entries for (`workflowCombinatorEvents`). */
  combinators: ["step", "sleep", "sleepUntil"],
  /**
   * The library's export the package's tracking module starts from: the one map of both seams,
   * the combinators' and the layers' (the layers must be given the same map).
   */
  mapExport: "workflowEventMap"
} as const
