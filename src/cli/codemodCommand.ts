import type { ParsedArgs } from "./args.js"
import { packageCommandArgs, progressLines, reportRunFailure } from "./packageCommand.js"
import type { CliIo } from "./command.js"
import { renderDiff } from "../codemod/write/diff.js"
import {
  dryRunNotUnderVersionControl,
  notUnderVersionControl,
  runCodemod,
  type CodemodOutcome
} from "../codemod/run.js"
import { typeCheckSummary, type TypeCheckSummary } from "../codemod/plan.js"
import type { TypeDiagnostic } from "../codemod/package/typeCheck.js"
import { coverageSummaryJson, coverageSummaryText } from "../codemod/coverage/render.js"

/** `codemod <package-dir>`: loaded only when the command runs (it brings ts-morph). */
export const codemodCommand = async (args: ParsedArgs, io: CliIo): Promise<number> => {
  const { packageDir, mode, json, force, allowDirty, importFrom } = packageCommandArgs(args)
  let outcome: CodemodOutcome
  try {
    outcome = await runCodemod({
      packageDir,
      mode,
      force,
      allowDirty,
      allowHandPlacedEmits: args.flags["allow-hand-emits"] === true,
      ...importFrom,
      // Warnings come before anything is written, whatever the output: with --json the field says it.
      ...progressLines(io, json)
    })
  } catch (error) {
    return reportRunFailure(error, json, io)
  }

  if (json) {
    io.stdout.write(`${JSON.stringify(summaryJson(outcome), null, 2)}\n`)
    return outcome.exitCode
  }
  if (mode === "dry-run" && outcome.plan.files.length > 0) {
    io.stdout.write(renderDiff(outcome.plan.files, { colour: io.stdout.isTTY === true }))
    io.stderr.write(summaryText(outcome))
  } else {
    io.stdout.write(summaryText(outcome))
  }
  return outcome.exitCode
}

/** The summary as JSON: the same facts as the text summary. */
export const summaryJson = (outcome: CodemodOutcome) => {
  const { plan } = outcome
  return {
    mode: outcome.mode,
    packageDir: plan.packageDir,
    status: plan.status,
    reason: plan.reason ?? null,
    partlyWired: plan.partlyWired ?? null,
    exitCode: outcome.exitCode,
    refused: outcome.refused ?? null,
    interrupted: outcome.interrupted ?? null,
    written: outcome.written,
    // null when not looked at (--check, or nothing to change); false: a write cannot be undone with git.
    underVersionControl: outcome.underVersionControl ?? null,
    files: plan.files.map((file) => ({ path: file.relativePath, created: file.before === undefined })),
    wrapped: plan.wrapped,
    untouched: plan.untouched,
    changes: plan.changes,
    todo: plan.todo,
    tsConfig: plan.tsConfig ?? null,
    // null when not type-checked (--check, or nothing to change).
    typeCheck: typeCheckSummary(plan) ?? null,
    diagnostics: plan.diagnostics ?? null,
    preExistingDiagnostics: plan.preExistingDiagnostics ?? null,
    leftovers: plan.leftovers,
    removedLeftovers: outcome.removedLeftovers,
    // As the text summary: after a write or a dry run that changes the package.
    next: plan.status === "changes" && outcome.mode !== "check" ? nextSteps : [],
    ...(outcome.mode === "dry-run" ? { diff: renderDiff(plan.files) } : {}),
    coverage: plan.coverage === undefined ? null : coverageSummaryJson(plan.coverage),
    handPlacedEmits: plan.handPlacedEmits,
    // A package that emits by hand is migrated, not wired: the command to run, or null.
    migrate: plan.handPlacedEmits.length > 0 ? { command: `durable-effect-tracking migrate ${plan.packageDir}` } : null,
    // Whether each public entry's tracker config reaches the tracker; null when not followed.
    configReach: plan.configReach ?? null
  }
}

/**
 * What to do after a run that changes the package, in the text summary and the JSON's `next`.
 * They name the library's current constructors only (`InMemoryTracker.make()`, not the
 * deprecated `createInMemoryTracker*`).
 */
export const nextSteps: ReadonlyArray<string> = [
  "tracking stays off until a tracker is passed: createDurableJobs(definitions, { tracker: { endpoint, ... } }) (or a function of env returning one), createJobsRuntime({ ..., tracker }) or, in tests, createJobsRuntimeFromLayer(layer, registry, { tracker: InMemoryTracker.make().tracker })",
  "adjust src/tracking.ts if its map is not what you want (`durable-effect-tracking coverage <package-dir> --map src/tracking.ts` measures it on the package)"
]

const list = (items: ReadonlyArray<string>) => items.map((item) => `  - ${item}`).join("\n")
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`
/** One line: what was checked, with what, and the result. */
export const typeCheckLine = (check: TypeCheckSummary): string => {
  const what = `Type-check of the ${plural(check.filesChecked, "changed file")} with ${check.tsConfig ?? "default compiler options"}`
  const before =
    check.preExisting === 0 ? "" : `; ${plural(check.preExisting, "type error")} the package already had, not blocking`
  return check.passed
    ? `${what}: passed, no type errors introduced${before}.`
    : `${what}: failed, the rewrite introduces ${plural(check.introduced, "type error")}${before}.`
}

const diagnosticLine = (d: TypeDiagnostic) => `${d.file}:${d.line}:${d.column} TS${d.code}: ${d.message.split("\n")[0]}`

/** The human summary: what was (or would be) done, and what is left to do by hand. */
export const summaryText = (outcome: CodemodOutcome): string => {
  const { plan, mode } = outcome
  const lines: Array<string> = []
  if (plan.leftovers.length > 0) {
    lines.push(
      outcome.removedLeftovers.length > 0
        ? `Removed ${plural(outcome.removedLeftovers.length, "temp file")} an earlier, interrupted run left behind:`
        : `Temp files an earlier, interrupted run left behind (a write removes them):`,
      list(plan.leftovers)
    )
  }
  if (plan.status === "already-wired") {
    if (plan.configReach?.ok === false) {
      lines.push(
        `Wired (${plan.reason}), but tracking cannot turn on: the codemod cannot mend this, do it by hand:`,
        list(plan.todo)
      )
    } else lines.push(`Already wired (${plan.reason}): nothing to do.`)
    return `${lines.join("\n")}\n`
  }
  if (plan.status === "tracked-by-hand" && plan.handPlacedEmits.length > 0) {
    lines.push(
      `Not changed: the package tracks by hand (${plan.reason}).`,
      "Wiring the codemod's tracking in beside those emits would send events twice. `migrate` removes them,",
      "rewires the tracker and keeps the package's tracking API: see docs/migrate.md."
    )
    return `${lines.join("\n")}\n`
  }
  if (plan.status === "tracked-by-hand") {
    lines.push(
      `Not changed: the package provides an EventTracker of its own (${plan.reason}).`,
      "Wiring the codemod's tracker in as well would track events twice. Wrap the service layers with",
      "withTracking by hand, under your tracker layer, or remove your tracker layer and run the codemod again."
    )
    return `${lines.join("\n")}\n`
  }
  const files = plan.files.map((file) => `${file.relativePath}${file.before === undefined ? " (new)" : ""}`)
  if (plan.partlyWired !== undefined) lines.push(`Partly wired: ${plan.partlyWired}, but not every piece is.`)
  if (mode === "check") {
    lines.push(
      `${plan.partlyWired === undefined ? "Not wired yet" : "Missing"}: the codemod would change ${plural(files.length, "file")}:`,
      list(files)
    )
    lines.push("What it would do:", list(plan.changes))
    return `${lines.join("\n")}\n`
  }
  const done = outcome.written.length > 0
  lines.push(`${done ? "Changed" : "Would change"} ${plural(files.length, "file")}:`, list(files))
  if (plan.wrapped.length > 0) {
    lines.push(`Wrapped with withTracking in src/runtime/runtime.ts:`)
    lines.push(
      list(
        plan.wrapped.map(
          (entry) =>
            `${entry.layer}${entry.localName === entry.layer ? "" : ` (as ${entry.localName})`}, line ${entry.line}`
        )
      )
    )
  }
  if (plan.untouched.length > 0) {
    lines.push("Left untouched in src/runtime/runtime.ts:")
    lines.push(list(plan.untouched.map((entry) => `${entry.layer}, line ${entry.line}: ${entry.reason}`)))
  }
  lines.push("What else changes, and why:", list(plan.changes))
  const check = typeCheckSummary(plan)
  if (check !== undefined) lines.push(typeCheckLine(check))
  const checkedWith = plan.tsConfig ?? "default compiler options"
  if (plan.diagnostics !== undefined && plan.diagnostics.length > 0) {
    lines.push(
      `Type errors the rewrite introduces (checked with ${checkedWith}):`,
      list(plan.diagnostics.map(diagnosticLine))
    )
  }
  if (plan.preExistingDiagnostics !== undefined && plan.preExistingDiagnostics.length > 0) {
    lines.push(
      `Type errors the package had before the rewrite, in the files it changes (not blocking; checked with ${checkedWith}):`,
      list(plan.preExistingDiagnostics.map(diagnosticLine))
    )
  }
  lines.push(plan.todo.length === 0 ? "Left to do by hand: nothing." : "Left to do by hand:")
  if (plan.todo.length > 0) lines.push(list(plan.todo))
  lines.push("Next:", list(nextSteps))
  if (outcome.refused !== undefined) lines.push(`Refused: ${outcome.refused}.`)
  else if (outcome.interrupted !== undefined)
    lines.push(
      `Interrupted by ${outcome.interrupted} during the last renames: finished them first, every file is written.`
    )
  else if (!done) lines.push("Nothing was written.")
  if (outcome.underVersionControl === false && mode === "dry-run")
    lines.push(`Warning: ${mode === "dry-run" ? dryRunNotUnderVersionControl : notUnderVersionControl}.`)
  if (plan.coverage !== undefined) lines.push(coverageSummaryText(plan.coverage).trimEnd())
  return `${lines.join("\n")}\n`
}
