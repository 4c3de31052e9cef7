import { readFile } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import type { WorkflowLayout } from "../workflow/layout.js"
import { relativePosix } from "./report/displayPath.js"
import { assertPackageDirectory, trackingFilePath } from "./package/packageDir.js"
import { planTrackingFile } from "./package/trackingFile.js"
import { findTsConfig, readTsConfig } from "./package/typeCheck.js"
import { rewriteCombinatorExports } from "./rewrite/workflowExports.js"
import { defaultImportFrom, workflowTrackingModuleText } from "./rewrite/trackingModule.js"
import { detectStyle } from "./source/style.js"
import { leftoverTempFiles, type PlannedChange } from "./write/writeFiles.js"
import { CodemodInputError } from "./report/errors.js"

/** What the workflow plan reads of the codemod's options (plan.ts's `CodemodOptions`). */
interface WorkflowCodemodOptions {
  readonly packageDir: string
  readonly importFrom?: string | undefined
  readonly allowHandPlacedEmits?: boolean | undefined
}

/** A hand-placed emit call, as plan.ts finds them. */
interface EmitSite {
  readonly file: string
  readonly line: number
}

/**
 * The codemod's plan for a workflow package (a `CodemodPlan`): its combinators exported traced, and the package's
 * tracking module. The workflow services' layers are not wired here.
 */
export const planWorkflowCodemod = async (
  options: WorkflowCodemodOptions,
  layout: WorkflowLayout,
  handPlacedEmits: (packageDir: string, display: (path: string) => string) => Promise<ReadonlyArray<EmitSite>>
) => {
  const packageDir = resolve(options.packageDir)
  const display = (path: string) => relativePosix(packageDir, path) || "."
  await assertPackageDirectory(options.packageDir, packageDir)
  const tsConfigPath = findTsConfig(packageDir)
  if (tsConfigPath !== undefined) readTsConfig(tsConfigPath, display(tsConfigPath))
  const importFrom = options.importFrom ?? defaultImportFrom
  const exportsPath = join(packageDir, layout.exportsModule)
  const exportsText = await readFile(exportsPath, "utf8")
  const trackingPath = join(packageDir, trackingFilePath)
  const extension = /from\s+["']\.{1,2}\/[^"']*\.js["']/.test(exportsText) ? ".js" : ""
  const trackingModule = relativePosix(dirname(exportsPath), trackingPath).replace(/\.ts$/, extension)
  const found = await handPlacedEmits(packageDir, display)
  const base = {
    packageDir,
    importFrom,
    wrapped: [],
    untouched: [],
    partlyWired: undefined,
    diagnostics: undefined,
    preExistingDiagnostics: undefined,
    tsConfig: undefined,
    leftovers: (await leftoverTempFiles(join(packageDir, "src"))).map(display),
    coverage: undefined,
    handPlacedEmits: found,
    configReach: undefined
  }
  if (found.length > 0 && options.allowHandPlacedEmits !== true)
    return {
      ...base,
      status: "tracked-by-hand" as const,
      reason: `${found.length} hand-placed emitEvent calls in src: run \`durable-effect-tracking migrate ${options.packageDir}\``,
      files: [],
      changes: [],
      todo: []
    }
  const rewrite = rewriteCombinatorExports(display(exportsPath), exportsText, {
    importFrom,
    trackingModule: trackingModule.startsWith(".") ? trackingModule : `./${trackingModule}`,
    namespace: layout.namespace,
    names: layout.exportsToWrap
  })
  if (rewrite.status === "not-found")
    throw new CodemodInputError({
      file: display(exportsPath),
      expected: `the module that exports the workflow package's ${layout.exportsToWrap.join(", ")}`,
      detail: rewrite.reason
    })
  const files: Array<PlannedChange> = []
  const changes: Array<string> = []
  const todo: Array<string> = []
  if (rewrite.status === "rewrite") {
    files.push({ path: exportsPath, relativePath: display(exportsPath), before: exportsText, after: rewrite.text })
    changes.push(...rewrite.changes)
  }
  const tracking = await planTrackingFile(trackingPath, display, {
    text: workflowTrackingModuleText(importFrom, detectStyle(exportsText), layout.mapExport),
    change: `${display(trackingPath)} is new: it holds the event map of both seams (the combinators and the workflow services' layers), starting as the library's ${layout.mapExport}, exported as trackingEventMap, and is yours to adjust`
  })
  if (tracking.file !== undefined) files.push(tracking.file)
  if (tracking.change !== undefined) changes.push(tracking.change)
  if (tracking.todo !== undefined) todo.push(tracking.todo)
  todo.push(
    "the combinators' events need a tracker in the workflow's context and the workflow's name and execution from the traced WorkflowExecutor.execute: wire the workflow services with withTracking and the engine's tracker option"
  )
  if (files.length === 0)
    return {
      ...base,
      status: "already-wired" as const,
      reason: rewrite.status === "already-wired" ? rewrite.reason : undefined,
      files,
      changes,
      todo
    }
  return { ...base, status: "changes" as const, reason: undefined, files, changes, todo }
}
