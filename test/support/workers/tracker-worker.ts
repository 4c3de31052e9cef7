// A Worker that runs the HTTP tracker inside workerd: bundled for a neutral platform and run by
// Miniflare in test/sinks/http/HttpBatchTrackerWorker.test.ts. It uses the platform's own fetch.
import { Effect, Layer } from "effect"
import { EventTracker, flushEvents } from "../../../src/tracker/EventTracker.js"
import { HttpBatchTracker } from "../../../src/sinks/http/HttpBatchTracker.js"
import { resolveTrackerLayer } from "../../../src/instrument/addTracker.js"

interface Env {
  readonly ENDPOINT: string
}

export default {
  async fetch(_request: Request, env: Env): Promise<Response> {
    const tracker = HttpBatchTracker.make<unknown>({
      endpoint: env.ENDPOINT,
      env: "worker",
      serviceKey: "svc",
      retry: { maxAttempts: 1 }
    })
    const events = Array.from({ length: 3 }, (_, i) => ({ eventId: `event-${i}`, type: "job.started" }))
    await Effect.runPromise(
      Effect.gen(function* () {
        for (const event of events) yield* tracker.emit(event)
        // The collector answers the first request 503: the flush keeps the events...
        yield* tracker.flush()
        // ...and the next one, through a layer as instrumentation would use it, delivers them.
        yield* flushEvents.pipe(Effect.provide(Layer.succeed(EventTracker, tracker)))
      })
    )
    // A configuration resolves to a layer here too.
    const resolved = resolveTrackerLayer({ endpoint: env.ENDPOINT, env: "worker", serviceKey: "svc" })
    return Response.json({ stats: await Effect.runPromise(tracker.stats()), resolvedIsLayer: Layer.isLayer(resolved) })
  }
}
