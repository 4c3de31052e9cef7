import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCodemod, pauseAtEnv } from "durable-effect-tracking/codemod"
import { startNode, type ChildRun } from "../support/childProcess.js"
import { fixtureCopies, hashTree, repoRoot } from "../support/fixtureCopy.js"

// A real signal to a real process at each named point of the write phase. The writer pauses at
// the point the environment names and says so; the test waits for that, sends the signal and
// looks at the exit code, the JSON outcome and the tree.

const { fresh, removeAll } = fixtureCopies()
const children: Array<ChildRun> = []
afterAll(async () => {
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  await Promise.all(children.map((run) => run.exited))
  removeAll()
})

const tempFilesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((path) => path.endsWith(".tmp"))

/** The tree of a copy the codemod wrote to without interruption, as a hash. */
let fullyWritten: string
/** The tree of an untouched copy. */
let untouched: string
/** The package directory alone, fully written (the write-phase child leaves a plan file beside it). */
let fullyWrittenPackage: string

beforeAll(async () => {
  const reference = fresh()
  untouched = hashTree(reference.root)
  const outcome = await runCodemod({ packageDir: reference.packageDir, typeCheck: false })
  expect(outcome.written).toHaveLength(4)
  fullyWritten = hashTree(reference.root)
  fullyWrittenPackage = hashTree(reference.packageDir)
})

/** Runs a child with the writer paused at `point`, waits until it says so, and sends `signal`. */
const interruptChild = async (args: ReadonlyArray<string>, point: string, signal: NodeJS.Signals) => {
  const run = startNode(["--import", "tsx", ...args], { cwd: repoRoot, env: { [pauseAtEnv]: point } })
  children.push(run)
  await run.printed(`paused at ${point}`)
  run.child.kill(signal)
  return run.exited
}

/** The write phase alone, in a child that loads no ts-morph: the plan is made here. */
const interruptWritePhase = async (point: string, signal: "SIGINT" | "SIGTERM") => {
  const copy = fresh()
  expect(hashTree(copy.root)).toBe(untouched)
  const { plan } = await runCodemod({ packageDir: copy.packageDir, mode: "check" })
  const planFile = join(copy.root, "plan.json")
  writeFileSync(
    planFile,
    JSON.stringify(plan.files.map(({ path, before, after }) => ({ path, before: before ?? null, after })))
  )
  const before = hashTree(copy.packageDir)
  const result = await interruptChild([join(repoRoot, "test/codemod/writePhaseChild.ts"), planFile], point, signal)
  return {
    copy,
    before,
    result,
    outcome: JSON.parse(result.stdout) as { exitCode: number; interrupted: string | null; written: number }
  }
}

// The fixture's write has four files: four temp files staged, then four renames.
const stagingPoints = ["staged 1", "staged 2", "staged 3", "staged 4"]
const renamingPoints = ["renamed 1", "renamed 2", "renamed 3"]
const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const

describe("a signal at each point of the write phase: every file written or none, no temp file left", () => {
  const cases = [
    ...stagingPoints.map((point) => ({ point, signal: "SIGINT" as const })),
    ...renamingPoints.map((point) => ({ point, signal: "SIGINT" as const })),
    { point: "staged 3", signal: "SIGTERM" as const },
    { point: "renamed 2", signal: "SIGTERM" as const }
  ]
  for (const { point, signal } of cases) {
    const rollsBack = point.startsWith("staged")
    it(`${signal} at '${point}': ${rollsBack ? "rolled back, the tree as it was" : "the last renames finished, the tree fully wired"}`, async () => {
      const { copy, before, result, outcome } = await interruptWritePhase(point, signal)
      expect(result.code).toBe(exitCodes[signal])
      expect(outcome).toMatchObject({ exitCode: exitCodes[signal], interrupted: signal, written: rollsBack ? 0 : 4 })
      expect(tempFilesUnder(copy.root)).toEqual([])
      if (rollsBack) expect(hashTree(copy.packageDir)).toBe(before)
      else expect(hashTree(copy.packageDir)).toBe(fullyWrittenPackage)
    })
  }
})

describe("the whole codemod in a child process, interrupted", () => {
  for (const { point, signal } of [
    { point: "staged 2", signal: "SIGINT" as const },
    { point: "renamed 1", signal: "SIGTERM" as const }
  ]) {
    const rollsBack = point.startsWith("staged")
    it(`${signal} at '${point}': exit ${exitCodes[signal]}, ${rollsBack ? "nothing written" : "every file written"}`, async () => {
      const copy = fresh()
      const result = await interruptChild(
        [join(repoRoot, "test/codemod/writeChild.ts"), copy.packageDir],
        point,
        signal
      )
      const outcome = JSON.parse(result.stdout) as {
        exitCode: number
        interrupted: string | null
        written: Array<string>
      }
      expect(result.code).toBe(exitCodes[signal])
      expect(outcome).toMatchObject({ exitCode: exitCodes[signal], interrupted: signal })
      expect(outcome.written).toHaveLength(rollsBack ? 0 : 4)
      expect(tempFilesUnder(copy.root)).toEqual([])
      expect(hashTree(copy.root)).toBe(rollsBack ? untouched : fullyWritten)
    })
  }
})

describe("leftovers of a run killed outright (SIGKILL) while writing", () => {
  it("are reported by --check, removed by the next write, and the next write completes the wiring", async () => {
    const run = await interruptAtKill()
    const { copy } = run
    const leftovers = tempFilesUnder(copy.root)
    expect(leftovers.length).toBeGreaterThan(0)

    const check = await runCodemod({ packageDir: copy.packageDir, mode: "check" })
    expect(check.exitCode).toBe(1)
    expect(check.plan.leftovers.length).toBe(leftovers.length)
    expect(tempFilesUnder(copy.root)).toHaveLength(leftovers.length)

    const rerun = await runCodemod({ packageDir: copy.packageDir, typeCheck: false })
    expect(rerun.exitCode).toBe(0)
    expect(rerun.removedLeftovers).toHaveLength(leftovers.length)
    expect(tempFilesUnder(copy.root)).toEqual([])
    expect(hashTree(copy.root)).toBe(fullyWritten)
  })
})

/** SIGKILL cannot be held: after two renames the package is half wired and temp files remain. */
const interruptAtKill = async () => {
  const copy = fresh()
  const result = await interruptChild(
    [join(repoRoot, "test/codemod/writeChild.ts"), copy.packageDir],
    "renamed 2",
    "SIGKILL"
  )
  expect(result.signal).toBe("SIGKILL")
  return { copy }
}

describe("a partly wired package", () => {
  it("runtime.ts wired but src/tracking.ts, the engine and the factory not: --check exits 1 naming what is missing; a rerun completes it", async () => {
    const reference = fresh()
    await runCodemod({ packageDir: reference.packageDir, typeCheck: false })
    const copy = fresh()
    const runtime = "src/runtime/runtime.ts"
    writeFileSync(join(copy.packageDir, runtime), readFileSync(join(reference.packageDir, runtime), "utf8"))

    const check = await runCodemod({ packageDir: copy.packageDir, mode: "check" })
    expect(check.exitCode).toBe(1)
    expect(check.plan.status).toBe("changes")
    expect(check.plan.partlyWired).toMatch(/src\/runtime\/runtime\.ts/)
    expect(check.plan.files.map((file) => file.relativePath)).toEqual([
      "src/tracking.ts",
      "src/engine/engine.ts",
      "src/factory.ts"
    ])

    const rerun = await runCodemod({ packageDir: copy.packageDir })
    expect(rerun.exitCode).toBe(0)
    expect(rerun.plan.diagnostics).toEqual([])
    expect(hashTree(copy.root)).toBe(hashTree(reference.root))
    expect((await runCodemod({ packageDir: copy.packageDir, mode: "check" })).exitCode).toBe(0)
  })

  it("every file wired but runtime.ts's flush undone: --check exits 1 naming that piece; a rerun puts it back and nothing else", async () => {
    const reference = fresh()
    await runCodemod({ packageDir: reference.packageDir, typeCheck: false })
    const copy = fresh()
    await runCodemod({ packageDir: copy.packageDir, typeCheck: false })
    const runtime = join(copy.packageDir, "src/runtime/runtime.ts")
    const wired = readFileSync(runtime, "utf8")
    const flush = /Effect\.ensuring\(flushTrackerEvents\),\s*/
    expect(wired).toMatch(flush)
    writeFileSync(runtime, wired.replace(flush, ""))

    const check = await runCodemod({ packageDir: copy.packageDir, mode: "check" })
    expect(check.exitCode).toBe(1)
    expect(check.plan.partlyWired).toMatch(/^withTracking is used in src\/runtime\/runtime\.ts on line \d+$/)
    expect(check.plan.files.map((file) => file.relativePath)).toEqual(["src/runtime/runtime.ts"])
    expect(
      check.plan.changes.filter((change) => change.startsWith("every run sends its buffered events"))
    ).toHaveLength(1)

    const rerun = await runCodemod({ packageDir: copy.packageDir })
    expect(rerun.exitCode).toBe(0)
    expect(rerun.plan.diagnostics).toEqual([])
    expect(hashTree(copy.root)).toBe(hashTree(reference.root))
    expect((await runCodemod({ packageDir: copy.packageDir, mode: "check" })).exitCode).toBe(0)
  })
})
