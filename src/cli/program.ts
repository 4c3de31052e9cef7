import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { closest, flagsHelp, parseArgs, UsageError, type FlagSpecs } from "./args.js"
import { processIo, programName, type CliIo, type Command } from "./command.js"
import { ExitCode } from "../codemod/report/exitCodes.js"
import { defaultImportFrom } from "../codemod/rewrite/trackingModule.js"
import { CodemodToolchainMissing, loadWithCodemodToolchain } from "./loadCodemod.js"

export { processIo, type CliIo, type Command } from "./command.js"

const helpFlag: FlagSpecs = { help: { type: "boolean", short: "h", description: "show this help" } }

/** The flags of every command that rewrites a package (codemod, migrate), besides --check. */
const rewriteFlags = (what: string): FlagSpecs => ({
  "dry-run": {
    type: "boolean",
    description: "print the changes as a unified diff (stdout; the summary goes to stderr); write nothing"
  },
  force: { type: "boolean", description: `write even when the ${what} introduces type errors` },
  "allow-dirty": { type: "boolean", description: "write even when the files to touch have uncommitted changes" },
  json: { type: "boolean", description: "print the summary (and, with --dry-run, the diff) as JSON on stdout" },
  "import-from": {
    type: "string",
    valueName: "<spec>",
    description: `the module specifier of this library in the generated imports (default: ${defaultImportFrom})`
  }
})

export const commands: ReadonlyArray<Command> = [
  {
    name: "codemod",
    synopsis: "codemod <package-dir>",
    summary: "wire tracking into a jobs package (rewrites src/runtime/runtime.ts and where the tracker option flows)",
    description: `Wraps the jobs service layers of the package's createDispatcherLayer in withTracking, puts the
tracker layer under them, flushes events at the end of every run, adds an optional \`tracker\`
option (JobsRuntimeConfig, createJobsRuntimeFromLayer, the engine, createDurableJobs) and
scaffolds src/tracking.ts with the default event map. Tracking stays off until a tracker is given.`,
    flags: {
      ...rewriteFlags("rewrite"),
      check: {
        type: "boolean",
        description: "write nothing; exit 0 when the package is fully wired, 1 when the codemod would change it"
      },
      "allow-hand-emits": {
        type: "boolean",
        description:
          "wire even though the package emits events by hand (upstream core's emitEvent): they are then sent besides the mapped ones (`migrate` removes them instead)"
      },
      ...helpFlag
    },
    epilogue: `Exit codes:
  0    done, or nothing to do (--check: fully wired)
  1    --check only: the codemod would change files
  2    bad input or refused, nothing written: a missing directory or runtime.ts, a syntax error, a
       tsconfig that cannot be read, an unrecognised composition, read-only files, type errors the
       rewrite introduces (without --force), uncommitted changes (without --allow-dirty), bad flags
  3    the package provides an EventTracker layer of its own: reported, nothing changed
  4    the package emits events by hand (upstream core's emitEvent): nothing changed; run migrate
  130  interrupted (SIGINT) while writing; 143 for SIGTERM: either every file was written or none
With --check, 1 also when a public entry's tracker config (createDurableJobs, createJobsRuntime,
createJobsRuntimeFromLayer) cannot reach the tracker of the composition (--json: configReach).
`,
    run: async (args, io) =>
      (await loadWithCodemodToolchain(() => import("./codemodCommand.js"))).codemodCommand(args, io)
  },
  {
    name: "migrate",
    synopsis: "migrate <package-dir>",
    summary:
      "move a jobs package that tracks by hand (upstream core's emitEvent) onto withTracking and this library's trackers",
    description: `Removes every hand-placed emitEvent in src/ (and what computed only for it), replaces upstream
core's tracker layer and flush in src/runtime/runtime.ts with this library's (addTracker under the
service layers wrapped in withTracking, a flush at the end of every run), wraps the layers the
package's tests compose the same way, and scaffolds src/tracking.ts. The package's tracking API
(createDurableJobs(definitions, { tracker }), createJobsRuntime({ trackerConfig }),
createJobsRuntimeFromLayer(core, registry, trackerConfig)) stays as it is. See docs/migrate.md.`,
    flags: {
      ...rewriteFlags("migration"),
      check: {
        type: "boolean",
        description:
          "write nothing; exit 0 when the package is migrated and every tracker config reaches the tracker, 1 otherwise"
      },
      events: {
        type: "string",
        valueName: "<set>",
        description:
          "the events the migrated package sends: upstream (the default: upstream core's 8 job event types in its own format, as the hand-placed emits sent them) full (the 20 job event types) or both (the two side by side, upstream's first)"
      },
      ...helpFlag
    },
    epilogue: `Exit codes:
  0    done (--check: migrated, and every public entry's tracker config reaches the tracker)
  1    --check only: not migrated, or a tracker config that cannot reach the tracker
  2    bad input or refused, nothing written: a missing directory, not a jobs package, a syntax
       error, a package that does not track by hand (use codemod) or is migrated already, an emit
       that cannot be removed safely (file:line), an unavailable --events set, type errors the
       migration introduces (without --force), uncommitted changes (without --allow-dirty)
  130  interrupted (SIGINT) while writing; 143 for SIGTERM: either every file was written or none
`,
    run: async (args, io) =>
      (await loadWithCodemodToolchain(() => import("./migrateCommand.js"))).migrateCommand(args, io)
  },

  {
    name: "coverage",
    synopsis: "coverage [<package-dir>]",
    summary: "which job events the event map emits; with a package, which it can emit there and why not",
    description: `Without a directory: for every job event type, the service methods of the event map that emit it.
With a jobs package directory: reads its sources (no type-check) and says, for every job event
type, whether the map can emit it in that package (which Service.method, file:line; which signal
classes and request actions its recipes rely on) or why not. The map is the library's map for the
package's layout, unless --map names another.`,
    flags: {
      map: {
        type: "string",
        valueName: "<module>",
        description:
          "the module exporting the map (e.g. the package's src/tracking.ts; a .ts module is loaded with the package's tsx, or by Node 22.18+ itself)"
      },
      json: { type: "boolean", description: "print the report as JSON" },
      ...helpFlag
    },
    epilogue: `Exit codes (with a directory):
  0  every event type is covered
  1  some event types are not covered
  2  bad input (no such directory, a --map module that does not load or export a map)
`,
    run: async (args, io) => (await import("./coverageCommand.js")).coverageCommand(args, io)
  }
]

const usage = (): string => {
  const width = Math.max(...commands.map((command) => command.synopsis.length)) + 2
  return (
    `Usage: ${programName} <command> [options]\n\nCommands:\n` +
    commands.map((command) => `  ${command.synopsis.padEnd(width)}${command.summary}\n`).join("") +
    `\nOptions:\n  -h, --help     show help; \`${programName} <command> --help\` for a command's options\n` +
    `  -v, --version  print the version\n`
  )
}

export const commandHelp = (command: Command): string =>
  `Usage: ${programName} ${command.synopsis} [options]\n\n${command.description}\n\nOptions:\n${flagsHelp(command.flags)}` +
  (command.epilogue === undefined ? "" : `\n${command.epilogue}`)

/** This package's version, from its package.json (two levels up from src/cli/ and from dist/cli/). */
export const version = (): string => {
  const here = typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url)
  const manifest = JSON.parse(readFileSync(join(dirname(here), "..", "..", "package.json"), "utf8")) as {
    version: string
  }
  return manifest.version
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit code.
 * It never calls `process.exit`, so tests run it in-process.
 */
export const main = async (argv: ReadonlyArray<string>, io: CliIo = processIo()): Promise<number> => {
  const [name, ...rest] = argv
  switch (name) {
    case undefined:
      io.stderr.write(usage())
      return ExitCode.error
    case "-h":
    case "--help":
    case "help":
      io.stdout.write(usage())
      return ExitCode.ok
    case "-v":
    case "--version":
      io.stdout.write(`${version()}\n`)
      return ExitCode.ok
  }
  const command = commands.find((candidate) => candidate.name === name)
  const json = rest.includes("--json")
  try {
    if (command === undefined) {
      throw new UsageError(
        `unknown command '${name}'`,
        closest(
          name,
          commands.map((candidate) => candidate.name)
        )
      )
    }
    const args = parseArgs(rest, command.flags)
    if (args.flags.help === true) {
      io.stdout.write(commandHelp(command))
      return ExitCode.ok
    }
    return await command.run(args, io)
  } catch (error) {
    if (error instanceof CodemodToolchainMissing) {
      if (json) {
        io.stdout.write(
          `${JSON.stringify({ error: { kind: "missing-dependency", package: error.packageName, message: error.message } }, null, 2)}\n`
        )
      } else {
        io.stderr.write(`${programName} ${name}: ${error.message}\n`)
      }
      return ExitCode.error
    }
    if (!(error instanceof UsageError)) throw error
    if (json) {
      io.stdout.write(
        `${JSON.stringify({ error: { kind: "usage", message: error.message, suggestion: error.suggestion ?? null } }, null, 2)}\n`
      )
    } else {
      const where = command === undefined ? programName : `${programName} ${command.name}`
      io.stderr.write(`${where}: ${error.message}\nRun \`${where} --help\` for usage.\n`)
    }
    return ExitCode.error
  }
}
