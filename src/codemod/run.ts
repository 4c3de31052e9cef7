import { relative, sep } from "node:path"
import { uncommittedFiles } from "./git.js"
import { planCodemod, typeCheckPlan, type CodemodOptions, type CodemodPlan } from "./plan.js"
import { assertWritable, writeFilesAtomically } from "./writeFiles.js"

/**
 * - `write`: rewrite the files in place.
 * - `dry-run`: plan and type-check, write nothing.
 * - `check`: plan only (no type-check), write nothing; the exit code says whether the package is wired.
 */
export type CodemodMode = "write" | "dry-run" | "check"

/** Exit codes of the codemod, shared by the API and the CLI. */
export const ExitCode = {
  /** Done, or nothing to do; with `check`: already wired. */
  ok: 0,
  /** `check` only: the codemod would change files. */
  wouldChange: 1,
  /** Bad input or a refusal (type errors, uncommitted changes, read-only files): nothing written. */
  error: 2,
  /** The package provides an EventTracker layer of its own: reported, nothing changed. */
  trackedByHand: 3
} as const

export interface CodemodRunOptions extends CodemodOptions {
  readonly mode?: CodemodMode
  /** Write despite type errors in the result or uncommitted changes in the files to touch. */
  readonly force?: boolean
}

export interface CodemodOutcome {
  readonly mode: CodemodMode
  readonly plan: CodemodPlan
  /** Paths written, relative to the package directory. */
  readonly written: ReadonlyArray<string>
  /** Why nothing was written although there were changes, when the codemod refused. */
  readonly refused: string | undefined
  readonly exitCode: number
}

/** Plans, checks and (in `write` mode) writes. Bad input throws a `CodemodInputError`. */
export const runCodemod = async (options: CodemodRunOptions): Promise<CodemodOutcome> => {
  const mode = options.mode ?? "write"
  const force = options.force === true
  const progress = options.onProgress ?? (() => undefined)
  const analysed = await planCodemod({ ...options, typeCheck: false })
  const outcome = (plan: CodemodPlan, exitCode: number, written: ReadonlyArray<string> = [], refused?: string): CodemodOutcome => ({
    mode,
    plan,
    written,
    refused,
    exitCode
  })

  if (analysed.status === "tracked-by-hand") return outcome(analysed, ExitCode.trackedByHand)
  if (analysed.status === "already-wired" || analysed.files.length === 0) return outcome(analysed, ExitCode.ok)
  if (mode === "check") return outcome(analysed, ExitCode.wouldChange)

  // Cheap refusals before the slow type-check.
  if (mode === "write") {
    await assertWritable(analysed.files, (path) => relativeDisplay(analysed.packageDir, path))
    if (!force) {
      const dirty = await uncommittedFiles(
        analysed.packageDir,
        analysed.files.filter((file) => file.before !== undefined).map((file) => file.path)
      )
      if (dirty !== undefined && dirty.length > 0) {
        return outcome(analysed, ExitCode.error, [], `uncommitted changes in ${dirty.join(", ")}; commit or stash them first (--force skips this check)`)
      }
    }
  }

  const plan = options.typeCheck === false ? analysed : typeCheckPlan(analysed, progress)
  if (mode === "dry-run") return outcome(plan, ExitCode.ok)
  const typeErrors = plan.diagnostics ?? []
  if (typeErrors.length > 0 && !force) {
    return outcome(plan, ExitCode.error, [], `the rewritten files do not type-check (${typeErrors.length} error${typeErrors.length === 1 ? "" : "s"}); nothing written (--force writes anyway)`)
  }
  await writeFilesAtomically(plan.files, (path) => relativeDisplay(plan.packageDir, path))
  return outcome(plan, ExitCode.ok, plan.files.map((file) => file.relativePath))
}

const relativeDisplay = (packageDir: string, path: string): string => relative(packageDir, path).split(sep).join("/") || "."
