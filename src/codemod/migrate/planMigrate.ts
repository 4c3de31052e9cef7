import { readFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { analyseCoverage, uncoveredTypes } from "../coverage/packageCoverage.js"
import { brokenReachLines, type ConfigReach } from "../package/configReach.js"
import { readPackageFacts } from "../package/packageFacts.js"
import { typeCheckChange, type TypeDiagnostic } from "../package/typeCheck.js"
import { openJobsPackage, runtimeFilePath, trackingFilePath } from "../package/packageDir.js"
import { relativePosix, toPosix } from "../report/displayPath.js"
import { CodemodInputError } from "../report/errors.js"
import { rewriteRuntime, type WrappedLayer } from "../rewrite/runtimeFile.js"
import { defaultImportFrom, trackingModuleText } from "../rewrite/trackingModule.js"
import { applyEdits } from "../source/edits.js"
import { parseSource, sourceFiles } from "../source/sourceFiles.js"
import { detectStyle } from "../source/style.js"
import type { PlannedChange } from "../write/writeFiles.js"
import { detectJobsLayout } from "../../jobs/layouts.js"
import { upstreamCoreModule, type EmitRefusal, type EmitSite } from "./emitSites.js"
import { changedFiles, emitsRemovedLine, planEmitRemoval, plannedWithoutChange, typeChecked } from "./planParts.js"
import { defaultMigrateEventSet, type MigrateEventSet } from "./eventSet.js"
import { mapsOfEventSet, payloadNotes, type FormatMap, type FormatMaps, type PayloadField } from "./eventSetMaps.js"
import type { ConfigFieldMapping } from "./configMapping.js"
import { wrapTestComposition } from "./testCompositions.js"
import { unplumbRuntime } from "./trackerPlumbing.js"

export interface MigrateOptions {
  /** The hand-tracked jobs package: the directory holding `src/runtime/runtime.ts`. */
  readonly packageDir: string
  /** The module specifier of this library in the generated imports. Default `durable-effect-tracking`. */
  readonly importFrom?: string
  readonly events?: MigrateEventSet
  /** Each format's map: this library's unless given (a test stands a map in for one this version lacks). */
  readonly formatMaps?: FormatMaps
  /** Type-check the changed files with the package's tsconfig. Default true. */
  readonly typeCheck?: boolean
  readonly onProgress?: (line: string) => void
}

/**
 * - `changes`: the package tracks by hand and the migration would change it;
 * - `already-migrated`: no hand-placed emit and no upstream tracker left, the runtime wired with
 *   withTracking: nothing to do.
 * - `refused`: some emit cannot be removed safely (see `refusals`): nothing is written.
 */
export type MigrateStatus = "changes" | "already-migrated" | "refused"

/** What the migrated package sends of its users' data, and what the hand-placed emits sent. */
export interface PayloadReport {
  /** The user payload fields the migrated package's events carry, with the map that sends each. */
  readonly sent: ReadonlyArray<PayloadField & { readonly map: string }>
  /** How to stop sending them, one line per map that sends any. */
  readonly howToStop: ReadonlyArray<string>
  /** The user payload fields the removed hand-placed emits carried. */
  readonly sentByHand: ReadonlyArray<string>
}

export interface MigratePlan {
  readonly packageDir: string
  readonly importFrom: string
  readonly events: MigrateEventSet
  /** The maps the migrated package sends through, in their order (empty unless it has changes). */
  readonly eventMaps: ReadonlyArray<Pick<FormatMap, "format" | "exportName" | "sends">>
  readonly payloads: PayloadReport
  readonly status: MigrateStatus
  readonly reason: string | undefined
  readonly files: ReadonlyArray<PlannedChange>
  /** The hand-placed emits found (all removed, unless refused). */
  readonly emitSites: ReadonlyArray<EmitSite>
  readonly refusals: ReadonlyArray<EmitRefusal>
  /** Code that served the events only and goes with them, `file: what (line)`. */
  readonly removedWithEmits: ReadonlyArray<string>
  readonly wrapped: ReadonlyArray<WrappedLayer>
  /** Layers wrapped where the package's tests compose them, `file: Layer (line)`. */
  readonly testCompositions: ReadonlyArray<string>
  readonly changes: ReadonlyArray<string>
  readonly todo: ReadonlyArray<string>
  /** How upstream core's tracker config fields are read by this library's HTTP tracker. */
  readonly configMapping: ReadonlyArray<ConfigFieldMapping>
  /** Whether each public entry's tracker config reaches the tracker, after the migration. */
  readonly configReach: ConfigReach
  readonly diagnostics: ReadonlyArray<TypeDiagnostic> | undefined
  readonly preExistingDiagnostics: ReadonlyArray<TypeDiagnostic> | undefined
  readonly tsConfig: string | undefined
  /** The layout migrated: a workflow package says so; absent, a jobs package. */
  readonly layout?: "workflow"
}

/**
 * Reads a hand-tracked jobs package and plans its migration, in memory: the hand-placed emits
 * and what served them only go, upstream core's tracker plumbing gives way to this library's
 * (the codemod's runtime rewrite, keeping the option's name), the tests' compositions are
 * wrapped as the runtime's, and `src/tracking.ts` holds the event map. Bad input is a
 * {@link CodemodInputError}.
 */
export const planMigrate = async (options: MigrateOptions): Promise<MigratePlan> => {
  const importFrom = options.importFrom ?? defaultImportFrom
  const events = options.events ?? defaultMigrateEventSet
  const progress = options.onProgress ?? (() => undefined)
  const { packageDir, display, runtimePath, runtimeText, tsConfigPath } = await openJobsPackage(options.packageDir)
  progress(`loading ${options.packageDir}`)

  // Every source, parsed (a syntax error anywhere is bad input), emits planned out.
  const { sources, sentByHand, reachOf, base } = await planEmitRemoval(packageDir, display, { importFrom, events })
  const { emitSites, refusals } = base
  const runtimeKey = toPosix(runtimeFilePath)
  const handWired = usesUpstreamTracker(runtimeText)
  const unchanged = plannedWithoutChange(base, {
    packageDir: options.packageDir,
    sentByHand,
    refusals: refusals.length,
    tracksByHand: emitSites.length > 0 || handWired,
    composition: { file: runtimeKey, text: runtimeText },
    reachOf,
    expected: "a jobs package that tracks by hand (upstream core's emitEvent calls or tracker layer)",
    detail: "none found: to wire tracking into a package that has none, run `durable-effect-tracking codemod`"
  })
  if (unchanged !== undefined) return unchanged

  // The runtime: upstream's tracker out, this library's in, under the option's own name.
  const changes: Array<string> = []
  const todo: Array<string> = []
  const facts = await readPackageFacts(packageDir, join(packageDir, "src"))
  const layout = detectJobsLayout(facts.services.keys())
  const chosen = mapsOfEventSet(events, layout, options.formatMaps)
  if ("missing" in chosen) {
    throw new CodemodInputError({
      file: options.packageDir,
      expected: `an event set this version can send (--events ${events})`,
      detail: `it needs the ${chosen.missing.join(" and ")} event map, which this version does not have for the package's layout, ${layout.name} (${layout.description}): use --events full`
    })
  }
  const eventMaps = chosen.maps
  const trackingPath = join(packageDir, trackingFilePath)
  const trackingSpecifier = (from: string) => {
    const relative = relativePosix(from, trackingPath).replace(/\.ts$/, "")
    return relative.startsWith(".") ? relative : `./${relative}`
  }
  let wrapped: ReadonlyArray<WrappedLayer> = []
  if (handWired) {
    const runtimeSource = sources.get(runtimeKey)!
    const unplumbed = unplumbRuntime(runtimeKey, runtimeSource.after)
    const rewrite = rewriteRuntime(runtimeKey, unplumbed.text, {
      importFrom,
      trackingModule: trackingSpecifier(dirname(runtimePath)),
      // The layout's full map's services too, whatever the set: moving to another set later is
      // a change of src/tracking.ts alone.
      mappedServiceKeys: new Set(
        [layout.map, ...eventMaps.map(({ map }) => map)].flatMap((map) => Object.keys(map.services))
      ),
      trackerName: unplumbed.trackerName
    })
    if (rewrite.status !== "rewrite") {
      throw new CodemodInputError({
        file: runtimeKey,
        expected: "a runtime composition to rewire",
        detail: rewrite.reason
      })
    }
    runtimeSource.after = rewrite.text
    wrapped = rewrite.wrapped
    changes.push(...unplumbed.changes, ...rewrite.changes)
    todo.push(...rewrite.todo)
  }

  const files = changedFiles(packageDir, sources)
  if (emitSites.length > 0) {
    changes.push(emitsRemovedLine(emitSites, `the proxies emit the ${events} event set instead`))
  }

  // The event map module.
  const existingTracking = await readFile(trackingPath, "utf8").catch(() => undefined)
  if (existingTracking === undefined) {
    files.push({
      path: trackingPath,
      relativePath: display(trackingPath),
      before: undefined,
      after: trackingModuleText(
        importFrom,
        detectStyle(runtimeText),
        eventMaps.map((entry) => ({
          mapExport: entry.exportName,
          sends: entry.sends,
          measured: entry.measured,
          vocabularyExport: entry.vocabularyExport,
          notes: payloadNotes(entry),
          uncovered: entry.measured ? uncoveredTypes(analyseCoverage(options.packageDir, facts, entry.map)) : []
        }))
      )
    })
    changes.push(
      `${display(trackingPath)} is new: the event map${eventMaps.length === 1 ? "" : "s"} (${eventMaps.map((entry) => entry.exportName).join(", ")}, the ${events} event set), yours to adjust`
    )
  } else if (!/\btrackingEventMap\b/.test(existingTracking)) {
    todo.push(`${display(trackingPath)} exists and was left as is: make it export \`trackingEventMap\` (an EventMap)`)
  }

  // The tests' own compositions.
  const testCompositions: Array<string> = []
  for (const path of await sourceFiles(join(packageDir, "test"))) {
    const text = await readFile(path, "utf8")
    const result = wrapTestComposition(display(path), text, {
      importFrom,
      trackingModule: trackingSpecifier(dirname(path))
    })
    if (result === undefined) continue
    files.push({ path, relativePath: display(path), before: text, after: result.text })
    testCompositions.push(...result.wrapped.map((layer) => `${display(path)}: ${layer}`))
  }
  if (testCompositions.length > 0) {
    changes.push(
      `wraps the service layers the package's tests compose over a tracker (${testCompositions.length}), as the runtime's are: a test's own tracker receives the mapped events`
    )
  }

  const configReach = reachOf()
  todo.push(...brokenReachLines(configReach))
  const plan: MigratePlan = {
    ...base,
    eventMaps: eventMaps.map(({ format, exportName, sends }) => ({ format, exportName, sends })),
    payloads: {
      sent: eventMaps.flatMap(({ exportName, payloads }) =>
        payloads.map((payload) => ({ ...payload, map: exportName }))
      ),
      howToStop: eventMaps.flatMap(({ payloads, stopPayloads }) =>
        payloads.length > 0 && stopPayloads !== undefined ? [stopPayloads] : []
      ),
      sentByHand
    },
    status: "changes",
    reason: undefined,
    files,
    wrapped,
    testCompositions,
    changes,
    todo,
    configReach
  }
  return typeChecked(plan, { typeCheck: options.typeCheck, packageDir, tsConfigPath, progress })
}

/** Whether a runtime file builds upstream core's tracker layers (its hand-wired plumbing). */
const usesUpstreamTracker = (text: string): boolean =>
  text.includes(upstreamCoreModule) &&
  /\b(HttpBatchTrackerLayer|NoopTrackerLayer)\s*\(?/.test(text.replace(/import[\s\S]*?from\s*["'][^"']+["']/g, ""))
