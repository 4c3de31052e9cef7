import type { Miniflare } from "miniflare"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startMiniflare } from "../../support/runtime.js"
import type { JobEventWire, QueueTrackerStats } from "durable-effect-tracking"
import { type Collector, startCollector } from "../../support/collector.js"
import { bundleForWorker } from "../../support/workerBundle.js"

// The Queue tracker in workerd, through Miniflare: a producer Worker sends to a real queue, a
// consumer Worker receives every batch and POSTs it, as `{"events":[...]}`, to a local collector.

const consumerScript = `
export default {
  async queue(batch, env) {
    const response = await fetch(env.COLLECTOR, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ events: batch.messages.map((message) => message.body) })
    })
    if (!response.ok) throw new Error("collector refused the batch")
  }
}
`

let collector: Collector
let mf: Miniflare
let disposeMiniflare: (() => Promise<void>) | undefined
beforeAll(async () => {
  collector = await startCollector()
  const producer = await bundleForWorker({
    entryPoints: [fileURLToPath(new URL("../../support/workers/queue-producer-worker.ts", import.meta.url))]
  })
  ;({ mf, dispose: disposeMiniflare } = await startMiniflare({
    compatibilityDate: "2025-01-01",
    workers: [
      {
        name: "producer",
        modules: true,
        script: producer.text,
        queueProducers: { EVENTS: { queueName: "job-events" } }
      },
      {
        name: "consumer",
        modules: true,
        script: consumerScript,
        bindings: { COLLECTOR: collector.url },
        queueConsumers: { "job-events": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 0 } }
      }
    ]
  }))
})
afterAll(async () => {
  await disposeMiniflare?.()
  await collector?.close()
})

const received = (jobName: string): Array<JobEventWire> =>
  collector
    .delivered()
    .flatMap((body) => (body as { events: Array<JobEventWire> }).events)
    .filter((event) => event.jobName === jobName)

const waitForEvents = async (jobName: string, count: number): Promise<Array<JobEventWire>> => {
  // Wait on what arrives, request by request; the collector times out in real time if it never does.
  for (let seen = collector.requests.length; received(jobName).length < count; seen++) {
    await collector.waitForRequests(seen + 1, 20_000)
  }
  return received(jobName)
}

const produce = async (query: string) => {
  const response = await mf.dispatchFetch(`http://producer.local/?${query}`)
  expect(response.status).toBe(200)
  return (await response.json()) as { eventIds: Array<string>; stats: Array<QueueTrackerStats> }
}

describe("QueueTracker in workerd with a real queue", () => {
  it("delivers every event to the consumer Worker, 250 in batches of at most 100", async () => {
    const { eventIds, stats } = await produce("jobName=many&count=250")
    expect(stats[0]).toMatchObject({ sent: 250, batches: 3, sends: 3, pending: 0 })
    const events = await waitForEvents("many", 250)
    expect(events.map((e) => e.eventId).sort()).toEqual([...eventIds].sort())
    expect(events.every((e) => e.env === "worker" && e.serviceKey === "svc" && e.type === "job.terminated")).toBe(true)
  })

  it("splits 60 KB events into sends within Queues' 256 KB limit, and every one arrives", async () => {
    // Miniflare 4 does not refuse larger sends (Cloudflare does): the three sends of 4, 4 and 1
    // messages are the tracker's own split; QueueTracker.test.ts checks the bytes of each send.
    const { eventIds, stats } = await produce("jobName=large&count=9&reasonBytes=60000")
    expect(stats[0]).toMatchObject({ sent: 9, batches: 3, sends: 3, pending: 0 })
    const events = await waitForEvents("large", 9)
    expect(events.map((e) => e.eventId).sort()).toEqual([...eventIds].sort())
    expect(events.every((e) => e.type === "job.terminated" && e.reason?.length === 60_000)).toBe(true)
  })

  it("keeps the events of a refused send and delivers them with the next flush, each once", async () => {
    const { eventIds, stats } = await produce("jobName=refused&count=5&refuse=1")
    expect(stats[0]).toMatchObject({ sent: 0, requeued: 5, pending: 5, lastFailure: { kind: "rejected" } })
    expect(stats[1]).toMatchObject({ sent: 5, pending: 0 })
    const events = await waitForEvents("refused", 5)
    expect(events.map((e) => e.eventId).sort()).toEqual([...eventIds].sort())
  })
})
