import type { Miniflare } from "miniflare"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { JobEventWire } from "durable-effect-tracking"
import { inRepo } from "../../examples/runtime/paths.js"
import { demoOptions } from "../../examples/runtime/remoteCollector.js"
import { checkEventSequence } from "../../src/jobs/events/eventSequence.js"
import { startNode } from "../support/childProcess.js"
import { applyCollectorMigration, collectorScript, type D1 } from "../support/collectorWorker.js"
import { startMiniflare, typesOf } from "../support/runtime.js"
import { scenarioStories } from "../support/scenarioStories.js"
import { tempDir, type TempDir } from "../support/tempDir.js"

// `npm start -- --collector <url>`: the demo itself, as a user runs it, sends its scenario's
// events with the HTTP batch tracker to the collector Worker, here in workerd through Miniflare
// with a real D1 database. Each event is stored once, a batch delivered again changes nothing,
// and the collector's "instance's life" query answers each instance's events in emitted order.

const token = "demo-collector-token"
const auth = { authorization: `Bearer ${token}` }

let mf: Miniflare
let dispose: (() => Promise<void>) | undefined
let origin: string
let db: D1
let temp: TempDir

beforeAll(async () => {
  temp = tempDir("det-demo-collector-")
  ;({ mf, dispose } = await startMiniflare({
    modules: true,
    script: await collectorScript(),
    compatibilityDate: "2025-01-01",
    d1Databases: { DB: "job-events" },
    bindings: { EVENTS_TOKEN: token }
  }))
  origin = (await mf.ready).origin
  db = (await mf.getD1Database("DB")) as unknown as D1
  await applyCollectorMigration(db)
})
afterAll(async () => {
  await dispose?.()
  temp?.remove()
})

const instanceLife = async (instanceId: string): Promise<ReadonlyArray<JobEventWire>> => {
  const response = await fetch(`${origin}/instances/${encodeURIComponent(instanceId)}/events`, { headers: auth })
  expect(response.status).toBe(200)
  return ((await response.json()) as { events: Array<JobEventWire> }).events
}

describe("the demo sending to the collector Worker", () => {
  it("lands each of the demo's events in D1 once, and the instance query answers them in emitted order", async () => {
    // The demo writes its report in the current directory: a temp one. tsx by path, not by name,
    // since nothing resolves from there.
    const tsx = pathToFileURL(inRepo("node_modules/tsx/dist/loader.mjs")).href
    const demo = await startNode(["--import", tsx, inRepo("examples/demo.ts"), "--collector", `${origin}/events`], {
      cwd: temp.path,
      env: { COLLECTOR_TOKEN: token, NO_COLOR: "1" }
    }).exited
    expect(demo.code, `${demo.stdout}\n${demo.stderr}`).toBe(0)
    expect(existsSync(join(temp.path, "tracking-report.html"))).toBe(true)

    const rows = (
      await db
        .prepare("SELECT event_id, instance_id, body FROM events ORDER BY instance_id, timestamp_ms, event_id")
        .bind()
        .all<{ event_id: string; instance_id: string; body: string }>()
    ).results
    const stored = rows.map((row) => JSON.parse(row.body) as JobEventWire)
    const instanceIds = [...new Set(rows.map((row) => row.instance_id))]
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(rows.length)

    // Each stored instance is one of the scenario's, its whole life the documented story, in
    // the query's order; every scenario instance is there, once. The stories leave no room for
    // an event missing or stored twice.
    const matched = new Set<string>()
    let storyEvents = 0
    for (const instanceId of instanceIds) {
      const life = await instanceLife(instanceId)
      expect(life).toEqual(stored.filter((event) => event.instanceId === instanceId))
      const story = scenarioStories.find(
        ({ instance, types }) =>
          !matched.has(instance.instanceName) &&
          life[0]?.jobType === instance.jobType &&
          life[0]?.jobName === instance.jobName &&
          types.test(typesOf(life))
      )
      expect(story, `${instanceId}: ${typesOf(life)}`).toBeDefined()
      matched.add(story!.instance.instanceName)
      storyEvents += life.length
      for (const event of life) {
        expect(event).toMatchObject({ instanceId, env: "demo", serviceKey: "jobs-demo" })
      }
      // Emitted order: eventIds (UUIDv7) are made in emission order, and the causal order holds.
      const ids = life.map((event) => event.eventId)
      expect(ids).toEqual([...ids].sort())
      expect(checkEventSequence(life), instanceId).toEqual([])
    }
    expect([...matched].sort()).toEqual(scenarioStories.map(({ instance }) => instance.instanceName).sort())
    expect(rows.length).toBe(storyEvents)

    // At least once: the same events delivered again are all duplicates, and nothing changes.
    const again = await fetch(`${origin}/events`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ events: stored })
    })
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual({ received: rows.length, stored: 0, duplicates: rows.length })
    const count = await db.prepare("SELECT COUNT(*) AS n FROM events").bind().first<{ n: number }>()
    expect(count!.n).toBe(rows.length)
  })
})

describe("the demo's command line", () => {
  it("takes --collector <url> or --collector=<url>, the token from COLLECTOR_TOKEN, and nothing else", () => {
    const url = "http://localhost:8787/events"
    expect(demoOptions([], {})).toEqual({ collector: undefined })
    expect(demoOptions(["--collector", url], {})).toEqual({ collector: { eventsUrl: url, token: undefined } })
    expect(demoOptions([`--collector=${url}`], { COLLECTOR_TOKEN: "t" })).toEqual({
      collector: { eventsUrl: url, token: "t" }
    })
    expect(() => demoOptions(["--colector", url], {})).toThrow(/unknown argument: --colector/)
    expect(() => demoOptions(["--collector"], {})).toThrow(/unknown argument: --collector/)
    expect(() => demoOptions(["--collector", "localhost:8787"], {})).toThrow(/not http\(s\)/)
    expect(() => demoOptions(["--collector", "nowhere"], {})).toThrow(/not a URL/)
  })
})
