import { readFile } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import type { WorkflowEventType } from "../../workflow/events/WorkflowEventTypes.js"
import type { WorkflowLayout } from "../../workflow/layout.js"
import { analyseCoverage, uncoveredTypes } from "../coverage/packageCoverage.js"
import { brokenReachLines } from "../package/configReach.js"
import { assertPackageDirectory, trackingFilePath } from "../package/packageDir.js"
import { readPackageFacts } from "../package/packageFacts.js"
import { findTsConfig, readTsConfig } from "../package/typeCheck.js"
import { upstreamCoreSources } from "../package/upstreamCore.js"
import { relativePosix } from "../report/displayPath.js"
import { CodemodInputError } from "../report/errors.js"
import type { WrappedLayer } from "../rewrite/runtimeFile.js"
import { defaultImportFrom, trackingModuleText } from "../rewrite/trackingModule.js"
import { rewriteCombinatorExports } from "../rewrite/workflowExports.js"
import { detectStyle } from "../source/style.js"
import { defaultMigrateEventSet } from "./eventSet.js"
import type { PayloadField } from "./eventSetMaps.js"
import { changedFiles, emitsRemovedLine, planEmitRemoval, plannedWithoutChange, typeChecked } from "./planParts.js"
import type { SourceChange } from "./handEmitRemoval.js"
import type { MigrateOptions, MigratePlan } from "./planMigrate.js"
import { engineHandWired, rewireWorkflowEngine } from "./workflowEngine.js"

/** What the migrated package sends, in words, for the summary. */
const workflowEventsSent =
  "upstream core's 16 workflow event types in their own format, from the service boundaries and the exported combinators; the types it cannot see in this package are listed in src/tracking.ts"

/** The user payload the map sends, as the hand-placed emits did: the workflow's input. */
const workflowPayloads: ReadonlyArray<PayloadField> = [
  { field: "input", types: ["workflow.started", "workflow.queued"] }
]

/** What one step of a workflow package's migration sees: the package, and its sources as the steps so far left them. */
export interface WorkflowMigrateContext {
  readonly packageDir: string
  readonly layout: WorkflowLayout
  readonly importFrom: string
  /** Every source under `src/`, by its path relative to the package (`/`-separated). */
  readonly sources: Map<string, SourceChange>
  /** The specifier of the package's event map module (`src/tracking.ts`), seen from a source. */
  readonly trackingSpecifier: (fromSource: string) => string
}

export interface WorkflowMigrateStepResult {
  readonly wrapped: ReadonlyArray<WrappedLayer>
  readonly changes: ReadonlyArray<string>
  readonly todo: ReadonlyArray<string>
}

/**
 * One step of the migration after the emits are out: it edits `context.sources` (their `after`)
 * and says what it did. Bad input is a {@link CodemodInputError}: nothing is written.
 */
export type WorkflowMigrateStep = (context: WorkflowMigrateContext) => WorkflowMigrateStepResult

/** The engine: upstream core's tracker out, this library's in, the composition's layers wrapped. */
export const rewireEngineStep: WorkflowMigrateStep = (context) => {
  const engine = context.sources.get(context.layout.engineFile)
  if (engine === undefined)
    throw new CodemodInputError({
      file: context.layout.engineFile,
      expected: "the workflow engine (createDurableWorkflows)",
      detail: "no such file"
    })
  const rewrite = rewireWorkflowEngine(context.layout.engineFile, engine.after, context.layout, {
    importFrom: context.importFrom,
    trackingModule: context.trackingSpecifier(context.layout.engineFile)
  })
  engine.after = rewrite.text
  return { wrapped: rewrite.wrapped, changes: rewrite.changes, todo: [] }
}

/**
 * The combinators the layout names (`layout.exportsToWrap`), exported through `trackExports`
 * with the package's `trackingEventMap` (the map the layers take), by the codemod's own rewrite
 * of the module that exports them. The workflows that use them are not edited. A module that
 * does not re-export them by name is left as it is, and said so: the service layers are
 * migrated all the same.
 */
export const wrapExportsStep: WorkflowMigrateStep = (context) => {
  const path = context.layout.exportsModule
  const source = context.sources.get(path)
  const notWrapped = (why: string) => ({
    wrapped: [],
    changes: [],
    todo: [
      `${context.layout.exportsToWrap.join(", ")} are not exported traced (${why}): the events only they see are not sent`
    ]
  })
  if (context.layout.exportsToWrap.length === 0) return { wrapped: [], changes: [], todo: [] }
  if (source === undefined) return notWrapped(`${path} not found`)
  const rewrite = rewriteCombinatorExports(path, source.after, {
    importFrom: context.importFrom,
    trackingModule: context.trackingSpecifier(path),
    namespace: context.layout.namespace,
    names: context.layout.exportsToWrap
  })
  if (rewrite.status === "not-found") return notWrapped(rewrite.reason)
  if (rewrite.status === "already-wired") return { wrapped: [], changes: [], todo: [] }
  source.after = rewrite.text
  return { wrapped: [], changes: rewrite.changes, todo: [] }
}

/** The steps, in order: the engine, then the exports. */
export const workflowMigrateSteps: ReadonlyArray<WorkflowMigrateStep> = [rewireEngineStep, wrapExportsStep]

/**
 * Plans the migration of a hand-tracked workflow package, in memory: the hand-placed emits and
 * what served them only go (the orchestrator's result helper with them), then each of `steps`
 * (the engine's tracker plumbing given way to this library's, the exports' seam), and
 * `src/tracking.ts` holds the event map. The package's tests compose no tracker: they are left
 * as they are. Bad input is a {@link CodemodInputError}.
 */
export const planWorkflowMigrate = async (
  options: MigrateOptions,
  layout: WorkflowLayout,
  steps: ReadonlyArray<WorkflowMigrateStep> = workflowMigrateSteps
): Promise<MigratePlan> => {
  const importFrom = options.importFrom ?? defaultImportFrom
  const events = options.events ?? defaultMigrateEventSet
  const progress = options.onProgress ?? (() => undefined)
  const packageDir = resolve(options.packageDir)
  await assertPackageDirectory(options.packageDir, packageDir)
  const display = (path: string) => relativePosix(packageDir, path) || "."
  const tsConfigPath = findTsConfig(packageDir)
  if (tsConfigPath !== undefined) readTsConfig(tsConfigPath, display(tsConfigPath))
  progress(`loading ${options.packageDir} (workflow layout)`)

  // The map learns from the calls the emits' code made: those stay, only their names go.
  const removal = await planEmitRemoval(packageDir, display, { importFrom, events }, { keepYieldedCalls: true })
  const { sources, sentByHand, reachOf } = removal
  const base = { ...removal.base, layout: layout.name }
  const { emitSites, refusals } = base
  const engineText = sources.get(layout.engineFile)?.before ?? ""
  const unchanged = plannedWithoutChange(base, {
    packageDir: options.packageDir,
    sentByHand,
    refusals: refusals.length,
    tracksByHand: emitSites.length > 0 || engineHandWired(engineText),
    composition: { file: layout.engineFile, text: engineText },
    reachOf,
    expected: "a workflow package that tracks by hand (upstream core's emitEvent calls or tracker layer)",
    detail: "none found"
  })
  if (unchanged !== undefined) return unchanged

  const trackingPath = join(packageDir, trackingFilePath)
  const trackingSpecifier = (fromSource: string) => {
    const relative = relativePosix(dirname(join(packageDir, fromSource)), trackingPath).replace(/\.ts$/, "")
    return relative.startsWith(".") ? relative : `./${relative}`
  }
  const context: WorkflowMigrateContext = { packageDir, layout, importFrom, sources, trackingSpecifier }
  const results = steps.map((step) => step(context))
  const wrapped = results.flatMap((result) => result.wrapped)
  const changes = results.flatMap((result) => result.changes)
  const todo = results.flatMap((result) => result.todo)
  if (emitSites.length > 0) {
    changes.unshift(emitsRemovedLine(emitSites, "the proxies emit the workflow events instead"))
  }

  const files = changedFiles(packageDir, sources)
  const exportsWrapped = files.some((file) => file.relativePath === layout.exportsModule)
  const existingTracking = await readFile(trackingPath, "utf8").catch(() => undefined)
  if (existingTracking === undefined) {
    const core = upstreamCoreSources(packageDir)
    const facts = await readPackageFacts(packageDir, join(packageDir, "src"), core === undefined ? [] : [core])
    const coverage = analyseCoverage<WorkflowEventType>(options.packageDir, facts, layout.map)
    files.push({
      path: trackingPath,
      relativePath: display(trackingPath),
      before: undefined,
      after: trackingModuleText(
        importFrom,
        detectStyle(engineText),
        {
          mapExport: layout.mapExport,
          uncovered: uncoveredTypes(coverage),
          vocabularyExport: "workflowEvents",
          notes: exportsWrapped
            ? [
                `${layout.exportsToWrap.map((name) => `${layout.namespace}.${name}`).join(", ")} (${layout.exportsModule}) are exported traced with this map too: its function entries under the ${layout.namespace} namespace, if any, give their events.`
              ]
            : []
        },
        { calls: "the workflow engine", events: "workflow events", total: layout.map.vocabulary.types.length }
      )
    })
    changes.push(`${display(trackingPath)} is new: the event map (${layout.mapExport}), yours to adjust`)
  } else if (!/\btrackingEventMap\b/.test(existingTracking)) {
    todo.push(`${display(trackingPath)} exists and was left as is: make it export \`trackingEventMap\` (an EventMap)`)
  }

  const configReach = reachOf()
  todo.push(...brokenReachLines(configReach))
  const plan: MigratePlan = {
    ...base,
    status: "changes",
    reason: undefined,
    files,
    wrapped,
    testCompositions: [],
    changes,
    todo,
    eventMaps: [{ format: "upstream", exportName: layout.mapExport, sends: workflowEventsSent }],
    payloads: {
      sent: workflowPayloads.map((payload) => ({ ...payload, map: layout.mapExport })),
      howToStop: [
        `in src/tracking.ts, put \`omitEventFields(${layout.mapExport}, ["input"])\` in place of ${layout.mapExport} (the workflows' events then carry no input)`
      ],
      sentByHand
    },
    configReach
  }
  return typeChecked(plan, { typeCheck: options.typeCheck, packageDir, tsConfigPath, progress })
}
