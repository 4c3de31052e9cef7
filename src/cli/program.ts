import { parseArgs } from "node:util"
import { CodemodInputError } from "../codemod/errors.js"
import { renderDiff } from "../codemod/diff.js"
import { ExitCode, runCodemod, type CodemodMode, type CodemodOutcome } from "../codemod/run.js"
import { defaultImportFrom } from "../codemod/plan.js"
import { describeCoverage } from "../instrument/coverage.js"
import { defaultJobsEventMap } from "../jobs/defaultJobsEventMap.js"

/** Where the CLI reads and writes: the process's streams, or a test's buffers. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean }
  readonly stderr: { write(text: string): unknown }
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr })

const name = "durable-effect-tracking"

const usage = `Usage: ${name} <command> [options]

Commands:
  codemod <package-dir>   wire tracking into a jobs package (rewrites src/runtime/runtime.ts and where the tracker option flows)
  coverage                which service method emits which job event in the default event map

Options:
  -h, --help              show help; \`${name} <command> --help\` for a command's options
`

const codemodUsage = `Usage: ${name} codemod <package-dir> [options]

Wraps the jobs service layers of the package's createDispatcherLayer in withTracking, puts the
tracker layer under them, flushes events at the end of every run, adds an optional \`tracker\`
option (JobsRuntimeConfig, createJobsRuntimeFromLayer, the engine, createDurableJobs) and
scaffolds src/tracking.ts with the default event map. Tracking stays off until a tracker is given.

Options:
  --dry-run               print the changes as a unified diff (stdout; the summary goes to stderr); write nothing
  --check                 write nothing; exit 0 when the package is already wired, 1 when the codemod would change it
  --force                 write even when the rewritten files do not type-check or have uncommitted changes
  --json                  print the summary (and, with --dry-run, the diff) as JSON on stdout
  --import-from <spec>    the module specifier of this library in the generated imports (default: ${defaultImportFrom})
  -h, --help              show this help

Exit codes:
  0  done, or nothing to do (--check: already wired)
  1  --check only: the codemod would change files
  2  bad input or refused (missing directory or runtime.ts, syntax error, unrecognised composition,
     read-only files, type errors after the rewrite, uncommitted changes): nothing written
  3  the package provides an EventTracker layer of its own: reported, nothing changed
`

const coverageUsage = `Usage: ${name} coverage [options]

Prints, for every job event type, the service methods of the default event map that emit it,
and which event types it does not produce.

Options:
  --json                  print the coverage report as JSON
  -h, --help              show this help
`

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit code.
 * It never calls `process.exit`, so tests run it in-process.
 */
export const main = async (argv: ReadonlyArray<string>, io: CliIo = processIo()): Promise<number> => {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case undefined:
        io.stderr.write(usage)
        return ExitCode.error
      case "-h":
      case "--help":
      case "help":
        io.stdout.write(usage)
        return ExitCode.ok
      case "codemod":
        return await codemod(rest, io)
      case "coverage":
        return coverage(rest, io)
      default:
        io.stderr.write(`${name}: unknown command '${command}'\n\n${usage}`)
        return ExitCode.error
    }
  } catch (error) {
    if (isUsageError(error)) {
      io.stderr.write(`${name} ${command}: ${(error as Error).message}\nRun \`${name} ${command} --help\` for usage.\n`)
      return ExitCode.error
    }
    throw error
  }
}

class UsageError extends Error {}

const isUsageError = (error: unknown): boolean =>
  error instanceof UsageError ||
  (error instanceof TypeError && typeof (error as NodeJS.ErrnoException).code === "string" && (error as NodeJS.ErrnoException).code!.startsWith("ERR_PARSE_ARGS"))

const codemod = async (args: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: {
      "dry-run": { type: "boolean" },
      check: { type: "boolean" },
      force: { type: "boolean" },
      json: { type: "boolean" },
      "import-from": { type: "string" },
      help: { type: "boolean", short: "h" }
    }
  })
  if (values.help === true) {
    io.stdout.write(codemodUsage)
    return ExitCode.ok
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? "missing <package-dir>" : `expected one <package-dir>, got ${positionals.length}`)
  }
  if (values["dry-run"] === true && values.check === true) throw new UsageError("--dry-run and --check exclude each other")
  const importFrom = values["import-from"]
  if (importFrom !== undefined && importFrom.trim() === "") throw new UsageError("--import-from needs a module specifier")
  const mode: CodemodMode = values.check === true ? "check" : values["dry-run"] === true ? "dry-run" : "write"
  const json = values.json === true
  const packageDir = positionals[0]!

  let outcome: CodemodOutcome
  try {
    outcome = await runCodemod({
      packageDir,
      mode,
      force: values.force === true,
      ...(importFrom === undefined ? {} : { importFrom }),
      onProgress: (line) => {
        if (!json) io.stderr.write(`${line}...\n`)
      }
    })
  } catch (error) {
    if (!(error instanceof CodemodInputError)) throw error
    if (json) {
      io.stdout.write(`${JSON.stringify({ error: { file: error.file, expected: error.expected, detail: error.detail, message: error.message } }, null, 2)}\n`)
    } else {
      io.stderr.write(`error: ${error.message}\nNothing was written.\n`)
    }
    return ExitCode.error
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
    exitCode: outcome.exitCode,
    refused: outcome.refused ?? null,
    written: outcome.written,
    files: plan.files.map((file) => ({ path: file.relativePath, created: file.before === undefined })),
    wrapped: plan.wrapped,
    untouched: plan.untouched,
    changes: plan.changes,
    todo: plan.todo,
    diagnostics: plan.diagnostics ?? null,
    ...(outcome.mode === "dry-run" ? { diff: renderDiff(plan.files) } : {})
  }
}

const list = (items: ReadonlyArray<string>) => items.map((item) => `  - ${item}\n`).join("")

/** The human summary: what was (or would be) done, and what is left to do by hand. */
export const summaryText = (outcome: CodemodOutcome): string => {
  const { plan, mode } = outcome
  if (plan.status === "already-wired") {
    return `Already wired (${plan.reason}): nothing to do.\n`
  }
  if (plan.status === "tracked-by-hand") {
    return (
      `Not changed: the package provides an EventTracker of its own (${plan.reason}).\n` +
      "Wiring the codemod's tracker in as well would track events twice. Wrap the service layers with\n" +
      "withTracking by hand, under your tracker layer, or remove your tracker layer and run the codemod again.\n"
    )
  }
  const files = plan.files.map((file) => `${file.relativePath}${file.before === undefined ? " (new)" : ""}`)
  const lines: Array<string> = []
  if (mode === "check") {
    lines.push(`Not wired yet: the codemod would change ${files.length} file${files.length === 1 ? "" : "s"}:`, list(files).trimEnd())
    return `${lines.join("\n")}\n`
  }
  const done = outcome.written.length > 0
  lines.push(done ? `Changed ${files.length} file${files.length === 1 ? "" : "s"}:` : `Would change ${files.length} file${files.length === 1 ? "" : "s"}:`)
  lines.push(list(files).trimEnd())
  lines.push(`Wrapped with withTracking in src/runtime/runtime.ts:`)
  lines.push(list(plan.wrapped.map((entry) => `${entry.layer}${entry.localName === entry.layer ? "" : ` (as ${entry.localName})`}, line ${entry.line}`)).trimEnd())
  if (plan.untouched.length > 0) {
    lines.push("Left untouched:")
    lines.push(list(plan.untouched.map((entry) => `${entry.layer}, line ${entry.line}: ${entry.reason}`)).trimEnd())
  }
  lines.push("Also:")
  lines.push(list(plan.changes).trimEnd())
  if (plan.diagnostics !== undefined && plan.diagnostics.length > 0) {
    lines.push(`Type errors in the rewritten files (checked with ${plan.tsConfig ?? "default compiler options"}):`)
    lines.push(list(plan.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message.split("\n")[0]}`)).trimEnd())
  }
  lines.push(plan.todo.length === 0 ? "Left to do by hand: nothing." : "Left to do by hand:")
  if (plan.todo.length > 0) lines.push(list(plan.todo).trimEnd())
  lines.push("Next:")
  lines.push(
    list([
      "tracking stays off until a tracker is passed: createDurableJobs(definitions, { tracker: { endpoint, ... } }) (or a function of env returning one), createJobsRuntime({ ..., tracker }) or, in tests, createJobsRuntimeFromLayer(layer, registry, { tracker: createInMemoryTrackerLayer().layer })",
      "adjust src/tracking.ts if the default event map is not what you want (`durable-effect-tracking coverage` lists it)"
    ]).trimEnd()
  )
  if (outcome.refused !== undefined) lines.push(`Refused: ${outcome.refused}.`)
  else if (!done) lines.push("Nothing was written.")
  return `${lines.join("\n")}\n`
}

const coverage = (args: ReadonlyArray<string>, io: CliIo): number => {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } }
  })
  if (values.help === true) {
    io.stdout.write(coverageUsage)
    return ExitCode.ok
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const report = describeCoverage(defaultJobsEventMap)
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    return ExitCode.ok
  }
  const width = Math.max("event type".length, ...report.events.map((event) => event.type.length))
  const rows = report.events.map(
    (event) => `${event.type.padEnd(width)}  ${event.sources.length === 0 ? "(not produced)" : event.sources.join(", ")}`
  )
  io.stdout.write(
    [
      `${"event type".padEnd(width)}  emitted by`,
      `${"-".repeat(width)}  ${"-".repeat(10)}`,
      ...rows,
      "",
      `${report.produced} of ${report.total} event types produced by the default event map` +
        (report.missing.length === 0 ? "." : `; not produced: ${report.missing.join(", ")}.`),
      ""
    ].join("\n")
  )
  return ExitCode.ok
}
