import { execFile } from "node:child_process"
import { cpSync, existsSync, readFileSync, realpathSync, symlinkSync } from "node:fs"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeJobEvent, type JobEventWire } from "durable-effect-tracking"
import { inRepo } from "../../examples/runtime/paths.js"
import { startMiniflare } from "../support/runtime.js"
import { tempDir, type TempDir } from "../support/tempDir.js"

// The deploy steps of docs/collector.md that need no Cloudflare account, run with the pinned
// wrangler on examples/collector/wrangler.jsonc as it is: a dry-run deploy (the bundle wrangler
// would upload) and the D1 migrations applied to a local database. Then the bundle wrangler
// built runs in workerd over the database wrangler migrated. All offline: no metrics, no update
// check (the banner is what checks), wrangler's own files in a temp directory.

const wranglerBin = inRepo("node_modules/wrangler/bin/wrangler.js")

let temp: TempDir
/** A copy of examples/collector where the repository's would be, so that `../../src` resolves. */
let folder: string

beforeAll(async () => {
  temp = tempDir("det-wrangler-")
  folder = join(temp.path, "examples/collector")
  // wrangler writes `.wrangler/` next to its config: a copy keeps it out of the repository.
  cpSync(inRepo("examples/collector"), folder, { recursive: true, filter: (path) => !path.includes(".wrangler") })
  symlinkSync(inRepo("src"), join(temp.path, "src"), "dir")
  symlinkSync(inRepo("node_modules"), join(temp.path, "node_modules"), "dir")
  // Both tests use the bundle of one dry run.
  dryRun = await wrangler("deploy", "--dry-run", "--outdir", outdir(), "--metafile", metafile())
})
afterAll(() => temp?.remove())

interface WranglerRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** wrangler's structured output (WRANGLER_OUTPUT_FILE_PATH), one entry per line. */
  readonly entries: ReadonlyArray<{ readonly type: string } & Record<string, unknown>>
}

/** Where the dry run writes the bundle wrangler would upload, and esbuild's metafile of it. */
const outdir = () => join(temp.path, "dist")
const metafile = () => join(temp.path, "meta.json")
let dryRun: WranglerRun

let runs = 0
const wrangler = (...args: ReadonlyArray<string>): Promise<WranglerRun> => {
  const output = join(temp.path, `wrangler-output-${++runs}.ndjson`)
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [wranglerBin, ...args],
      {
        cwd: folder,
        env: {
          ...process.env,
          WRANGLER_SEND_METRICS: "false",
          WRANGLER_SEND_ERROR_REPORTS: "false",
          WRANGLER_HIDE_BANNER: "true",
          WRANGLER_OUTPUT_FILE_PATH: output,
          WRANGLER_LOG_PATH: join(temp.path, "logs"),
          // wrangler's global config (metrics consent, device id) goes here, not in the home directory.
          XDG_CONFIG_HOME: join(temp.path, "config"),
          CI: "true"
        },
        maxBuffer: 16 * 1024 * 1024
      },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
          stdout,
          stderr,
          entries: existsSync(output)
            ? readFileSync(output, "utf8")
                .split("\n")
                .filter((line) => line !== "")
                .map((line) => JSON.parse(line))
            : []
        })
    )
  )
}

const failed = (run: WranglerRun) => `exit ${run.code}\n${run.stdout}\n${run.stderr}`

/** `wrangler d1 execute --local --json` on the local database: the rows of each statement. */
const query = async (persistTo: string, sql: string): Promise<Array<Array<Record<string, unknown>>>> => {
  const run = await wrangler(
    "d1",
    "execute",
    "job-events",
    "--local",
    "--persist-to",
    persistTo,
    "--json",
    "--command",
    sql
  )
  expect(run.code, failed(run)).toBe(0)
  const results = JSON.parse(run.stdout) as Array<{ success: boolean; results: Array<Record<string, unknown>> }>
  expect(results.every((result) => result.success)).toBe(true)
  return results.map((result) => result.results)
}

describe("examples/collector with wrangler", () => {
  it("deploys as a dry run: the Worker bundled with the package's source, nothing uploaded", async () => {
    expect(dryRun.code, failed(dryRun)).toBe(0)
    expect(dryRun.entries.find((entry) => entry.type === "deploy")).toMatchObject({
      worker_name: "job-events-collector"
    })
    const bundle = readFileSync(join(outdir(), "worker.js"), "utf8")
    expect(bundle).toContain("/instances/")
    // Input paths are relative to where wrangler ran, through the links to this repository.
    const inputs = Object.keys((JSON.parse(readFileSync(metafile(), "utf8")) as { inputs: object }).inputs).map(
      (input) => realpathSync(resolve(folder, input))
    )
    // The alias at work: the package's own decoder, from this repository's source.
    expect(inputs).toEqual(
      expect.arrayContaining([
        ...["worker.ts", "store.ts"].map((file) => realpathSync(join(folder, file))),
        ...["src/index.ts", "src/jobs/events/decodeJobEventBatch.ts"].map((file) => realpathSync(inRepo(file)))
      ])
    )
  })

  it("applies the migrations to a local D1, and the bundle it built stores into that database", async () => {
    const persistTo = join(temp.path, "state")
    const applied = await wrangler("d1", "migrations", "apply", "job-events", "--local", "--persist-to", persistTo)
    expect(applied.code, failed(applied)).toBe(0)
    const [migrations, tables] = await query(
      persistTo,
      "SELECT name FROM d1_migrations; SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    )
    expect(migrations).toEqual([{ name: "0001_events.sql" }])
    expect(tables!.map((row) => row.name)).toEqual(expect.arrayContaining(["events", "dead_letters"]))

    // What `wrangler dev` does with these files, through Miniflare: the dry run's bundle, the
    // database under the id in wrangler.jsonc, kept where --persist-to put it.
    expect(dryRun.code, failed(dryRun)).toBe(0)
    const bundle = join(outdir(), "worker.js")
    const databaseId = /"database_id":\s*"([^"]+)"/.exec(readFileSync(join(folder, "wrangler.jsonc"), "utf8"))![1]!
    const { mf, dispose } = await startMiniflare({
      modules: true,
      script: readFileSync(bundle, "utf8"),
      compatibilityDate: "2025-01-01",
      d1Databases: { DB: databaseId },
      d1Persist: join(persistTo, "v3/d1"),
      bindings: { EVENTS_TOKEN: "local-token" }
    })
    const event = {
      ...makeJobEvent({ type: "job.created", instanceId: "wrangler-1", jobType: "task", jobName: "deploy" }),
      env: "test",
      serviceKey: "wrangler"
    } as JobEventWire
    try {
      const response = await mf.dispatchFetch("http://collector.local/events", {
        method: "POST",
        headers: { authorization: "Bearer local-token", "content-type": "application/json" },
        body: JSON.stringify({ events: [event] })
      })
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ received: 1, stored: 1, duplicates: 0 })
    } finally {
      await dispose()
    }
    expect(await query(persistTo, "SELECT event_id, instance_id FROM events")).toEqual([
      [{ event_id: event.eventId, instance_id: "wrangler-1" }]
    ])
  })
})
