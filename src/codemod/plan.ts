import { readFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { rewriteConfigFlow, type SourceText } from "./rewrite/configFlow.js"
import { parseSource, sourceFiles } from "./source/sourceFiles.js"
import { trackerLayerElsewhere } from "./package/trackedByHand.js"
import { CodemodInputError } from "./report/errors.js"
import type { EventMap } from "../instrument/EventMap.js"
import { detectJobsLayout, type JobsLayout } from "../jobs/layouts.js"
import { analyseCoverage, uncoveredTypes, type PackageCoverageReport } from "./coverage/packageCoverage.js"
import { readPackageFacts } from "./package/packageFacts.js"
import { rewriteRuntime, type UntouchedLayer, type WrappedLayer } from "./rewrite/runtimeFile.js"
import { defaultImportFrom, trackingModuleText } from "./rewrite/trackingModule.js"
import { detectStyle } from "./source/style.js"
import { findTsConfig, typeCheckChange, type TypeDiagnostic } from "./package/typeCheck.js"
import { leftoverTempFiles, type PlannedChange } from "./write/writeFiles.js"
import { relativePosix, toPosix } from "./report/displayPath.js"
import { openJobsPackage, runtimeFilePath, trackingFilePath } from "./package/packageDir.js"
import { brokenReachLines, checkConfigReach, type ConfigReach } from "./package/configReach.js"
import { emitCalls, upstreamCoreModule } from "./package/handEmits.js"
import { workflowLayoutOf } from "./package/workflowPackage.js"
import { planWorkflowCodemod } from "./workflowPlan.js"
import { planTrackingFile } from "./package/trackingFile.js"

export { runtimeFilePath, trackingFilePath }
export { defaultImportFrom }
export type { PlannedChange }

export interface CodemodOptions {
  /** The jobs package: the directory holding `src/runtime/runtime.ts`. */
  readonly packageDir: string
  /** The module specifier of this library in the generated imports. Default `durable-effect-tracking`. */
  readonly importFrom?: string
  /**
   * The event map the package will use: only layers providing a service it has entries for
   * are wrapped. Default: the library's map for the package's layout (see `detectJobsLayout`).
   */
  readonly eventMap?: EventMap
  /** Type-check the rewritten files with the package's tsconfig. Default true. */
  readonly typeCheck?: boolean
  /** Progress of the slow phases (loading, type-checking), one line each. */
  readonly onProgress?: (line: string) => void
  /**
   * Wire tracking even though the package emits events by hand (upstream core's `emitEvent`):
   * every such event is then sent besides the mapped ones. Default false: such a package is
   * reported (`tracked-by-hand`, pointing to `migrate`) and left as it is.
   */
  readonly allowHandPlacedEmits?: boolean
}

/** A hand-placed `emitEvent` call of upstream core, where `migrate` would remove it. */
export interface HandPlacedEmit {
  /** Relative to the package directory. */
  readonly file: string
  readonly line: number
}

/**
 * - `changes`: the codemod would change files (all of the wiring, or what is missing of it);
 * - `already-wired`: every file the codemod edits is wired;
 * - `tracked-by-hand`: the package provides an EventTracker of its own.
 */
export type CodemodStatus = "changes" | "already-wired" | "tracked-by-hand"

/** Everything the codemod would do, decided before anything is written. */
export interface CodemodPlan {
  readonly packageDir: string
  /** The module specifier of this library in the generated imports. */
  readonly importFrom: string
  readonly status: CodemodStatus
  /** Why nothing is to change, for `already-wired` and `tracked-by-hand`. */
  readonly reason: string | undefined
  readonly files: ReadonlyArray<PlannedChange>
  readonly wrapped: ReadonlyArray<WrappedLayer>
  readonly untouched: ReadonlyArray<UntouchedLayer>
  readonly changes: ReadonlyArray<string>
  /** What is left for the user to do by hand. */
  readonly todo: ReadonlyArray<string>
  /**
   * With status `changes`: why the package counts as partly wired, when the runtime's
   * composition is wired but other pieces are missing (in other files, or the option, the
   * flush or the imports in the runtime file: an earlier run was cut short, or part of the
   * wiring was undone). The changes list what completes it.
   */
  readonly partlyWired: string | undefined
  /** Type errors the rewrite introduces in the changed files; `undefined` when not type-checked. */
  readonly diagnostics: ReadonlyArray<TypeDiagnostic> | undefined
  /** Type errors the changed files had before the rewrite and still have: reported, not blocking. */
  readonly preExistingDiagnostics: ReadonlyArray<TypeDiagnostic> | undefined
  /** Temp files an earlier, interrupted run left under src/ (relative paths): a write removes them. */
  readonly leftovers: ReadonlyArray<string>
  /** The tsconfig the check used, relative to the package directory. */
  readonly tsConfig: string | undefined
  /** What the map can emit in this package (for `changes`): measured on its sources. */
  readonly coverage: PackageCoverageReport | undefined
  /** Upstream core's `emitEvent` calls in `src/`: a package tracked by hand, for `migrate`. */
  readonly handPlacedEmits: ReadonlyArray<HandPlacedEmit>
  /**
   * Whether the tracker config of each public entry reaches the composition's tracker: in the
   * package as the plan leaves it (after the rewrite, or as it is when nothing is to change).
   */
  readonly configReach: ConfigReach | undefined
}

/**
 * Reads the package and plans the rewrite, all in memory. Bad input (a missing directory or
 * runtime file, a syntax error, a composition it does not recognise) is a
 * {@link CodemodInputError}.
 */
export const planCodemod = async (options: CodemodOptions): Promise<CodemodPlan> => {
  const importFrom = options.importFrom ?? defaultImportFrom
  const progress = options.onProgress ?? (() => undefined)
  // A workflow package has no jobs runtime: its combinators are what the codemod wires.
  const workflow = await workflowLayoutOf(options.packageDir)
  if (workflow !== undefined) {
    const plan: CodemodPlan = await planWorkflowCodemod(options, workflow, findHandPlacedEmits)
    return options.typeCheck === false ? plan : typeCheckPlan(plan, progress)
  }
  // Before anything is loaded: the directory, its runtime file, a tsconfig tsc can read.
  const opened = openJobsPackage(options.packageDir)
  const { packageDir, display, runtimePath, runtimeText } = await opened
  progress(`loading ${options.packageDir}`)

  const trackingPath = join(packageDir, trackingFilePath)
  const trackingModule = relativePosix(dirname(runtimePath), trackingPath).replace(/\.ts$/, "")
  // The package's layout decides the map (and so which layers are wrapped), unless one is given.
  const facts = await readPackageFacts(packageDir, join(packageDir, "src"))
  const layout = detectJobsLayout(facts.services.keys())
  const eventMap = options.eventMap ?? layout.map
  const runtime = rewriteRuntime(toPosix(runtimeFilePath), runtimeText, {
    importFrom,
    trackingModule: trackingModule.startsWith(".") ? trackingModule : `./${trackingModule}`,
    mappedServiceKeys: new Set(Object.keys(eventMap.services))
  })
  const leftovers = (await leftoverTempFiles(join(packageDir, "src"))).map(display)
  const handPlacedEmits = await findHandPlacedEmits(packageDir, display)
  const nothing = {
    files: [],
    wrapped: [],
    untouched: [],
    changes: [],
    todo: [],
    partlyWired: undefined,
    diagnostics: undefined,
    preExistingDiagnostics: undefined,
    tsConfig: undefined,
    leftovers,
    coverage: undefined,
    handPlacedEmits,
    configReach: undefined
  }
  if (handPlacedEmits.length > 0 && options.allowHandPlacedEmits !== true) {
    return {
      packageDir,
      importFrom,
      status: "tracked-by-hand",
      reason: `${handPlacedEmits.length} hand-placed emitEvent call${handPlacedEmits.length === 1 ? "" : "s"} of ${upstreamCoreModule} in src (${handPlacedEmits.map((site) => `${site.file}:${site.line}`).join(", ")}): run \`durable-effect-tracking migrate ${options.packageDir}\`, which removes them and rewires the tracker`,
      ...nothing,
      configReach: checkConfigReach(await packageSources(packageDir, display, []))
    }
  }
  if (runtime.status === "tracked-by-hand") {
    return { packageDir, importFrom, status: runtime.status, reason: runtime.reason, ...nothing }
  }
  if (runtime.status === "rewrite" && runtime.partlyWired === undefined) {
    const byHand = await trackerLayerElsewhere(join(packageDir, "src"), display)
    if (byHand !== undefined) return { packageDir, importFrom, status: "tracked-by-hand", reason: byHand, ...nothing }
  }

  // The wiring is judged by every file the codemod edits: a runtime wired already (an earlier
  // run cut short, say) does not stop the rest from being planned.
  const files: Array<PlannedChange> =
    runtime.status === "rewrite"
      ? [{ path: runtimePath, relativePath: display(runtimePath), before: runtimeText, after: runtime.text }]
      : []
  const changes = runtime.status === "rewrite" ? [...runtime.changes] : []
  const todo = runtime.status === "rewrite" ? [...runtime.todo] : []
  const coverage: PackageCoverageReport = {
    ...analyseCoverage(options.packageDir, facts, eventMap),
    map: options.eventMap === undefined ? layout.mapExport : "the given map",
    layout: layout.name
  }
  const uncovered = uncoveredTypes(coverage)
  const tracking = await planTrackingFile(
    trackingPath,
    display,
    {
      text: trackingModuleText(importFrom, detectStyle(runtimeText), { mapExport: layout.mapExport, uncovered }),
      change: `${display(trackingPath)} is new: it holds the event map, which decides which service calls become which job events; it starts as the library's ${layout.mapExport} (the map for the ${layoutLabel(layout)}), exported as trackingEventMap, and is yours to adjust`
    },
    `${display(trackingPath)} exists and was left as is: the runtime uses its trackingEventMap (what it covers: durable-effect-tracking coverage ${options.packageDir} --map ${display(trackingPath)})`
  )
  if (tracking.file !== undefined) files.push(tracking.file)
  if (tracking.change !== undefined) changes.push(tracking.change)
  if (tracking.todo !== undefined) todo.push(tracking.todo)
  if (uncovered.length > 0) {
    todo.push(
      `${uncovered.length} event type${uncovered.length === 1 ? " is" : "s are"} not covered in this package (${uncovered.map((entry) => entry.type).join(", ")}): ` +
        `see why below and in ${display(trackingPath)}; extend the map where a hint says how, or accept the gap`
    )
  }

  const flow = rewriteConfigFlow(await configFlowSources(packageDir, display), importFrom)
  for (const file of flow.files) {
    const path = join(packageDir, file.path)
    files.push({ path, relativePath: file.path, before: await readFile(path, "utf8"), after: file.text })
  }
  changes.push(...flow.changes)
  todo.push(...flow.todo)

  // Wired or not, the config a user gives must reach the tracker: a broken link is left to do.
  const configReach = checkConfigReach(await packageSources(packageDir, display, files))
  todo.push(...brokenReachLines(configReach))
  if (runtime.status === "already-wired" && files.length === 0) {
    return { packageDir, importFrom, status: "already-wired", reason: runtime.reason, ...nothing, todo, configReach }
  }
  const plan: CodemodPlan = {
    packageDir,
    importFrom,
    status: "changes",
    reason: undefined,
    files,
    wrapped: runtime.status === "rewrite" ? runtime.wrapped : [],
    untouched: runtime.status === "rewrite" ? runtime.untouched : [],
    changes,
    todo,
    partlyWired:
      runtime.status === "already-wired"
        ? runtime.reason
        : runtime.status === "rewrite"
          ? runtime.partlyWired
          : undefined,
    diagnostics: undefined,
    preExistingDiagnostics: undefined,
    tsConfig: undefined,
    leftovers,
    coverage,
    handPlacedEmits,
    configReach
  }
  return options.typeCheck === false ? plan : typeCheckPlan(plan, progress)
}

/** The plan with the type errors of its rewritten files, checked with the package's tsconfig. */
export const typeCheckPlan = (plan: CodemodPlan, progress: (line: string) => void = () => undefined): CodemodPlan => {
  if (plan.files.length === 0) return plan
  const { packageDir, files } = plan
  const tsConfigPath = findTsConfig(packageDir)
  const tsConfig = tsConfigPath === undefined ? undefined : relativePosix(packageDir, tsConfigPath)
  progress(
    `type-checking ${files.length} file${files.length === 1 ? "" : "s"} with ${tsConfig ?? "default compiler options"}`
  )
  const { introduced, preExisting } = typeCheckChange(packageDir, tsConfigPath, files)
  const unresolved = introduced.some((diagnostic) => diagnostic.message.includes(`'${plan.importFrom}'`))
  const todo = unresolved
    ? [
        ...plan.todo,
        `the package does not resolve "${plan.importFrom}": install it (npm install durable-effect-tracking) or point --import-from at the specifier it uses`
      ]
    : plan.todo
  return { ...plan, diagnostics: introduced, preExistingDiagnostics: preExisting, tsConfig, todo }
}

/** The type-check's result in numbers: what the summary prints and `--json` carries. */
export interface TypeCheckSummary {
  /** The tsconfig used, relative to the package directory; `null` for default compiler options. */
  readonly tsConfig: string | null
  /** The changed files checked (what they import is loaded, not reported on). */
  readonly filesChecked: number
  /** Type errors the rewrite introduces: any fails the check (and refuses a write without --force). */
  readonly introduced: number
  /** Type errors the changed files already had: reported, not failing. */
  readonly preExisting: number
  readonly passed: boolean
}

/** The type-check's result, or `undefined` when the plan was not type-checked. */
export const typeCheckSummary = (plan: CodemodPlan): TypeCheckSummary | undefined =>
  plan.diagnostics === undefined
    ? undefined
    : {
        tsConfig: plan.tsConfig ?? null,
        filesChecked: plan.files.length,
        introduced: plan.diagnostics.length,
        preExisting: plan.preExistingDiagnostics?.length ?? 0,
        passed: plan.diagnostics.length === 0
      }

/** The package's sources under src/, with the planned texts in place of the files they change. */
const packageSources = async (
  packageDir: string,
  display: (path: string) => string,
  planned: ReadonlyArray<PlannedChange>
): Promise<Array<SourceText>> => {
  const sources = await Promise.all(
    (await sourceFiles(join(packageDir, "src"))).map(async (path) => ({
      path: display(path),
      text: await readFile(path, "utf8")
    }))
  )
  for (const change of planned) {
    const index = sources.findIndex((source) => source.path === change.relativePath)
    if (index >= 0) sources[index] = { path: change.relativePath, text: change.after }
    else if (change.relativePath.startsWith("src/")) sources.push({ path: change.relativePath, text: change.after })
  }
  return sources
}

/** Upstream core's `emitEvent` calls under src/, found by their import binding. */
const findHandPlacedEmits = async (
  packageDir: string,
  display: (path: string) => string
): Promise<Array<HandPlacedEmit>> => {
  const found: Array<HandPlacedEmit> = []
  for (const path of await sourceFiles(join(packageDir, "src"))) {
    const text = await readFile(path, "utf8")
    if (!text.includes(upstreamCoreModule) || !text.includes("emitEvent")) continue
    for (const call of emitCalls(parseSource(display(path), text)))
      found.push({ file: display(path), line: call.getStartLineNumber() })
  }
  return found
}

/** The package's sources that may take part in passing the tracker option on (runtime.ts aside). */
const configFlowSources = async (packageDir: string, display: (path: string) => string): Promise<Array<SourceText>> => {
  const sources: Array<SourceText> = []
  for (const path of await sourceFiles(join(packageDir, "src"))) {
    if (display(path) === toPosix(runtimeFilePath)) continue
    const text = await readFile(path, "utf8")
    if (/createJobsRuntime\(|JobsEngineConfig|createDurableJobs/.test(text)) sources.push({ path: display(path), text })
  }
  return sources
}

const layoutLabel = (layout: JobsLayout) => `${layout.name} layout: ${layout.description}`
