import { execFileSync } from "node:child_process"
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync
} from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { CodemodInputError, notUnderVersionControl, runCodemod } from "durable-effect-tracking/codemod"
import { writeFilesAtomically } from "../../src/codemod/write/writeFiles.js"
import { copyFixture, hashTree, type FixtureCopy } from "../support/fixtureCopy.js"

const copies: Array<FixtureCopy> = []
const fresh = () => {
  const copy = copyFixture()
  copies.push(copy)
  return copy
}
afterEach(() => {
  for (const copy of copies.splice(0)) {
    chmodSync(join(copy.packageDir, "src"), 0o755)
    copy.remove()
  }
})

const runtimePath = (copy: FixtureCopy) => join(copy.packageDir, "src/runtime/runtime.ts")

/** Runs the codemod expecting bad input: the error, and proof that the tree is as it was. */
const expectRejected = async (copy: FixtureCopy, file: string, expected: RegExp) => {
  const before = hashTree(copy.root)
  const error = await runCodemod({ packageDir: copy.packageDir }).then(
    () => undefined,
    (error: unknown) => error
  )
  expect(error).toBeInstanceOf(CodemodInputError)
  expect((error as CodemodInputError).file).toBe(file)
  expect((error as CodemodInputError).message).toMatch(expected)
  expect(hashTree(copy.root)).toBe(before)
}

describe("bad input: a message naming the file and what was expected, nothing written", () => {
  it("a missing package directory", async () => {
    const copy = fresh()
    const missing = join(copy.root, "no-such-package")
    await expect(runCodemod({ packageDir: missing })).rejects.toMatchObject({
      _tag: "CodemodInputError",
      file: missing,
      expected: "a jobs package directory"
    })
  })

  it("a package without src/runtime/runtime.ts", async () => {
    const copy = fresh()
    unlinkSync(runtimePath(copy))
    const error = await runCodemod({ packageDir: copy.packageDir }).catch((error: unknown) => error)
    expect(error).toBeInstanceOf(CodemodInputError)
    expect((error as CodemodInputError).file).toMatch(/jobs\/src\/runtime\/runtime\.ts$/)
    expect((error as CodemodInputError).message).toMatch(/expected the runtime composition of a jobs package/)
  })

  it("a syntax error in runtime.ts", async () => {
    const copy = fresh()
    appendFileSync(runtimePath(copy), "\nexport const broken = (\n")
    await expectRejected(copy, "src/runtime/runtime.ts", /expected valid TypeScript \(line \d+: /)
  })

  it("a composition it does not recognise", async () => {
    const copy = fresh()
    const text = readFileSync(runtimePath(copy), "utf8").replaceAll("createDispatcherLayer", "buildLayers")
    writeFileSync(runtimePath(copy), text)
    await expectRejected(
      copy,
      "src/runtime/runtime.ts",
      /expected a function createDispatcherLayer\(coreLayer, registry\)/
    )
  })

  it("a read-only runtime.ts", async () => {
    const copy = fresh()
    chmodSync(runtimePath(copy), 0o444)
    await expectRejected(copy, "src/runtime/runtime.ts", /expected a writable file/)
  })

  it("a read-only directory for the new src/tracking.ts", async () => {
    const copy = fresh()
    chmodSync(join(copy.packageDir, "src"), 0o555)
    await expectRejected(copy, "src", /expected a writable directory for the new file/)
  })
})

describe("refusals: reported with exit code 2, nothing written unless --force (type errors) or --allow-dirty (git)", () => {
  it("refuses when the rewritten files do not type-check, and reports the diagnostics", async () => {
    const copy = fresh()
    // An existing src/tracking.ts is kept, and this one lacks the map the runtime imports.
    writeFileSync(join(copy.packageDir, "src/tracking.ts"), "export const somethingElse = 1\n")
    const before = hashTree(copy.root)

    const refused = await runCodemod({ packageDir: copy.packageDir })

    expect(refused.exitCode).toBe(2)
    expect(refused.written).toEqual([])
    expect(refused.refused).toMatch(/the rewrite introduces 1 type error/)
    expect(refused.plan.diagnostics).toContainEqual(
      expect.objectContaining({ file: "src/runtime/runtime.ts", message: expect.stringMatching(/trackingEventMap/) })
    )
    expect(refused.plan.todo.join("\n")).toMatch(/src\/tracking\.ts exists and was left as is/)
    expect(hashTree(copy.root)).toBe(before)

    const forced = await runCodemod({ packageDir: copy.packageDir, force: true })
    expect(forced.exitCode).toBe(0)
    expect([...forced.written].sort()).toEqual(["src/engine/engine.ts", "src/factory.ts", "src/runtime/runtime.ts"])
    expect(readFileSync(join(copy.packageDir, "src/tracking.ts"), "utf8")).toBe("export const somethingElse = 1\n")
  })

  it("refuses on uncommitted changes in the files it would touch; --allow-dirty or a commit lets it write", async () => {
    const copy = fresh()
    const git = (...args: Array<string>) =>
      execFileSync("git", ["-c", "user.email=test@example.com", "-c", "user.name=test", ...args], {
        cwd: copy.packageDir,
        stdio: "pipe"
      })
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "fixture")
    appendFileSync(runtimePath(copy), "// work in progress\n")
    const before = hashTree(copy.root)

    const refused = await runCodemod({ packageDir: copy.packageDir, typeCheck: false })
    expect(refused.exitCode).toBe(2)
    expect(refused.refused).toMatch(/uncommitted changes in src\/runtime\/runtime\.ts/)
    expect(hashTree(copy.root)).toBe(before)

    // --dry-run and --check do not look at git.
    expect((await runCodemod({ packageDir: copy.packageDir, mode: "check" })).exitCode).toBe(1)

    git("commit", "-q", "-am", "wip")
    const written = await runCodemod({ packageDir: copy.packageDir, typeCheck: false })
    expect(written.exitCode).toBe(0)
    expect(written.written).toContain("src/runtime/runtime.ts")
    expect(written.underVersionControl).toBe(true)
  })

  it("outside a git working tree: warns before writing, and the outcome says so", async () => {
    const copy = fresh()
    const warnings: Array<string> = []
    const written = await runCodemod({
      packageDir: copy.packageDir,
      typeCheck: false,
      onWarning: (line) => void warnings.push(line)
    })
    expect(written.exitCode).toBe(0)
    expect(written.underVersionControl).toBe(false)
    expect(warnings).toEqual([notUnderVersionControl])
    // --check does not look; a run with nothing to change writes nothing and warns of nothing.
    expect((await runCodemod({ packageDir: copy.packageDir, mode: "check" })).underVersionControl).toBeUndefined()
    const again = await runCodemod({ packageDir: copy.packageDir, onWarning: (line) => void warnings.push(line) })
    expect(again.written).toEqual([])
    expect(warnings).toHaveLength(1)
  })

  it("--allow-dirty writes over uncommitted changes; --force does not", async () => {
    const copy = fresh()
    execFileSync("git", ["init", "-q"], { cwd: copy.packageDir })
    // Untracked files count as uncommitted too.
    const refused = await runCodemod({ packageDir: copy.packageDir, typeCheck: false })
    expect(refused.exitCode).toBe(2)
    expect((await runCodemod({ packageDir: copy.packageDir, typeCheck: false, force: true })).exitCode).toBe(2)
    const forced = await runCodemod({ packageDir: copy.packageDir, typeCheck: false, allowDirty: true })
    expect(forced.exitCode).toBe(0)
    expect(readFileSync(runtimePath(copy), "utf8")).toContain("withTracking(")
  })
})

describe("reports, writes nothing", () => {
  it("a package that builds its own EventTracker layer: exit 3", async () => {
    const copy = fresh()
    mkdirSync(join(copy.packageDir, "src/tracking"))
    writeFileSync(
      join(copy.packageDir, "src/tracking/console.ts"),
      [
        `import { Effect, Layer } from "effect"`,
        `import { EventTracker } from "@durable-effect/core"`,
        `export const ConsoleTrackerLayer = Layer.succeed(EventTracker, {`,
        `  emit: (event) => Effect.log(event),`,
        `  flush: () => Effect.void,`,
        `  pending: () => Effect.succeed(0)`,
        `})`,
        ``
      ].join("\n")
    )
    const before = hashTree(copy.root)
    const outcome = await runCodemod({ packageDir: copy.packageDir })
    expect(outcome.exitCode).toBe(3)
    expect(outcome.plan.status).toBe("tracked-by-hand")
    expect(outcome.plan.reason).toBe("src/tracking/console.ts builds an EventTracker layer on line 3")
    expect(hashTree(copy.root)).toBe(before)
  })

  it("--check: exit 1 and nothing written; --dry-run: the changes, nothing written", async () => {
    const copy = fresh()
    const before = hashTree(copy.root)
    const check = await runCodemod({ packageDir: copy.packageDir, mode: "check" })
    expect(check.exitCode).toBe(1)
    expect(check.plan.files.map((file) => file.relativePath)).toEqual([
      "src/runtime/runtime.ts",
      "src/tracking.ts",
      "src/engine/engine.ts",
      "src/factory.ts"
    ])
    const dryRun = await runCodemod({ packageDir: copy.packageDir, mode: "dry-run", typeCheck: false })
    expect(dryRun.exitCode).toBe(0)
    expect(dryRun.written).toEqual([])
    expect(hashTree(copy.root)).toBe(before)
  })
})

describe("writing", () => {
  it("keeps each file's permissions and leaves no temp files", async () => {
    const copy = fresh()
    chmodSync(runtimePath(copy), 0o640)
    const outcome = await runCodemod({ packageDir: copy.packageDir, typeCheck: false })
    expect(outcome.exitCode).toBe(0)
    expect(statSync(runtimePath(copy)).mode & 0o777).toBe(0o640)
    expect(readdirSync(join(copy.packageDir, "src/runtime")).filter((name) => name.endsWith(".tmp"))).toEqual([])
  })

  it("writes nothing when a file changed after it was read, and cleans up its temp files", async () => {
    const copy = fresh()
    const first = join(copy.packageDir, "src/a.ts")
    const second = join(copy.packageDir, "src/b.ts")
    writeFileSync(first, "a\n")
    writeFileSync(second, "b, edited meanwhile\n")
    const before = hashTree(copy.root)
    await expect(
      writeFilesAtomically(
        [
          { path: first, before: "a\n", after: "A\n" },
          { path: second, before: "b\n", after: "B\n" }
        ],
        (path) => path
      )
    ).rejects.toThrow(/changed while the codemod ran/)
    expect(hashTree(copy.root)).toBe(before)
  })
})
