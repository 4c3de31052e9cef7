import { execFile } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { main, type CliIo } from "../../src/cli/program.js"
import { renderDiff } from "durable-effect-tracking/codemod"
import { describeCoverage, defaultJobsEventMap, JobEventTypes } from "durable-effect-tracking"
import { copyFixture, hashTree, repoRoot, type FixtureCopy } from "../support/fixtureCopy.js"
import { tempDir } from "../support/tempDir.js"

const capture = (isTTY = false) => {
  let stdout = ""
  let stderr = ""
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY },
    stderr: { write: (text: string) => (stderr += text) }
  }
  return { io, out: () => stdout, err: () => stderr }
}

const run = async (argv: ReadonlyArray<string>, isTTY = false) => {
  const { io, out, err } = capture(isTTY)
  const code = await main(argv, io)
  return { code, stdout: out(), stderr: err() }
}

describe("cli: commands, help and flags", () => {
  it("--help on the program and on every command", async () => {
    const top = await run(["--help"])
    expect(top.code).toBe(0)
    expect(top.stdout).toContain("codemod <package-dir>")
    expect(top.stdout).toContain("coverage")
    const codemod = await run(["codemod", "--help"])
    expect(codemod.code).toBe(0)
    for (const flag of ["--dry-run", "--check", "--force", "--allow-dirty", "--json", "--import-from <spec>"])
      expect(codemod.stdout).toContain(flag)
    expect(codemod.stdout).toContain("Exit codes:")
    const coverage = await run(["coverage", "-h"])
    expect(coverage.code).toBe(0)
    expect(coverage.stdout).toContain("Usage: durable-effect-tracking coverage")
  })

  it("no command, an unknown command, unknown flags and stray arguments are errors (exit 2)", async () => {
    expect((await run([])).code).toBe(2)
    const unknownCommand = await run(["instrument"])
    expect(unknownCommand.code).toBe(2)
    expect(unknownCommand.stderr).toContain("unknown command 'instrument'")
    const unknownFlag = await run(["codemod", "some-dir", "--bogus"])
    expect(unknownFlag.code).toBe(2)
    expect(unknownFlag.stderr).toContain("'--bogus'")
    expect((await run(["coverage", "--verbose"])).code).toBe(2)
    expect((await run(["coverage", "extra"])).code).toBe(2)
    expect((await run(["codemod"])).stderr).toContain("missing <package-dir>")
    expect((await run(["codemod", "a", "b"])).code).toBe(2)
    const both = await run(["codemod", "a", "--dry-run", "--check"])
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("--dry-run and --check exclude each other")
  })

  it("a missing directory: the message names it, exit 2", async () => {
    const missing = join(repoRoot, "no-such-package-dir")
    const text = await run(["codemod", missing])
    expect(text.code).toBe(2)
    expect(text.stderr).toContain(`error: ${missing}: expected a jobs package directory`)
    expect(text.stderr).toContain("Nothing was written.")
    const json = await run(["codemod", missing, "--json"])
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { file: missing, expected: "a jobs package directory" } })
  })

  it("coverage prints every event type with the methods that emit it", async () => {
    const report = describeCoverage(defaultJobsEventMap)
    const table = await run(["coverage"])
    expect(table.code).toBe(0)
    const lines = table.stdout.split("\n")
    for (const event of report.events) {
      const row = lines.find((line) => line.startsWith(`${event.type} `))
      expect(row, event.type).toBeDefined()
      expect(row!.slice(event.type.length).trim()).toBe(
        event.sources.length === 0 ? "(not produced)" : event.sources.join(", ")
      )
    }
    expect(lines.filter((line) => JobEventTypes.some((type) => line.startsWith(`${type} `)))).toHaveLength(
      JobEventTypes.length
    )
    expect(table.stdout).toContain(`${report.produced} of ${report.total} event types produced`)
    const json = await run(["coverage", "--json"])
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(report)))
  })
})

describe("cli: the codemod on a copy of the fixture", () => {
  let copy: FixtureCopy
  beforeAll(() => {
    copy = copyFixture()
  })
  afterAll(() => copy.remove())

  it("--check exits 1 before, --dry-run prints a diff (summary on stderr) and writes nothing", async () => {
    const before = hashTree(copy.root)
    const check = await run(["codemod", copy.packageDir, "--check"])
    expect(check.code).toBe(1)
    expect(check.stdout).toContain("Not wired yet: the codemod would change 4 files")

    const dryRun = await run(["codemod", copy.packageDir, "--dry-run", "--import-from", "@acme/tracking"])
    expect(dryRun.code).toBe(0)
    expect(dryRun.stdout.startsWith("--- a/src/runtime/runtime.ts\n+++ b/src/runtime/runtime.ts\n")).toBe(true)
    expect(dryRun.stdout).toContain(
      `+import { addTracker, withTracking, flushEvents as flushTrackerEvents, type TrackerOption } from "@acme/tracking"`
    )
    expect(dryRun.stdout).toContain("--- /dev/null\n+++ b/src/tracking.ts")
    expect(dryRun.stdout).not.toContain("\u001b[")
    // The specifier does not resolve in this package: the check says so, and nothing is written.
    expect(dryRun.stderr).toContain("Type errors the rewrite introduces")
    expect(dryRun.stderr).toContain(`the package does not resolve "@acme/tracking": install it`)
    expect(dryRun.stderr).toContain("Nothing was written.")
    expect(dryRun.stderr).toMatch(/^loading .*\n/m)
    expect(dryRun.stderr).toMatch(/^type-checking 4 files with tsconfig\.json$/m)
    // The summary says how the type-check went, and that a write could not be undone with git.
    expect(dryRun.stderr).toContain("Type-check of the 4 changed files with tsconfig.json: failed")
    expect(dryRun.stderr).toContain("Warning: not under version control")
    const json = JSON.parse(
      (await run(["codemod", copy.packageDir, "--dry-run", "--json", "--import-from", "@acme/tracking"])).stdout
    )
    expect(json.underVersionControl).toBe(false)
    expect(json.typeCheck).toMatchObject({ tsConfig: "tsconfig.json", filesChecked: 4, passed: false })
    expect(json.typeCheck.introduced).toBe(json.diagnostics.length)
    expect(json.typeCheck.introduced).toBeGreaterThan(0)
    expect(hashTree(copy.root)).toBe(before)
  })

  it("writes and prints the summary as JSON; then --check exits 0 and a second run changes nothing", async () => {
    const written = await run(["codemod", copy.packageDir, "--json"])
    expect(written.code).toBe(0)
    expect(written.stderr).toBe("")
    const summary = JSON.parse(written.stdout)
    expect(summary).toMatchObject({ mode: "write", status: "changes", exitCode: 0, refused: null, diagnostics: [] })
    expect(summary.typeCheck).toEqual({
      tsConfig: "tsconfig.json",
      filesChecked: 4,
      introduced: 0,
      preExisting: 0,
      passed: true
    })
    // Not in a git working tree: the field says it (the text run's warning is tested below).
    expect(summary.underVersionControl).toBe(false)
    expect([...summary.written].sort()).toEqual([
      "src/engine/engine.ts",
      "src/factory.ts",
      "src/runtime/runtime.ts",
      "src/tracking.ts"
    ])
    expect(summary.files).toContainEqual({ path: "src/tracking.ts", created: true })
    expect(summary.wrapped).toHaveLength(6)
    expect(summary.todo).toEqual([])

    const after = hashTree(copy.root)
    const check = await run(["codemod", copy.packageDir, "--check"])
    expect(check.code).toBe(0)
    expect(check.stdout).toMatch(
      /^Already wired \(withTracking is used in src\/runtime\/runtime\.ts on line \d+\): nothing to do\.\n$/
    )
    const again = await run(["codemod", copy.packageDir])
    expect(again.code).toBe(0)
    expect(hashTree(copy.root)).toBe(after)
  })

  it("outside version control, a write warns on stderr before writing, and the summary gives the type-check's result", async () => {
    const fresh = copyFixture()
    try {
      const written = await run(["codemod", fresh.packageDir])
      expect(written.code).toBe(0)
      expect(written.stderr).toContain(
        "warning: not under version control: these edits cannot be undone with git; run with --dry-run to preview"
      )
      expect(written.stdout).toContain("Type-check of the 4 changed files with tsconfig.json: passed")
    } finally {
      fresh.remove()
    }
  })
})

describe("the CLI's and the codemod's hints", () => {
  it("name only constructors the library exports (no removed create*Tracker functions)", async () => {
    const library = (await import("durable-effect-tracking")) as unknown as Record<string, Record<string, unknown>>
    const sources = ["src/cli", "src/codemod"].flatMap((dir) =>
      readdirSync(join(repoRoot, dir), { recursive: true, encoding: "utf8" })
        .filter((name) => name.endsWith(".ts"))
        .map((name) => readFileSync(join(repoRoot, dir, name), "utf8"))
    )
    const named = new Set(
      sources.flatMap((text) => [...text.matchAll(/\b(\w*Tracker)\.(\w+)\b/g)].map((m) => `${m[1]}.${m[2]}`))
    )
    expect(named).toContain("InMemoryTracker.make")
    for (const name of named) {
      const [owner, member] = name.split(".") as [string, string]
      expect(library[owner]?.[member], name).toBeDefined()
    }
    for (const text of sources) expect(text).not.toMatch(/\bcreate(InMemory|HttpBatch|Queue|Noop)\w*Tracker\(/)
  })
})

describe("renderDiff", () => {
  it("colours added, removed and hunk lines for a terminal", () => {
    const file = { path: "/x/a.ts", relativePath: "a.ts", before: "one\ntwo\n", after: "one\n2\n" }
    const plain = renderDiff([file])
    expect(plain).toBe("--- a/a.ts\n+++ b/a.ts\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n")
    const coloured = renderDiff([file], { colour: true })
    expect(coloured).toContain("\u001b[31m-two\u001b[0m")
    expect(coloured).toContain("\u001b[32m+2\u001b[0m")
    expect(coloured.replace(/\u001b\[\d+m/g, "")).toBe(plain)
  })
})

describe("the real entry point", () => {
  it("runs as a process and exits with the codemod's code", async () => {
    const exec = promisify(execFile)
    const entry = join(repoRoot, "src/cli/main.ts")
    // tsx keeps a compile cache in the temp directory: this test's own, removed after.
    const cache = tempDir("det-cli-tsx-")
    const options = { cwd: repoRoot, env: { ...process.env, TMPDIR: cache.path } }
    try {
      const help = await exec(process.execPath, ["--import", "tsx", entry, "codemod", "--help"], options)
      expect(help.stdout).toContain("Usage: durable-effect-tracking codemod <package-dir>")
      const failed = await exec(process.execPath, ["--import", "tsx", entry, "codemod", "no-such-dir"], options).catch(
        (error: { code: number; stderr: string }) => error
      )
      expect(failed).toMatchObject({ code: 2 })
      expect((failed as { stderr: string }).stderr).toContain("no-such-dir: expected a jobs package directory")
    } finally {
      cache.remove()
    }
  })
})
