import { readFile, stat } from "node:fs/promises"
import { dirname, join, relative, resolve, sep } from "node:path"
import { rewriteConfigFlow, type SourceText } from "./configFlow.js"
import { sourceFiles } from "./sourceFiles.js"
import { trackerLayerElsewhere } from "./trackedByHand.js"
import { CodemodInputError } from "./errors.js"
import { defaultJobsEventMap } from "../jobs/defaultJobsEventMap.js"
import type { EventMap } from "../instrument/EventMap.js"
import { rewriteRuntime, type UntouchedLayer, type WrappedLayer } from "./runtimeFile.js"
import { trackingModuleText } from "./scaffold.js"
import { detectStyle } from "./style.js"
import { findTsConfig, typeCheckFiles, type TypeDiagnostic } from "./typeCheck.js"
import type { PlannedFile } from "./writeFiles.js"

export const runtimeFilePath = join("src", "runtime", "runtime.ts")
export const trackingFilePath = join("src", "tracking.ts")
export const defaultImportFrom = "durable-effect-tracking"

export interface CodemodOptions {
  /** The jobs package: the directory holding `src/runtime/runtime.ts`. */
  readonly packageDir: string
  /** The module specifier of this library in the generated imports. Default `durable-effect-tracking`. */
  readonly importFrom?: string
  /**
   * The event map the package will use: only layers providing a service it has entries for
   * are wrapped. Default: the library's default map.
   */
  readonly eventMap?: EventMap
  /** Type-check the rewritten files with the package's tsconfig. Default true. */
  readonly typeCheck?: boolean
  /** Progress of the slow phases (loading, type-checking), one line each. */
  readonly onProgress?: (line: string) => void
}

export type CodemodStatus = "changes" | "already-wired" | "tracked-by-hand"

export interface PlannedChange extends PlannedFile {
  /** Relative to the package directory, with `/` separators. */
  readonly relativePath: string
}

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
  /** Type errors in the rewritten files; `undefined` when not type-checked. */
  readonly diagnostics: ReadonlyArray<TypeDiagnostic> | undefined
  /** The tsconfig the check used, relative to the package directory. */
  readonly tsConfig: string | undefined
}

const toPosix = (path: string): string => path.split(sep).join("/")

/**
 * Reads the package and plans the rewrite, all in memory. Bad input (a missing directory or
 * runtime file, a syntax error, a composition it does not recognise) is a
 * {@link CodemodInputError}.
 */
export const planCodemod = async (options: CodemodOptions): Promise<CodemodPlan> => {
  const packageDir = resolve(options.packageDir)
  const importFrom = options.importFrom ?? defaultImportFrom
  const progress = options.onProgress ?? (() => undefined)
  const display = (path: string) => toPosix(relative(packageDir, path)) || "."

  const directory = await stat(packageDir).catch(() => undefined)
  if (directory === undefined || !directory.isDirectory()) {
    throw new CodemodInputError({ file: options.packageDir, expected: "a jobs package directory", detail: "no such directory" })
  }
  progress(`loading ${options.packageDir}`)
  const runtimePath = join(packageDir, runtimeFilePath)
  const runtimeText = await readFile(runtimePath, "utf8").catch(() => undefined)
  if (runtimeText === undefined) {
    throw new CodemodInputError({
      file: toPosix(join(options.packageDir, runtimeFilePath)),
      expected: "the runtime composition of a jobs package (createDispatcherLayer) in this file",
      detail: "no such file"
    })
  }

  const trackingPath = join(packageDir, trackingFilePath)
  const trackingModule = toPosix(relative(dirname(runtimePath), trackingPath)).replace(/\.ts$/, "")
  const runtime = rewriteRuntime(toPosix(runtimeFilePath), runtimeText, {
    importFrom,
    trackingModule: trackingModule.startsWith(".") ? trackingModule : `./${trackingModule}`,
    mappedServiceKeys: new Set(Object.keys((options.eventMap ?? defaultJobsEventMap).services))
  })
  const nothing = { files: [], wrapped: [], untouched: [], changes: [], todo: [], diagnostics: undefined, tsConfig: undefined }
  if (runtime.status !== "rewrite") {
    return { packageDir, importFrom, status: runtime.status, reason: runtime.reason, ...nothing }
  }
  const byHand = await trackerLayerElsewhere(join(packageDir, "src"), display)
  if (byHand !== undefined) return { packageDir, importFrom, status: "tracked-by-hand", reason: byHand, ...nothing }

  const files: Array<PlannedChange> = [
    { path: runtimePath, relativePath: display(runtimePath), before: runtimeText, after: runtime.text }
  ]
  const changes = [...runtime.changes]
  const todo = [...runtime.todo]
  const existingTracking = await readFile(trackingPath, "utf8").catch(() => undefined)
  if (existingTracking === undefined) {
    files.push({
      path: trackingPath,
      relativePath: display(trackingPath),
      before: undefined,
      after: trackingModuleText(importFrom, detectStyle(runtimeText))
    })
    changes.push(`${display(trackingPath)} re-exports the default event map as trackingEventMap, ready to adjust`)
  } else if (!/\btrackingEventMap\b/.test(existingTracking)) {
    todo.push(`${display(trackingPath)} exists and was left as is: make it export \`trackingEventMap\` (an EventMap)`)
  } else {
    changes.push(`${display(trackingPath)} exists and was left as is`)
  }

  const flow = rewriteConfigFlow(await configFlowSources(packageDir, display), importFrom)
  for (const file of flow.files) {
    const path = join(packageDir, file.path)
    files.push({ path, relativePath: file.path, before: await readFile(path, "utf8"), after: file.text })
  }
  changes.push(...flow.changes)
  todo.push(...flow.todo)

  const plan: CodemodPlan = {
    packageDir,
    importFrom,
    status: "changes",
    reason: undefined,
    files,
    wrapped: runtime.wrapped,
    untouched: runtime.untouched,
    changes,
    todo,
    diagnostics: undefined,
    tsConfig: undefined
  }
  return options.typeCheck === false ? plan : typeCheckPlan(plan, progress)
}

/** The plan with the type errors of its rewritten files, checked with the package's tsconfig. */
export const typeCheckPlan = (plan: CodemodPlan, progress: (line: string) => void = () => undefined): CodemodPlan => {
  if (plan.files.length === 0) return plan
  const { packageDir, files } = plan
  const tsConfigPath = findTsConfig(packageDir)
  const tsConfig = tsConfigPath === undefined ? undefined : toPosix(relative(packageDir, tsConfigPath))
  progress(`type-checking ${files.length} file${files.length === 1 ? "" : "s"} with ${tsConfig ?? "default compiler options"}`)
  const diagnostics = typeCheckFiles(packageDir, tsConfigPath, files.map((file) => ({ path: file.path, text: file.after })))
  const unresolved = diagnostics.some((diagnostic) => diagnostic.message.includes(`'${plan.importFrom}'`))
  const todo = unresolved
    ? [
        ...plan.todo,
        `the package does not resolve "${plan.importFrom}": install it (npm install durable-effect-tracking) or point --import-from at the specifier it uses`
      ]
    : plan.todo
  return { ...plan, diagnostics, tsConfig, todo }
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


