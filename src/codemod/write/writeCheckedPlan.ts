import { ExitCode, interruptExitCode } from "../report/exitCodes.js"
import { relativePosix } from "../report/displayPath.js"
import type { InterruptSignal } from "../report/errors.js"
import { writeFilesAtomically, type PlannedChange } from "./writeFiles.js"
import { assertWritable, insideGitWorkTree, uncommittedRefusal } from "./writable.js"

/** Said before writing a package that is not in a git working tree (or when git is missing). */
export const notUnderVersionControl =
  "not under version control: these edits cannot be undone with git; run with --dry-run to preview"

/** A plan of changes to a package, with the type errors they introduce once checked. */
export interface WritablePlan {
  readonly packageDir: string
  readonly files: ReadonlyArray<PlannedChange>
  readonly diagnostics?: ReadonlyArray<unknown> | undefined
}

export interface CheckedPlanWrite<P extends WritablePlan> {
  /** `dry-run`: every check but the write. */
  readonly mode: "write" | "dry-run"
  readonly plan: P
  /** The plan with its type errors (slow: run after the cheap refusals); the plan itself when checked already. */
  readonly typeCheck: (plan: P) => P
  /** What the plan is, for a refusal: "the rewrite", "the migration". */
  readonly change: string
  /** Write even when the change introduces type errors. */
  readonly force?: boolean | undefined
  /** Write even when the files to touch have uncommitted changes. */
  readonly allowDirty?: boolean | undefined
  /** Told {@link notUnderVersionControl} before writing outside a git working tree. */
  readonly onWarning: (line: string) => void
  /** Run right before the files are written (not when refused, nor in a dry run). */
  readonly beforeWrite?: () => Promise<void>
}

export interface CheckedPlanOutcome<P extends WritablePlan> {
  /** The plan, type-checked. */
  readonly plan: P
  readonly underVersionControl: boolean
  /** Why nothing was written although there were changes. */
  readonly refused: string | undefined
  /** Paths written, relative to the package directory. */
  readonly written: ReadonlyArray<string>
  /** A signal that arrived during the last renames: they were finished, every file is written. */
  readonly interrupted: InterruptSignal | undefined
  readonly exitCode: number
}

/**
 * The write step `codemod` and `migrate` share, for a plan with changes: the files must be
 * writable and (unless `allowDirty`) free of uncommitted work, checked before the slow
 * type-check; a change that introduces type errors is refused (unless `force`); outside a git
 * working tree a warning comes first; then every file is written, all or nothing, also when
 * interrupted. Refusals write nothing and exit 2; a file that cannot be written is bad input
 * (a `CodemodInputError`).
 */
export const writeCheckedPlan = async <P extends WritablePlan>(
  options: CheckedPlanWrite<P>
): Promise<CheckedPlanOutcome<P>> => {
  const { mode } = options
  const { packageDir, files } = options.plan
  const display = (path: string) => relativePosix(packageDir, path) || "."
  const underVersionControl = await insideGitWorkTree(packageDir)
  const outcome = (
    plan: P,
    exitCode: number,
    extra: Partial<Pick<CheckedPlanOutcome<P>, "refused" | "written" | "interrupted">> = {}
  ): CheckedPlanOutcome<P> => ({
    plan,
    underVersionControl,
    refused: undefined,
    written: [],
    interrupted: undefined,
    ...extra,
    exitCode
  })
  if (mode === "write") {
    await assertWritable(files, display)
    const refused = options.allowDirty === true ? undefined : await uncommittedRefusal(packageDir, files)
    if (refused !== undefined) return outcome(options.plan, ExitCode.error, { refused })
  }
  const plan = options.typeCheck(options.plan)
  if (mode === "dry-run") return outcome(plan, ExitCode.ok)
  const introduced = plan.diagnostics ?? []
  if (introduced.length > 0 && options.force !== true) {
    return outcome(plan, ExitCode.error, {
      refused: `${options.change} introduces ${introduced.length} type error${introduced.length === 1 ? "" : "s"}; nothing written (--force writes anyway)`
    })
  }
  if (!underVersionControl) options.onWarning(notUnderVersionControl)
  await options.beforeWrite?.()
  const { interrupted } = await writeFilesAtomically(plan.files, display)
  return outcome(plan, interrupted === undefined ? ExitCode.ok : interruptExitCode(interrupted), {
    written: plan.files.map((file) => file.relativePath),
    interrupted
  })
}
