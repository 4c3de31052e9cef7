import { sep } from "node:path"
import { ExitCode, interruptExitCode } from "./report/exitCodes.js"
import type { InterruptSignal } from "./report/errors.js"
import { planCodemod, typeCheckPlan, type CodemodOptions, type CodemodPlan } from "./plan.js"
import { removeFiles } from "./write/writeFiles.js"
import { notUnderVersionControl, writeCheckedPlan } from "./write/writeCheckedPlan.js"

/**
 * - `write`: rewrite the files in place.
 * - `dry-run`: plan and type-check, write nothing.
 * - `check`: plan only (no type-check), write nothing; the exit code says whether the package is wired.
 */
export type CodemodMode = "write" | "dry-run" | "check"

export { ExitCode, interruptExitCode }

export interface CodemodRunOptions extends CodemodOptions {
  readonly mode?: CodemodMode
  /** Write even when the rewrite introduces type errors (errors the package had before never block). */
  readonly force?: boolean
  /** Write even when the files to touch have uncommitted changes. */
  readonly allowDirty?: boolean
  /**
   * What a user should know before the files are written (the package is not under version
   * control), one line each. The same facts are in the outcome.
   */
  readonly onWarning?: (line: string) => void
}

export { notUnderVersionControl }

/** Said by a dry run of such a package: what a write would mean. */
export const dryRunNotUnderVersionControl =
  "not under version control: a write could not be undone with git; commit the package or keep a copy first"

export interface CodemodOutcome {
  readonly mode: CodemodMode
  readonly plan: CodemodPlan
  /** Paths written, relative to the package directory. */
  readonly written: ReadonlyArray<string>
  /** Temp files of an earlier, interrupted run that this run removed (relative paths). */
  readonly removedLeftovers: ReadonlyArray<string>
  /** Why nothing was written although there were changes, when the codemod refused. */
  readonly refused: string | undefined
  /** A signal that arrived during the last renames: they were finished, every file is written. */
  readonly interrupted: InterruptSignal | undefined
  /**
   * Whether the package is in a git working tree, so that a write can be undone with git:
   * looked at when there are files to change (write and dry-run modes), else `undefined`.
   */
  readonly underVersionControl: boolean | undefined
  readonly exitCode: number
}

/**
 * Plans, checks and (in `write` mode) writes. Bad input throws a `CodemodInputError`.
 *
 * @example
 * ```ts
 * import { runCodemod } from "durable-effect-tracking/codemod"
 *
 * // What the CLI's --dry-run does: plan and type-check, write nothing.
 * export const preview = async (packageDir: string) => {
 *   const outcome = await runCodemod({ packageDir, mode: "dry-run" })
 *   return { status: outcome.plan.status, exitCode: outcome.exitCode }
 * }
 * ```
 *
 * @category Codemod
 */
export const runCodemod = async (options: CodemodRunOptions): Promise<CodemodOutcome> => {
  const mode = options.mode ?? "write"
  const progress = options.onProgress ?? (() => undefined)
  const analysed = await planCodemod({ ...options, typeCheck: false })
  const outcome = (
    plan: CodemodPlan,
    exitCode: number,
    extra: Partial<
      Pick<CodemodOutcome, "written" | "removedLeftovers" | "refused" | "interrupted" | "underVersionControl">
    > = {}
  ): CodemodOutcome => ({
    mode,
    plan,
    written: [],
    removedLeftovers: [],
    refused: undefined,
    interrupted: undefined,
    underVersionControl: undefined,
    ...extra,
    exitCode
  })
  const removeLeftovers = async (): Promise<ReadonlyArray<string>> => {
    if (mode !== "write" || analysed.leftovers.length === 0) return []
    await removeFiles(analysed.leftovers.map((path) => `${analysed.packageDir}${sep}${path.split("/").join(sep)}`))
    return analysed.leftovers
  }

  if (analysed.status === "tracked-by-hand")
    return outcome(analysed, analysed.handPlacedEmits.length > 0 ? ExitCode.useMigrate : ExitCode.trackedByHand)
  if (analysed.status === "already-wired" || analysed.files.length === 0) {
    // Wired is not enough: a tracker config that cannot reach the tracker leaves tracking off.
    const reaches = analysed.configReach?.ok !== false
    return outcome(analysed, reaches ? ExitCode.ok : ExitCode.wouldChange, {
      removedLeftovers: await removeLeftovers()
    })
  }
  if (mode === "check") return outcome(analysed, ExitCode.wouldChange)

  let removedLeftovers: ReadonlyArray<string> = []
  const { plan, exitCode, ...written } = await writeCheckedPlan({
    mode,
    plan: analysed,
    typeCheck: (unchecked) => (options.typeCheck === false ? unchecked : typeCheckPlan(unchecked, progress)),
    change: "the rewrite",
    force: options.force,
    allowDirty: options.allowDirty,
    onWarning: options.onWarning ?? progress,
    beforeWrite: async () => {
      removedLeftovers = await removeLeftovers()
    }
  })
  return outcome(plan, exitCode, { ...written, removedLeftovers })
}
