import type { Plugin } from "esbuild"
import { dirname, resolve } from "node:path"
import { asTsFile, bundleEntry } from "./bundle.js"
import { inRepo } from "./paths.js"

const fixture = inRepo("test/fixtures/workflow/src")
const trackingModule = inRepo("examples/runtime/workflowTracking.ts")

/**
 * The workflow package's modules whose exports workflowTracking.ts replaces with tracked
 * versions, and the names it replaces: every import of such a module (but the tracking
 * module's own) gets them. The layers are one seam; the combinators (`primitives/index.ts`,
 * which the package exports as the `Workflow` namespace) the other.
 */
const trackedExports: Readonly<Record<string, ReadonlyArray<string>>> = {
  "adapters/durable-object/index.ts": ["createDurableObjectRuntime"],
  "executor/index.ts": ["WorkflowExecutorLayer"],
  "orchestrator/index.ts": ["WorkflowOrchestratorLayer"],
  "primitives/index.ts": ["step", "sleep", "sleepUntil"],
  "state/machine.ts": ["WorkflowStateMachineLayer"]
}

const namespace = "tracked-workflow"

/** Resolves the fixture's imports of the tracked modules to the module and its tracked exports. */
const substituteTracked: Plugin = {
  name: "tracked-workflow-layers",
  setup(b) {
    b.onResolve({ filter: /^@durable-effect\/core$/ }, () => ({ path: inRepo("test/fixtures/core/index.ts") }))
    b.onResolve({ filter: /^durable-effect-tracking$/ }, () => ({ path: inRepo("src/index.ts") }))
    b.onResolve({ filter: /^\./ }, (args) => {
      if (args.namespace === namespace || args.importer === trackingModule) return undefined
      const target = asTsFile(resolve(args.resolveDir, args.path))
      const module = target.startsWith(`${fixture}/`) ? target.slice(fixture.length + 1) : undefined
      return module !== undefined && trackedExports[module] !== undefined ? { path: target, namespace } : undefined
    })
    b.onLoad({ filter: /.*/, namespace }, (args) => {
      const names = trackedExports[args.path.slice(fixture.length + 1)]!
      return {
        contents:
          `export * from ${JSON.stringify(args.path)}\n` +
          `export { ${names.join(", ")} } from ${JSON.stringify(trackingModule)}\n`,
        resolveDir: dirname(args.path),
        loader: "ts"
      }
    })
  }
}

/** Bundles the workflow demo's Worker (workflowWorker.ts) over the workflow fixture, its engine tracked. */
export const bundleWorkflowWorker = (): Promise<string> =>
  bundleEntry("examples/runtime/workflowWorker.ts", [substituteTracked])
