import { ExitCode } from "../report/exitCodes.js"
import type { InterruptSignal } from "../report/errors.js"
import { writeCheckedPlan } from "../write/writeCheckedPlan.js"
import { planMigrate, type MigrateOptions, type MigratePlan } from "./planMigrate.js"
import { workflowLayoutOf } from "../package/workflowPackage.js"
import { planWorkflowMigrate } from "./planWorkflowMigrate.js"

/** As the codemod's: `write` rewrites in place, `dry-run` plans and type-checks, `check` plans only. */
export type MigrateMode = "write" | "dry-run" | "check"

export interface MigrateRunOptions extends MigrateOptions {
  readonly mode?: MigrateMode
  /** Write even when the migration introduces type errors. */
  readonly force?: boolean
  /** Write even when the files to touch have uncommitted changes. */
  readonly allowDirty?: boolean
  /** What a user should know before the files are written (not under version control). */
  readonly onWarning?: (line: string) => void
}

export interface MigrateOutcome {
  readonly mode: MigrateMode
  readonly plan: MigratePlan
  readonly written: ReadonlyArray<string>
  /** Why nothing was written although there were changes, when the migration refused. */
  readonly refused: string | undefined
  readonly interrupted: InterruptSignal | undefined
  readonly underVersionControl: boolean | undefined
  readonly exitCode: number
}

/**
 * Plans, checks and (in `write` mode) writes the migration, all or nothing. Exit codes are the
 * codemod's: 0 done (`--check`: migrated, every public entry's tracker config reaching the
 * tracker), 1 `--check` only: not migrated (or a config that cannot reach the tracker), 2 bad
 * input or a refusal (an emit it cannot remove, new type errors, uncommitted changes, a package
 * migrated already): nothing written. Bad input throws a `CodemodInputError`.
 */
export const runMigrate = async (options: MigrateRunOptions): Promise<MigrateOutcome> => {
  const mode = options.mode ?? "write"
  const progress = options.onProgress ?? (() => undefined)
  const planOptions = {
    ...options,
    typeCheck: mode !== "check" && options.typeCheck !== false,
    onProgress: progress
  }
  // A workflow package has a migration of its own; any other directory is taken for a jobs package.
  const workflow = await workflowLayoutOf(options.packageDir)
  const plan =
    workflow === undefined ? await planMigrate(planOptions) : await planWorkflowMigrate(planOptions, workflow)
  const outcome = (
    exitCode: number,
    extra: Partial<Pick<MigrateOutcome, "written" | "refused" | "interrupted" | "underVersionControl">> = {}
  ): MigrateOutcome => ({
    mode,
    plan,
    written: [],
    refused: undefined,
    interrupted: undefined,
    underVersionControl: undefined,
    ...extra,
    exitCode
  })
  if (plan.status === "refused") {
    return outcome(ExitCode.error, {
      refused: plan.refusals.map((refusal) => `${refusal.file}:${refusal.line}: ${refusal.reason}`).join("; ")
    })
  }
  if (mode === "check") {
    return outcome(plan.status === "already-migrated" && plan.configReach.ok ? ExitCode.ok : ExitCode.wouldChange)
  }
  if (plan.status === "already-migrated") {
    return outcome(ExitCode.error, { refused: `${plan.reason}; nothing to do (--check confirms it)` })
  }
  // The plan was type-checked as it was made (not in `check` mode, which ends above).
  const {
    plan: _checked,
    exitCode,
    ...written
  } = await writeCheckedPlan({
    mode,
    plan,
    typeCheck: (checked) => checked,
    change: "the migration",
    force: options.force,
    allowDirty: options.allowDirty,
    onWarning: options.onWarning ?? progress
  })
  return outcome(exitCode, written)
}
