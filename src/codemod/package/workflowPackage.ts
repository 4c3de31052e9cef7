import { readFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { detectWorkflowLayout, workflowLayout, type WorkflowLayout } from "../../workflow/layout.js"
import { readPackageFacts } from "./packageFacts.js"

/**
 * The workflow layout, when the package at `packageDir` is a workflow package (tracked by hand
 * or not): `codemod`, `migrate` and `coverage` tell it apart by this one test. Cheaply first: its
 * engine, where the layout says, builds `createDurableWorkflows`; then its services' tag keys.
 */
export const workflowLayoutOf = async (packageDir: string): Promise<WorkflowLayout | undefined> => {
  const dir = resolve(packageDir)
  const engine = await readFile(join(dir, workflowLayout.engineFile), "utf8").catch(() => undefined)
  if (engine === undefined || !/\bcreateDurableWorkflows\b/.test(engine)) return undefined
  return detectWorkflowLayout((await readPackageFacts(dir, join(dir, "src"))).services.keys())
}
