// A producer Worker that runs the Queue tracker inside workerd over a real Queue binding, bundled
// for a neutral platform and run by Miniflare in test/sinks/queue/QueueTrackerWorker.test.ts.
import { Effect } from "effect"
import { makeJobEvent } from "../../../src/jobs/events/makeJobEvent.js"
import type { QueueProducer } from "../../../src/sinks/queue/QueueSink.js"
import { QueueTracker } from "../../../src/sinks/queue/QueueTracker.js"

interface Env {
  readonly EVENTS: QueueProducer
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    const jobName = url.searchParams.get("jobName") ?? "probe"
    const count = Number(url.searchParams.get("count") ?? "1")
    const reasonBytes = Number(url.searchParams.get("reasonBytes") ?? "0")
    // The real binding behind a door that refuses the first `refuse` sends, as an outage would.
    let refusals = Number(url.searchParams.get("refuse") ?? "0")
    const refused = () => refusals-- > 0
    const queue: QueueProducer = {
      send: (body, options) =>
        refused() ? Promise.reject(new Error("queue unavailable")) : env.EVENTS.send(body, options),
      sendBatch: (messages) =>
        refused() ? Promise.reject(new Error("queue unavailable")) : env.EVENTS.sendBatch(messages)
    }
    const tracker = QueueTracker.make(queue, { env: "worker", serviceKey: "svc", retry: { maxAttempts: 1 } })
    const events = Array.from({ length: count }, (_, i) =>
      makeJobEvent({
        type: "job.terminated",
        instanceId: `do-${i}`,
        jobType: "task",
        jobName,
        reason: "r".repeat(reasonBytes)
      })
    )
    const statsAfterFlushes = await Effect.runPromise(
      Effect.gen(function* () {
        for (const event of events) yield* tracker.emit(event)
        const flushes = []
        // Each flush of a refused send keeps the events; the next one sends them.
        for (let i = 0; i < 3; i++) {
          yield* tracker.flush()
          flushes.push(yield* tracker.stats())
        }
        return flushes
      })
    )
    return Response.json({ eventIds: events.map((e) => e.eventId), stats: statsAfterFlushes })
  }
}
