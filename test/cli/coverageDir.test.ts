import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { main, type CliIo } from "../../src/cli/program.js"
import { JobEventTypes } from "durable-effect-tracking"
import { repoRoot } from "../support/fixtureCopy.js"

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

const fixture = (name: string) => join(repoRoot, "test/fixtures", name)

/** `types` has exactly the documented shape for every one of the 20 types. */
const expectTypesShape = (types: Record<string, Record<string, unknown>>) => {
  expect(Object.keys(types).sort()).toEqual([...JobEventTypes].sort())
  for (const entry of Object.values(types)) {
    expect(typeof entry["covered"]).toBe("boolean")
    expect(Array.isArray(entry["by"])).toBe(true)
    for (const by of entry["by"] as Array<string>) expect(by).toMatch(/^\w+\.\w+ \(src\/[\w/.-]+\.ts:\d+\)$/)
    if (entry["covered"] === true) expect((entry["by"] as Array<string>).length).toBeGreaterThan(0)
    else expect(typeof entry["reason"]).toBe("string")
  }
}

describe("cli: coverage <package-dir>", () => {
  const temp = mkdtempSync(join(tmpdir(), "det-coverage-"))
  afterAll(() => rmSync(temp, { recursive: true, force: true }))

  it("the current layout: all 20 covered, exit 0", async () => {
    const result = await run(["coverage", fixture("jobs"), "--json"])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({ map: "defaultJobsEventMap", layout: "execution-service", covered: 20, total: 20 })
    expectTypesShape(report.types)
    expect(report.types["job.created"].by).toEqual([
      expect.stringMatching(/^MetadataService\.initialize \(src\/services\/metadata\.ts:\d+\)$/)
    ])
  })

  it("the older layout: 19 covered, task.idle not covered with where it happens, exit 1", async () => {
    const result = await run(["coverage", fixture("jobs-inline"), "--json"])
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({ map: "inlineJobsEventMap", layout: "inline", covered: 19, total: 20 })
    expectTypesShape(report.types)
    expect(report.types["task.idle"].reason).toMatch(/def\.onIdle\(\.\.\.\) at src\/handlers\/task\/handler\.ts:\d+/)
    expect(report.types["retry.exhausted"].relies).toEqual([
      expect.stringMatching(/^RetryExhaustedError \(src\/retry\/errors\.ts:\d+\)$/)
    ])
  })

  it("--map with a JavaScript module exporting a one-entry map: what it leaves out is not covered", async () => {
    const module = join(temp, "narrow.mjs")
    writeFileSync(
      module,
      `export const trackingEventMap = { services: { "@durable-effect/jobs/MetadataService": { service: "MetadataService", methods: { initialize: { success: { "job.created": () => ({}) } } } } } }\n`
    )
    const result = await run(["coverage", fixture("jobs"), "--map", module, "--json"])
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.covered).toBe(1)
    expect(report.types["job.created"].covered).toBe(true)
    expect(report.types["alarm.fired"]).toMatchObject({ covered: false, reason: "no entry of the event map emits it" })
  })

  it("--map with a list of maps (formats side by side, as migrate --events both writes): the list's job events map is measured", async () => {
    const module = join(temp, "several.mjs")
    writeFileSync(
      module,
      `const audit = { vocabulary: { name: "audit" }, services: {} }\nexport const trackingEventMap = [audit, { services: { "@durable-effect/jobs/MetadataService": { service: "MetadataService", methods: { initialize: { success: { "job.created": () => ({}) } } } } } }]\n`
    )
    const result = await run(["coverage", fixture("jobs"), "--map", module, "--json"])
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.covered).toBe(1)
    expect(report.types["job.created"].covered).toBe(true)
  })

  it("bad input exits 2: a missing directory, a --map that is missing or exports no map, two directories", async () => {
    expect((await run(["coverage", join(temp, "nope"), "--json"])).code).toBe(2)
    expect((await run(["coverage", fixture("jobs"), "--map", join(temp, "nope.ts")])).code).toBe(2)
    const notAMap = join(temp, "not-a-map.mjs")
    writeFileSync(notAMap, "export const answer = 42\n")
    const bad = await run(["coverage", fixture("jobs"), "--map", notAMap, "--json"])
    expect(bad.code).toBe(2)
    expect(JSON.parse(bad.stdout).error.expected).toContain("exporting an event map")
    expect((await run(["coverage", fixture("jobs"), fixture("jobs-inline")])).code).toBe(2)
  })
})
