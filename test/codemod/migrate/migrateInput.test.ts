import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { main, type CliIo } from "../../../src/cli/program.js"
import { runCodemod } from "../../../src/codemod/index.js"
import { fixtureCopies, hashTree } from "../../support/fixtureCopy.js"
import { tempDir } from "../../support/tempDir.js"

// Bad input and refusals of `migrate`, and what `codemod` says of a hand-tracked package: read
// from the exit code and the --json output, with every file as it was (hashes).

const copies = fixtureCopies()
afterAll(() => copies.removeAll())

const cli = async (argv: ReadonlyArray<string>) => {
  let stdout = ""
  const io: CliIo = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } }
  const code = await main(argv, io)
  return { code, json: JSON.parse(stdout) as Record<string, any> }
}

const trackedCopy = () => copies.fresh("jobs-tracked")

describe("migrate: bad input and refusals write nothing", () => {
  it("a missing directory: exit 2, the path named", async () => {
    const dir = tempDir("det-migrate-")
    try {
      const missing = join(dir.path, "nowhere")
      const { code, json } = await cli(["migrate", missing, "--json"])
      expect(code).toBe(2)
      expect(json.error.file).toBe(missing)
    } finally {
      dir.remove()
    }
  })

  it("not a jobs package (no src/runtime/runtime.ts): exit 2", async () => {
    const dir = tempDir("det-migrate-")
    try {
      mkdirSync(join(dir.path, "src"))
      writeFileSync(join(dir.path, "src/index.ts"), "export const x = 1\n")
      const before = hashTree(dir.path)
      const { code, json } = await cli(["migrate", dir.path, "--json"])
      expect(code).toBe(2)
      expect(json.error.file).toMatch(/src\/runtime\/runtime\.ts$/)
      expect(hashTree(dir.path)).toBe(before)
    } finally {
      dir.remove()
    }
  })

  it("a package that does not track by hand: exit 2, pointed to codemod", async () => {
    const copy = copies.fresh()
    const before = hashTree(copy.packageDir)
    const { code, json } = await cli(["migrate", copy.packageDir, "--json"])
    expect(code).toBe(2)
    expect(json.error.detail).toContain("durable-effect-tracking codemod")
    expect(hashTree(copy.packageDir)).toBe(before)
  })

  it("a syntax error: exit 2 with the file and line, nothing written", async () => {
    const copy = trackedCopy()
    const path = join(copy.packageDir, "src/handlers/task/handler.ts")
    writeFileSync(
      path,
      readFileSync(path, "utf8").replace("const applyScheduleChanges = (", "const applyScheduleChanges = (((")
    )
    const before = hashTree(copy.packageDir)
    const { code, json } = await cli(["migrate", copy.packageDir, "--json"])
    expect(code).toBe(2)
    expect(json.error.file).toBe("src/handlers/task/handler.ts")
    expect(json.error.detail).toMatch(/^line \d+: /)
    expect(hashTree(copy.packageDir)).toBe(before)
  })

  it("an emit it cannot remove safely: exit 2, each named by file:line, nothing written (the removable ones neither)", async () => {
    const copy = trackedCopy()
    const path = join(copy.packageDir, "src/handlers/continuous/handler.ts")
    const text = readFileSync(path, "utf8")
    // The event is kept and run later through something migrate cannot see into.
    const crafted = text.replace(
      "yield* alarm.cancel()",
      'const pending = emitEvent({ ...createJobBaseEvent(runtime.instanceId, "continuous", existing.name), type: "job.terminated" as const, runCount: 0 })\n        yield* Effect.forkDaemon(pending)\n        yield* alarm.cancel()'
    )
    expect(crafted).not.toBe(text)
    writeFileSync(path, crafted)
    const line = crafted.split("\n").findIndex((row) => row.includes("const pending = emitEvent")) + 1
    const before = hashTree(copy.packageDir)
    const { code, json } = await cli(["migrate", copy.packageDir, "--json"])
    expect(code).toBe(2)
    expect(json.status).toBe("refused")
    expect(json.refusals).toEqual([{ file: "src/handlers/continuous/handler.ts", line, reason: expect.any(String) }])
    expect(json.written).toEqual([])
    expect(hashTree(copy.packageDir)).toBe(before)
  })

  it("an unknown --events set is refused, nothing written", async () => {
    const copy = trackedCopy()
    const before = hashTree(copy.packageDir)
    const { code, json } = await cli(["migrate", copy.packageDir, "--events", "everything", "--json"])
    expect(code).toBe(2)
    expect(json.error.kind).toBe("usage")
    expect(json.error.message).toContain("unknown event set")
    expect(hashTree(copy.packageDir)).toBe(before)
  })

  it("--dry-run: exit 0, the diff and the type-check in the JSON, nothing written", async () => {
    const copy = trackedCopy()
    const before = hashTree(copy.packageDir)
    const { code, json } = await cli(["migrate", copy.packageDir, "--dry-run", "--json"])
    expect(code).toBe(0)
    expect(json.written).toEqual([])
    // The default set is upstream's format, which carries the user's data the release sent.
    expect(json.events).toBe("upstream")
    expect(json.payloads.sentByHand).toEqual(["input", "preExecutionState"])
    expect(json.payloads.sent).toEqual([
      { field: "input", types: ["job.started"], map: "upstreamJobsEventMap" },
      { field: "preExecutionState", types: ["job.executed", "job.failed"], map: "upstreamJobsEventMap" }
    ])
    expect(json.diff).toContain("+export const trackingEventMap = upstreamJobsEventMap")
    expect(json.diagnostics).toEqual([])
    expect(json.diff).toContain("-          yield* flushEvents")
    expect(json.diff).toContain("+  const trackedCoreLayer = addTracker(coreLayer, trackerConfig)")
    expect(json.configMapping.map((entry: { field: string }) => entry.field)).toContain("retry.maxAttempts")
    expect(hashTree(copy.packageDir)).toBe(before)
  })

  it("--check on the hand-tracked package: exit 1, nothing written", async () => {
    const copy = trackedCopy()
    const before = hashTree(copy.packageDir)
    const { code, json } = await cli(["migrate", copy.packageDir, "--check", "--json"])
    expect(code).toBe(1)
    expect(json.status).toBe("changes")
    expect(json.emitSites).toHaveLength(10)
    expect(hashTree(copy.packageDir)).toBe(before)
  })
})

describe("codemod on a hand-tracked package", () => {
  it("points to migrate: exit 4, the JSON's migrate command and the emit sites, nothing written", async () => {
    const copy = trackedCopy()
    const before = hashTree(copy.packageDir)
    for (const flags of [[], ["--check"], ["--dry-run"]]) {
      const { code, json } = await cli(["codemod", copy.packageDir, ...flags, "--json"])
      expect(code).toBe(4)
      expect(json.status).toBe("tracked-by-hand")
      expect(json.migrate.command).toContain("durable-effect-tracking migrate")
      expect(json.handPlacedEmits).toHaveLength(10)
    }
    expect(hashTree(copy.packageDir)).toBe(before)
  })

  it("the issue's case: tracker layer removed by hand, then wired beside the emits: --check no longer passes, and names the broken link", async () => {
    const copy = trackedCopy()
    const runtimePath = join(copy.packageDir, "src/runtime/runtime.ts")
    // What the codemod's old advice led to: the tracker layer removed, the rest left as it was.
    const edited = readFileSync(runtimePath, "utf8")
      .replace(/ {2}\/\/ The tracker sits[\s\S]*?const baseLayer = [^\n]*\n/, "")
      .replaceAll("baseLayer", "coreLayer")
    expect(edited).not.toContain("HttpBatchTrackerLayer(")
    writeFileSync(runtimePath, edited)
    // As the codemod used to: wire it, emits and all.
    const wired = await runCodemod({ packageDir: copy.packageDir, allowHandPlacedEmits: true, typeCheck: false })
    expect(wired.exitCode).toBe(0)
    expect(wired.written).toContain("src/runtime/runtime.ts")
    // Never "nothing left": the broken links are left to do.
    expect(wired.plan.todo.some((line) => line.includes("never reaches the tracker"))).toBe(true)
    expect(wired.plan.configReach?.ok).toBe(false)

    const check = await cli(["codemod", copy.packageDir, "--check", "--allow-hand-emits", "--json"])
    expect(check.code).toBe(1)
    expect(check.json.status).toBe("already-wired")
    const entries = check.json.configReach.entries as Array<Record<string, any>>
    expect(entries.map((entry) => [entry.entry, entry.reaches])).toEqual([
      ["createDurableJobs", false],
      ["createJobsRuntime", false],
      ["createJobsRuntimeFromLayer", false]
    ])
    // The link: createJobsRuntime still passes config.trackerConfig to the parameter the tracker no longer reads.
    for (const entry of entries) {
      expect(entry.broken).toMatchObject({
        file: "src/runtime/runtime.ts",
        what: "createDispatcherLayer(...) argument 3"
      })
      expect(entry.broken.detail).toContain("trackerConfig")
    }
    // Without the flag the emits still point to migrate: non-zero as well.
    const plain = await cli(["codemod", copy.packageDir, "--check", "--json"])
    expect(plain.code).toBe(4)
    expect(plain.json.configReach.ok).toBe(false)
  })
})
