import { join } from "node:path"
import { checkConfigReach, type ConfigReach } from "../package/configReach.js"
import { typeCheckChange } from "../package/typeCheck.js"
import { CodemodInputError } from "../report/errors.js"
import { relativePosix } from "../report/displayPath.js"
import type { PlannedChange } from "../write/writeFiles.js"
import type { EmitSite } from "./emitSites.js"
import { trackerConfigMapping } from "./configMapping.js"
import type { EventOnlyCodeOptions } from "./eventOnlyCode.js"
import { payloadFieldsSentByHand } from "./eventSetMaps.js"
import type { MigrateEventSet } from "./eventSet.js"
import { removeHandEmits, type SourceChange } from "./handEmitRemoval.js"

// Pieces every package's migration plan is made of, whatever its layout.

/** The sources the migration changes, as files to write. */
export const changedFiles = (packageDir: string, sources: ReadonlyMap<string, SourceChange>): Array<PlannedChange> =>
  [...sources].flatMap(([relativePath, { before, after }]) =>
    before === after ? [] : [{ path: join(packageDir, relativePath), relativePath, before, after }]
  )

/**
 * Every source of the package's `src`, parsed, with the hand-placed emits planned out, whatever
 * the layout: what the emits sent of the user's payloads, how to follow the tracker config
 * through the sources as they will be, and the parts of the plan that say so.
 */
export const planEmitRemoval = async (
  packageDir: string,
  display: (path: string) => string,
  plan: { readonly importFrom: string; readonly events: MigrateEventSet },
  options?: EventOnlyCodeOptions
) => {
  const { sources, emitSites, refusals, removedWithEmits, removedEmitText } = await removeHandEmits(
    join(packageDir, "src"),
    display,
    options
  )
  return {
    sources,
    sentByHand: payloadFieldsSentByHand(removedEmitText),
    reachOf: () => checkConfigReach([...sources].map(([path, { after }]) => ({ path, text: after }))),
    base: {
      packageDir,
      importFrom: plan.importFrom,
      events: plan.events,
      emitSites,
      refusals,
      removedWithEmits,
      configMapping: trackerConfigMapping,
      diagnostics: undefined,
      preExistingDiagnostics: undefined,
      tsConfig: undefined
    }
  }
}

/** A plan's parts when it changes nothing (refused or already migrated): no file, no map, no payload sent. */
const nothingPlanned = (sentByHand: ReadonlyArray<string>) => ({
  files: [],
  wrapped: [],
  testCompositions: [],
  changes: [],
  todo: [],
  eventMaps: [],
  payloads: { sent: [], howToStop: [], sentByHand }
})

/**
 * What a migration plans before it changes anything, whatever the layout: a refusal when some
 * emits cannot be removed safely; "already migrated" when no hand-placed tracking is left and the
 * composition (`file`, `text`) wires `withTracking`; `undefined` when there is work to do. A
 * package with neither is not one to migrate: a {@link CodemodInputError} saying what was
 * `expected` and what to do (`detail`).
 */
export const plannedWithoutChange = <B extends object>(
  base: B,
  facts: {
    readonly packageDir: string
    readonly sentByHand: ReadonlyArray<string>
    readonly refusals: number
    readonly tracksByHand: boolean
    readonly composition: { readonly file: string; readonly text: string }
    readonly reachOf: () => ConfigReach
    readonly expected: string
    readonly detail: string
  }
) => {
  const nothing = nothingPlanned(facts.sentByHand)
  if (facts.refusals > 0) {
    return {
      ...base,
      ...nothing,
      status: "refused" as const,
      reason: refusedReason(facts.refusals),
      configReach: facts.reachOf()
    }
  }
  if (facts.tracksByHand) return undefined
  if (/\bwithTracking\b/.test(facts.composition.text)) {
    return {
      ...base,
      ...nothing,
      status: "already-migrated" as const,
      reason: `no hand-placed emitEvent left in src and ${facts.composition.file} wires withTracking: already migrated`,
      configReach: facts.reachOf()
    }
  }
  throw new CodemodInputError({ file: facts.packageDir, expected: facts.expected, detail: facts.detail })
}

/** The line that says which emits go, by file, and what emits in their place. */
export const emitsRemovedLine = (emitSites: ReadonlyArray<EmitSite>, instead: string): string => {
  const byFile = new Map<string, number>()
  for (const site of emitSites) byFile.set(site.file, (byFile.get(site.file) ?? 0) + 1)
  return `removes the ${emitSites.length} hand-placed emitEvent call${emitSites.length === 1 ? "" : "s"} (${[...byFile].map(([file, count]) => `${file} ×${count}`).join(", ")}) and what computed only for them: ${instead}`
}

/** Why a plan is refused: the emits it cannot take out. */
const refusedReason = (count: number): string =>
  `${count} hand-placed emit${count === 1 ? "" : "s"} cannot be removed safely`

/** The plan's files type-checked with the package's tsconfig (unless told not to): the diagnostics it brings. */
export const typeChecked = <P extends { readonly files: ReadonlyArray<PlannedChange> }>(
  plan: P,
  options: {
    readonly typeCheck: boolean | undefined
    readonly packageDir: string
    readonly tsConfigPath: string | undefined
    readonly progress: (line: string) => void
  }
) => {
  if (options.typeCheck === false || plan.files.length === 0) return plan
  const tsConfig =
    options.tsConfigPath === undefined ? undefined : relativePosix(options.packageDir, options.tsConfigPath)
  options.progress(`type-checking ${plan.files.length} files with ${tsConfig ?? "default compiler options"}`)
  const { introduced, preExisting } = typeCheckChange(options.packageDir, options.tsConfigPath, plan.files)
  return { ...plan, diagnostics: introduced, preExistingDiagnostics: preExisting, tsConfig }
}
