import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

// wranglerDeploy.test.ts has wrangler read wrangler.jsonc (a dry-run deploy); this checks that it
// names what the folder holds and what the Worker and its tests expect (the binding, the queues,
// the migrations), which a dry run does not report in a structured form.

const folder = fileURLToPath(new URL("../../examples/collector/", import.meta.url))

/** JSONC as wrangler reads it: `//` comments (none inside strings here) and no trailing commas. */
const config = JSON.parse(
  readFileSync(`${folder}wrangler.jsonc`, "utf8")
    .split("\n")
    .map((line) => line.replace(/^\s*\/\/.*$/, ""))
    .join("\n")
) as {
  main: string
  alias: Record<string, string>
  d1_databases: Array<{ binding: string; database_name: string; migrations_dir: string }>
  queues: { consumers: Array<{ queue: string; dead_letter_queue?: string }> }
  vars: Record<string, string>
}

describe("examples/collector/wrangler.jsonc", () => {
  it("points at the Worker, the package source and the migrations", () => {
    expect(existsSync(`${folder}${config.main}`)).toBe(true)
    expect(existsSync(`${folder}${config.alias["durable-effect-tracking"]}`)).toBe(true)
    const [db] = config.d1_databases
    expect(db).toMatchObject({ binding: "DB", database_name: "job-events" })
    expect(existsSync(`${folder}${db!.migrations_dir}/0001_events.sql`)).toBe(true)
  })

  it("consumes the events queue with a dead-letter queue, and that queue too, named in vars", () => {
    const [events, deadLetters] = config.queues.consumers
    expect(events).toMatchObject({ queue: "job-events", dead_letter_queue: "job-events-dlq" })
    expect(deadLetters?.queue).toBe("job-events-dlq")
    expect(config.vars.DEAD_LETTER_QUEUE).toBe("job-events-dlq")
  })
})
