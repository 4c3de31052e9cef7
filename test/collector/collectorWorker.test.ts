import { Effect } from "effect"
import type { Miniflare } from "miniflare"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { HttpBatchTracker, makeJobEvent, type JobEventInput, type JobEventWire } from "durable-effect-tracking"
import { applyCollectorMigration, collectorScript, type D1 } from "../support/collectorWorker.js"
import { startMiniflare } from "../support/runtime.js"
import { waitUntil } from "../support/wait.js"
import { bundleForWorker } from "../support/workerBundle.js"

// The collector Worker (examples/collector) in workerd through Miniflare, with a real D1 database
// and real queues: the HTTP tracker posts to it, a producer Worker's QueueTracker sends to its
// queue, and a raw producer sends what no tracker would (a bad message, duplicates).

const inRepo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const token = "collector-test-token"
const auth = { authorization: `Bearer ${token}` }

// Sends each body of a POSTed JSON array as one message, as JSON, in one sendBatch.
const rawProducerScript = `
export default {
  async fetch(request, env) {
    const bodies = await request.json()
    const queue = new URL(request.url).searchParams.get("queue") === "down" ? env.DOWN : env.EVENTS
    await queue.sendBatch(bodies.map((body) => ({ body, contentType: "json" })))
    return new Response("sent")
  }
}
`

let mf: Miniflare
let origin: string
let db: D1
let dispose: (() => Promise<void>) | undefined

beforeAll(async () => {
  const collector = await collectorScript()
  const producer = await bundleForWorker({ entryPoints: [inRepo("test/support/workers/queue-producer-worker.ts")] })
  ;({ mf, dispose } = await startMiniflare({
    compatibilityDate: "2025-01-01",
    workers: [
      {
        name: "collector",
        modules: true,
        script: collector,
        d1Databases: { DB: "job-events" },
        bindings: { EVENTS_TOKEN: token, DEAD_LETTER_QUEUE: "job-events-dlq" },
        queueConsumers: {
          "job-events": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 1, deadLetterQueue: "job-events-dlq" },
          "job-events-dlq": { maxBatchSize: 100, maxBatchTimeout: 1 }
        }
      },
      {
        // The same Worker over a database without the migration: every insert fails.
        name: "unmigrated",
        modules: true,
        script: collector,
        d1Databases: { DB: "empty" },
        queueConsumers: {
          "down-events": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 1, deadLetterQueue: "job-events-dlq" }
        }
      },
      {
        name: "producer",
        modules: true,
        script: producer.text,
        queueProducers: { EVENTS: { queueName: "job-events" } }
      },
      {
        name: "raw",
        modules: true,
        script: rawProducerScript,
        queueProducers: { EVENTS: { queueName: "job-events" }, DOWN: { queueName: "down-events" } }
      }
    ]
  }))
  origin = (await mf.ready).origin
  db = (await mf.getD1Database("DB", "collector")) as unknown as D1
  await applyCollectorMigration(db)
})
afterAll(async () => {
  await dispose?.()
})

const wire = (input: JobEventInput, fields: Partial<JobEventWire> = {}): JobEventWire =>
  ({ ...makeJobEvent(input), env: "test", serviceKey: "collector", ...fields }) as JobEventWire

const post = (body: unknown, headers: Record<string, string> = auth) =>
  fetch(`${origin}/events`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

const get = async (path: string): Promise<{ status: number; body: any }> => {
  const response = await fetch(`${origin}${path}`, { headers: auth })
  return { status: response.status, body: await response.json() }
}

const countWhere = async (column: "job_name" | "instance_id", value: string): Promise<number> =>
  (await db.prepare(`SELECT COUNT(*) AS n FROM events WHERE ${column} = ?`).bind(value).first<{ n: number }>())!.n

describe("the collector Worker in workerd, with D1 and Queues", () => {
  it("answers 401 without the bearer token, or with a wrong one", async () => {
    const event = wire({ type: "job.created", instanceId: "auth-1", jobType: "task", jobName: "auth" })
    expect((await post({ events: [event] }, {})).status).toBe(401)
    expect((await post({ events: [event] }, { authorization: "Bearer wrong" })).status).toBe(401)
    expect((await fetch(`${origin}/failures`)).status).toBe(401)
    expect(await countWhere("job_name", "auth")).toBe(0)
  })

  it("refuses a bad batch with a 400 listing its problems by path, and stores none of it", async () => {
    const good = wire({ type: "job.created", instanceId: "bad-1", jobType: "task", jobName: "bad" })
    const response = await post({ events: [good, { ...good, eventId: "not-a-uuid", timestamp: "yesterday" }, 42] })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { error: string; problemCount: number; problems: Array<{ path: string }> }
    expect(body.error).toBe("not a valid job event batch")
    const paths = body.problems.map((problem) => problem.path)
    expect(paths).toEqual(expect.arrayContaining(["events[1].eventId", "events[1].timestamp", "events[2]"]))
    expect(body.problemCount).toBe(body.problems.length)
    expect(await countWhere("job_name", "bad")).toBe(0)

    const notJson = await post("{ events: ")
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toMatchObject({ error: "the body is not JSON", problems: [{ path: "(body)" }] })
    expect((await post({ events: "none" })).status).toBe(400)
  })

  it("stores 3000 events the HTTP tracker sends, and each event sent again only once", async () => {
    const events = Array.from({ length: 3000 }, (_, i) =>
      makeJobEvent({ type: "job.started", instanceId: `http-${i % 30}`, jobType: "task", jobName: "http" })
    )
    const tracker = HttpBatchTracker.make<unknown>({
      endpoint: `${origin}/events`,
      env: "test",
      serviceKey: "collector",
      headers: auth,
      batchSize: 500,
      // Bounds for a busy machine, not expectations.
      timeoutMs: 120_000,
      flushTimeoutMs: 600_000
    })
    const stats = await Effect.runPromise(
      Effect.gen(function* () {
        for (const event of events) yield* tracker.emit(event)
        yield* tracker.flush()
        return yield* tracker.stats()
      })
    )
    expect(stats).toMatchObject({ sent: 3000, requests: 6, pending: 0, lastFailure: undefined })
    expect(await countWhere("job_name", "http")).toBe(3000)

    // At least once: some of them again, one new event, and that one twice in the same batch.
    const again = events.slice(0, 100).map((event) => ({ ...event, env: "test", serviceKey: "collector" }))
    const extra = wire({ type: "job.started", instanceId: "http-0", jobType: "task", jobName: "http" })
    const response = await post({ events: [...again, extra, extra] })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ received: 102, stored: 1, duplicates: 101 })
    expect(await countWhere("job_name", "http")).toBe(3001)
  })

  it("drains 2000 events the Queue tracker sends; a duplicate is stored once, a bad message dead-lettered", async () => {
    const produced = await (await mf.getWorker("producer")).fetch("http://producer.local/?jobName=queued&count=2000")
    expect(produced.status).toBe(200)
    const { eventIds } = (await produced.json()) as { eventIds: Array<string> }
    expect(new Set(eventIds).size).toBe(2000)
    await waitUntil("2000 queued events stored", async () =>
      (await countWhere("job_name", "queued")) === 2000 ? true : undefined
    )

    const raw = await mf.getWorker("raw")
    const events = Array.from({ length: 10 }, (_, i) =>
      wire({ type: "job.created", instanceId: `raw-${i}`, jobType: "task", jobName: "raw" })
    )
    const bad = { ...events[0], type: "job.exploded" }
    const sent = await raw.fetch("http://raw.local/", { method: "POST", body: JSON.stringify([...events, bad]) })
    expect(sent.status).toBe(200)
    // The same events again, and one more: that one arriving stored says the batch was taken.
    const last = wire({ type: "job.created", instanceId: "raw-last", jobType: "task", jobName: "raw" })
    await raw.fetch("http://raw.local/", { method: "POST", body: JSON.stringify([...events, last]) })
    await waitUntil("the raw events stored and the bad message dead-lettered", async () => {
      const letters = await db
        .prepare("SELECT body, problems FROM dead_letters WHERE body LIKE ?")
        .bind("%job.exploded%")
        .all<{ body: string; problems: string }>()
      return (await countWhere("instance_id", "raw-last")) === 1 && letters.results.length === 1
        ? letters.results[0]
        : undefined
    }).then((letter) => {
      expect(JSON.parse(letter.body)).toEqual(bad)
      const problems = JSON.parse(letter.problems) as Array<{ path: string; message: string }>
      expect(problems.map((problem) => problem.path)).toContain("type")
    })
    expect(await countWhere("job_name", "raw")).toBe(11)
    expect(await countWhere("job_name", "queued")).toBe(2000)
  })

  it("answers 503 when D1 fails, so that the tracker retries and keeps the events", async () => {
    const unmigrated = await mf.getWorker("unmigrated")
    const event = wire({ type: "job.created", instanceId: "down-1", jobType: "task", jobName: "down" })
    const response = await unmigrated.fetch("http://collector.local/events", {
      method: "POST",
      body: JSON.stringify({ events: [event] })
    })
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({ error: "storage unavailable, try again" })
  })

  it("retries queue messages it could not store, until Queues dead-letters them", async () => {
    const event = wire({ type: "job.created", instanceId: "down-2", jobType: "task", jobName: "down" })
    const raw = await mf.getWorker("raw")
    expect(
      (await raw.fetch("http://raw.local/?queue=down", { method: "POST", body: JSON.stringify([event]) })).status
    ).toBe(200)
    // Its consumer has no table: the message is retried, then moved to the dead-letter queue,
    // which the migrated collector keeps (no problems: the message was a good event).
    const letter = await waitUntil("the unstored message dead-lettered", async () => {
      const letters = await db
        .prepare("SELECT body, problems FROM dead_letters WHERE body LIKE ?")
        .bind(`%${event.eventId}%`)
        .all<{ body: string; problems: string }>()
      return letters.results[0]
    })
    expect(JSON.parse(letter.body)).toEqual(event)
    expect(JSON.parse(letter.problems)).toEqual([])
  })

  it("answers an instance's life in order, and the most recent failures first", async () => {
    const at = (ms: number) => new Date(Date.UTC(2099, 0, 1) + ms).toISOString()
    const base = { instanceId: "life-1", jobType: "continuous", jobName: "life" } as const
    const error = { message: "boom", tag: "Boom" }
    const life = [
      wire({ ...base, type: "job.created" }, { timestamp: at(0) }),
      wire({ ...base, type: "job.started" }, { timestamp: at(1) }),
      wire({ ...base, type: "execution.started", runCount: 1 }, { timestamp: at(2) }),
      wire({ ...base, type: "execution.failed", durationMs: 3, error }, { timestamp: at(5) }),
      wire({ ...base, type: "retry.exhausted", attempts: 1, error }, { timestamp: at(6) }),
      wire({ ...base, type: "job.failed", error }, { timestamp: at(7) })
    ]
    // Sent in reverse, over two requests, as a retried batch may arrive after later events.
    const reversed = [...life].reverse()
    expect((await post({ events: reversed.slice(0, 3) })).status).toBe(200)
    expect((await post({ events: reversed.slice(3) })).status).toBe(200)

    const instance = await get("/instances/life-1/events")
    expect(instance.status).toBe(200)
    expect(instance.body.instanceId).toBe("life-1")
    expect(instance.body.events).toEqual(life)

    const failures = await get("/failures?limit=2")
    expect(failures.status).toBe(200)
    expect(failures.body.failures.map((event: JobEventWire) => event.type)).toEqual(["job.failed", "retry.exhausted"])
    expect((await get("/failures?limit=0")).status).toBe(400)
    expect((await get("/instances/nobody/events")).body).toEqual({ instanceId: "nobody", events: [] })
    expect((await get("/nowhere")).status).toBe(404)
  })
})
