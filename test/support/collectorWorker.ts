import { readFileSync } from "node:fs"
import { inRepo } from "../../examples/runtime/paths.js"
import { runShared } from "./runShared.js"
import { bundleForWorker } from "./workerBundle.js"

// The collector Worker (examples/collector) as the tests run it in workerd through Miniflare:
// bundled as wrangler.jsonc says (the package aliased to this repository's source), and its D1
// migration applied as `wrangler d1 migrations apply` would.

/** The collector Worker's bundle, built once per test run (see runShared). */
export const collectorScript = (): Promise<string> =>
  runShared("collector-worker.js", async () => {
    const bundle = await bundleForWorker({
      entryPoints: [inRepo("examples/collector/worker.ts")],
      alias: { "durable-effect-tracking": inRepo("src/index.ts") }
    })
    return bundle.text
  })

/** The part of D1 the tests use. */
export interface D1 {
  prepare(sql: string): {
    bind(...values: ReadonlyArray<unknown>): { first<T>(): Promise<T | null>; all<T>(): Promise<{ results: Array<T> }> }
  }
  batch(statements: ReadonlyArray<unknown>): Promise<unknown>
}

/** Applies the collector's migration, statement by statement (its comments are whole lines). */
export const applyCollectorMigration = async (db: D1): Promise<void> => {
  const sql = readFileSync(inRepo("examples/collector/migrations/0001_events.sql"), "utf8")
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n")
  const statements = sql
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s !== "")
  await db.batch(statements.map((statement) => db.prepare(statement).bind()))
}
