import { UsageError, type ParsedArgs } from "./args.js"
import type { CliIo } from "./command.js"
import { typeCheckLine } from "./codemodCommand.js"
import { packageCommandArgs, progressLines, reportRunFailure } from "./packageCommand.js"
import { renderDiff } from "../codemod/write/diff.js"
import { parseEventSet } from "../codemod/migrate/eventSet.js"
import { runMigrate, type MigrateOutcome } from "../codemod/migrate/runMigrate.js"
import type { MigratePlan } from "../codemod/migrate/planMigrate.js"
import { brokenReachLines } from "../codemod/package/configReach.js"

/** `migrate <package-dir>`: loaded only when the command runs (it brings ts-morph). */
export const migrateCommand = async (args: ParsedArgs, io: CliIo): Promise<number> => {
  const { packageDir, mode, json, force, allowDirty, importFrom } = packageCommandArgs(args)
  const events = parseEventSet(typeof args.flags.events === "string" ? args.flags.events : undefined)
  if ("error" in events) throw new UsageError(events.error)
  let outcome: MigrateOutcome
  try {
    outcome = await runMigrate({
      packageDir,
      mode,
      events: events.set,
      force,
      allowDirty,
      ...importFrom,
      ...progressLines(io, json)
    })
  } catch (error) {
    return reportRunFailure(error, json, io)
  }
  if (json) {
    io.stdout.write(`${JSON.stringify(migrateJson(outcome), null, 2)}\n`)
    return outcome.exitCode
  }
  if (mode === "dry-run" && outcome.plan.files.length > 0) {
    io.stdout.write(renderDiff(outcome.plan.files, { colour: io.stdout.isTTY === true }))
    io.stderr.write(migrateText(outcome))
  } else io.stdout.write(migrateText(outcome))
  return outcome.exitCode
}

/** The outcome as JSON: the same facts as the text. */
export const migrateJson = (outcome: MigrateOutcome) => {
  const { plan } = outcome
  return {
    mode: outcome.mode,
    packageDir: plan.packageDir,
    events: plan.events,
    eventMaps: plan.eventMaps,
    payloads: plan.payloads,
    layout: plan.layout ?? "jobs",
    status: plan.status,
    reason: plan.reason ?? null,
    exitCode: outcome.exitCode,
    refused: outcome.refused ?? null,
    refusals: plan.refusals,
    interrupted: outcome.interrupted ?? null,
    written: outcome.written,
    underVersionControl: outcome.underVersionControl ?? null,
    files: plan.files.map((file) => ({ path: file.relativePath, created: file.before === undefined })),
    emitSites: plan.emitSites,
    removedWithEmits: plan.removedWithEmits,
    wrapped: plan.wrapped,
    testCompositions: plan.testCompositions,
    changes: plan.changes,
    todo: plan.todo,
    configMapping: plan.configMapping,
    configReach: plan.configReach,
    tsConfig: plan.tsConfig ?? null,
    diagnostics: plan.diagnostics ?? null,
    preExistingDiagnostics: plan.preExistingDiagnostics ?? null,
    ...(outcome.mode === "dry-run" ? { diff: renderDiff(plan.files) } : {})
  }
}

/** What the migrated package sends of its users' data, and how to stop it: read from the plan. */
const payloadLines = (payloads: MigratePlan["payloads"]): Array<string> => {
  const byHand = payloads.sentByHand.length === 0 ? "none" : payloads.sentByHand.join(", ")
  if (payloads.sent.length === 0)
    return [
      `User payload fields sent: none (the hand-placed emits sent: ${byHand}; the events of this set carry no user data).`
    ]
  return [
    `User payload fields sent, as the hand-placed emits sent them (${byHand}):`,
    list(payloads.sent.map((payload) => `${payload.field} in ${payload.types.join(", ")} (${payload.map})`)),
    ...(payloads.howToStop.length === 0 ? [] : ["To stop sending them:", list(payloads.howToStop)])
  ]
}

const list = (items: ReadonlyArray<string>) => items.map((item) => `  - ${item}`).join("\n")

/** The human summary. */
export const migrateText = (outcome: MigrateOutcome): string => {
  const { plan, mode } = outcome
  const lines: Array<string> = []
  const broken = brokenReachLines(plan.configReach)
  if (plan.status === "refused") {
    lines.push("Refused, nothing written: these hand-placed emits cannot be removed safely:")
    lines.push(list(plan.refusals.map((refusal) => `${refusal.file}:${refusal.line}: ${refusal.reason}`)))
    return `${lines.join("\n")}\n`
  }
  if (plan.status === "already-migrated") {
    lines.push(
      broken.length === 0
        ? `Already migrated (${plan.reason}); every public entry's tracker config reaches the tracker.`
        : `Migrated (${plan.reason}), but tracking cannot turn on:`
    )
    if (broken.length > 0) lines.push(list(broken))
    if (mode !== "check") lines.push("Nothing was written.")
    return `${lines.join("\n")}\n`
  }
  const files = plan.files.map((file) => `${file.relativePath}${file.before === undefined ? " (new)" : ""}`)
  if (mode === "check") {
    lines.push(
      `Not migrated: migrate would change ${files.length} files:`,
      list(files),
      "What it would do:",
      list(plan.changes)
    )
    return `${lines.join("\n")}\n`
  }
  lines.push(`${outcome.written.length > 0 ? "Changed" : "Would change"} ${files.length} files:`, list(files))
  lines.push(
    `Hand-placed emits removed (${plan.emitSites.length}):`,
    list(plan.emitSites.map((site) => `${site.file}:${site.line} ${site.eventType ?? "(event)"} (${site.form})`))
  )
  if (plan.removedWithEmits.length > 0)
    lines.push("Removed with them (they served the events only):", list(plan.removedWithEmits))
  lines.push("What else changes, and why:", list(plan.changes))
  lines.push(
    "The tracker config your users pass (upstream core's HttpBatchTrackerConfig) is read by this library's HTTP batch tracker:",
    list(plan.configMapping.map((entry) => `${entry.field} → ${entry.to} (${entry.how}): ${entry.note}`))
  )
  lines.push(
    // A workflow package has one event set: upstream core's workflow events.
    `Events: ${plan.layout === "workflow" ? "" : `--events ${plan.events}: `}${plan.eventMaps.map((entry) => `${entry.sends} (${entry.exportName})`).join(", side by side with ")}.`,
    ...payloadLines(plan.payloads)
  )
  if (plan.diagnostics !== undefined)
    lines.push(
      typeCheckLine({
        tsConfig: plan.tsConfig ?? null,
        filesChecked: plan.files.length,
        introduced: plan.diagnostics.length,
        preExisting: plan.preExistingDiagnostics?.length ?? 0,
        passed: plan.diagnostics.length === 0
      })
    )
  const todo = plan.todo
  lines.push(todo.length === 0 ? "Left to do by hand: nothing." : "Left to do by hand:")
  if (todo.length > 0) lines.push(list(todo))
  if (outcome.refused !== undefined) lines.push(`Refused: ${outcome.refused}.`)
  else if (outcome.written.length === 0) lines.push("Nothing was written.")
  return `${lines.join("\n")}\n`
}
