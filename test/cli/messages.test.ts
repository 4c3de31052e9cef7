import { readFileSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { main, type CliIo } from "../../src/cli/program.js"
import { startNode } from "../support/childProcess.js"
import { tempDir } from "../support/tempDir.js"
import { fixtureCopies, hashTree, repoRoot, type FixtureCopy } from "../support/fixtureCopy.js"

const { fresh, removeAll } = fixtureCopies()
afterAll(removeAll)

// tsx keeps a compile cache in the temp directory: the children's own, removed after.
const tsxCache = tempDir("det-messages-tsx-")
afterAll(() => tsxCache.remove())
const tsxEnv = { TMPDIR: tsxCache.path }

const run = async (argv: ReadonlyArray<string>) => {
  let stdout = ""
  let stderr = ""
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) }
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}
const runJson = async (argv: ReadonlyArray<string>) => {
  const result = await run([...argv, "--json"])
  return { code: result.code, json: JSON.parse(result.stdout) }
}

describe("messages name the file and the line", () => {
  it("a runtime that uses a tracker of its own: the reason names src/runtime/runtime.ts and the line (exit 3)", async () => {
    const copy = fresh()
    const path = join(copy.packageDir, "src/runtime/runtime.ts")
    const text = readFileSync(path, "utf8")
      .replace(
        'import type { JobRequest, JobResponse } from "./types"',
        'import type { JobRequest, JobResponse } from "./types"\nimport { ConsoleTrackerLayer } from "../tracking/console"'
      )
      .replace("Layer.provideMerge(coreLayer))", "Layer.provideMerge(Layer.merge(coreLayer, ConsoleTrackerLayer)))")
    writeFileSync(path, text)
    const line =
      text.split("\n").findIndex((content) => content.includes("Layer.merge(coreLayer, ConsoleTrackerLayer)")) + 1
    const before = hashTree(copy.root)
    const { code, json } = await runJson(["codemod", copy.packageDir, "--check"])
    expect(code).toBe(3)
    expect(json).toMatchObject({ status: "tracked-by-hand", exitCode: 3 })
    expect(json.reason).toBe(
      `src/runtime/runtime.ts uses ConsoleTrackerLayer from "../tracking/console" on line ${line}`
    )
    expect(hashTree(copy.root)).toBe(before)
  })

  it("a path to a file is told it is a file and pointed at the package directory", async () => {
    const copy = fresh()
    const file = join(copy.packageDir, "src/runtime/runtime.ts")
    const { code, json } = await runJson(["codemod", file])
    expect(code).toBe(2)
    expect(json.error).toMatchObject({ file, expected: "a jobs package directory" })
    expect(json.error.detail).toBe(
      `it is a file; the jobs package it is in is ${relative(process.cwd(), copy.packageDir)}`
    )
  })

  it("a missing path says so", async () => {
    const missing = join(repoRoot, "no-such-package-dir")
    const { code, json } = await runJson(["codemod", missing])
    expect(code).toBe(2)
    expect(json.error).toMatchObject({ file: missing, detail: "no such file or directory" })
  })

  it("`codemod .` names the package as `.`", async () => {
    const copy = fresh()
    const child = startNode(["--import", "tsx", join(repoRoot, "src/cli/main.ts"), "codemod", ".", "--check"], {
      cwd: copy.packageDir,
      env: tsxEnv
    })
    const result = await child.exited
    expect(result.code).toBe(1)
    expect(result.stderr.split("\n")[0]).toBe("loading .")
  })
})

describe("flags and commands", () => {
  it("--version and -v print the package's version", async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }
    for (const flag of ["--version", "-v"]) {
      const result = await run([flag])
      expect(result.code).toBe(0)
      expect(result.stdout).toBe(`${version}\n`)
    }
  })

  it("an unknown flag or command: exit 2 with what was probably meant", async () => {
    const cases: ReadonlyArray<{ readonly argv: ReadonlyArray<string>; readonly suggestion: string | null }> = [
      { argv: ["codemod", "some-dir", "--forse"], suggestion: "--force" },
      { argv: ["codemod", "some-dir", "--dryrun"], suggestion: "--dry-run" },
      { argv: ["codemod", "some-dir", "--allow-dirt"], suggestion: "--allow-dirty" },
      { argv: ["codemod", "some-dir", "--bogus"], suggestion: null },
      { argv: ["coverage", "--jsno"], suggestion: "--json" },
      { argv: ["codmod", "some-dir"], suggestion: "codemod" }
    ]
    for (const { argv, suggestion } of cases) {
      const { code, json } = await runJson(argv)
      expect(code, argv.join(" ")).toBe(2)
      expect(json.error, argv.join(" ")).toMatchObject({ kind: "usage", suggestion })
    }
  })
})

describe("the CLI starts without the codemod's modules", () => {
  const forbid = join(repoRoot, "test/cli/forbidCodemodModules.mjs")
  const cli = join(repoRoot, "src/cli/main.ts")
  it("--help, --version, codemod --help and coverage run with ts-morph and typescript forbidden; the codemod itself cannot", async () => {
    for (const argv of [
      ["--help"],
      ["--version"],
      ["codemod", "--help"],
      ["coverage", "--json"],
      ["codemod", "x", "--bogus"]
    ]) {
      const result = await startNode(["--import", "tsx", "--import", forbid, cli, ...argv], {
        cwd: repoRoot,
        env: tsxEnv
      }).exited
      expect(result.code, `${argv.join(" ")}: ${result.stderr}`).toBe(argv.includes("--bogus") ? 2 : 0)
      expect(result.stderr).not.toContain("forbidden module")
    }
    // The control: the codemod does load ts-morph, and the guard catches it.
    const codemod = await startNode(["--import", "tsx", "--import", forbid, cli, "codemod", repoRoot, "--check"], {
      cwd: repoRoot,
      env: tsxEnv
    }).exited
    expect(codemod.code).not.toBe(0)
    expect(codemod.stderr).toContain("forbidden module loaded")
  })
})
