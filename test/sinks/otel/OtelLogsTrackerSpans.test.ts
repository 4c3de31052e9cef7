import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs"
import { Effect, Layer, type Tracer } from "effect"
import { withTracking } from "durable-effect-tracking"
import { OtelLogsTracker } from "durable-effect-tracking/otel"
import { describe, expect, it } from "vitest"
import { Inner, InnerLayer, InstanceLayer, Outer, OuterLayer, toyEventMap } from "../../instrument/support.js"

/**
 * The toy services tracked with spans on: `Outer.run` (execution.started before,
 * execution.succeeded after) calls `Inner.step` (task.event.processed after). Each method body
 * records the span it runs in, which is the span `withTracking` opened for it.
 */
const trackedToys = () => {
  const exporter = new InMemoryLogRecordExporter()
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] })
  const base = Layer.merge(OtelLogsTracker.layer({ env: "test", loggerProvider: provider, spans: true }), InstanceLayer)
  const seen: { run?: Tracer.AnySpan; step?: Tracer.AnySpan } = {}
  const step = (n: number) =>
    Effect.as(
      Effect.tap(Effect.orDie(Effect.currentSpan), (span) => {
        seen.step = span
      }),
      n
    )
  const inner = withTracking(InnerLayer(undefined, step), { eventMap: toyEventMap, spans: true }).pipe(
    Layer.provideMerge(base)
  )
  const layer = withTracking(OuterLayer, { eventMap: toyEventMap, spans: true }).pipe(Layer.provideMerge(inner))
  const work = Effect.as(
    Effect.tap(Effect.orDie(Effect.currentSpan), (span) => {
      seen.run = span
    }),
    5
  )
  const call = Effect.flatMap(Outer, (outer) => outer.run("digest", work))
  return { exporter, layer: layer as Layer.Layer<Outer | Inner>, seen, call }
}

const idsOf = (span: Tracer.AnySpan | undefined) => ({ traceId: span?.traceId, spanId: span?.spanId })

describe("OtelLogsTracker with withTracking spans", () => {
  it("gives each record the traced method's own span, with no span around the call", async () => {
    const { exporter, layer, seen, call } = trackedToys()
    await Effect.runPromise(call.pipe(Effect.provide(layer)))

    const records = exporter.getFinishedLogRecords()
    expect(records.map((r) => r.eventName)).toEqual([
      "execution.started",
      "task.event.processed",
      "execution.succeeded"
    ])
    const [started, processed, succeeded] = records.map((r) => r.spanContext)
    // With no @effect/opentelemetry, the Effect span's own ids are the record's.
    expect(seen.run?.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(started).toMatchObject(idsOf(seen.run))
    expect(succeeded).toMatchObject(idsOf(seen.run))
    expect(processed).toMatchObject(idsOf(seen.step))
    expect(seen.step?.spanId).not.toBe(seen.run?.spanId)
    expect(seen.step?.traceId).toBe(seen.run?.traceId)
  })

  it("under a caller's span, the method's span (its child), not the caller's", async () => {
    const { exporter, layer, seen, call } = trackedToys()
    const request = await Effect.runPromise(
      Effect.zipRight(call, Effect.orDie(Effect.currentSpan)).pipe(Effect.withSpan("request"), Effect.provide(layer))
    )

    const records = exporter.getFinishedLogRecords()
    expect(records).toHaveLength(3)
    for (const record of records) {
      expect(record.spanContext?.traceId).toBe(request.traceId)
      expect(record.spanContext?.spanId).not.toBe(request.spanId)
    }
    expect(records[0]!.spanContext).toMatchObject(idsOf(seen.run))
    expect(records[2]!.spanContext).toMatchObject(idsOf(seen.run))
  })

  it("a failing method's failure record carries the method's span too", async () => {
    const { exporter, layer, seen } = trackedToys()
    const failing = Effect.zipRight(
      Effect.tap(Effect.orDie(Effect.currentSpan), (span) => {
        seen.run = span
      }),
      Effect.fail("bad input")
    )
    await Effect.runPromiseExit(
      Effect.flatMap(Outer, (outer) => outer.run("digest", failing)).pipe(Effect.provide(layer))
    )
    const failed = exporter.getFinishedLogRecords().find((r) => r.eventName === "execution.failed")
    expect(failed?.spanContext).toMatchObject(idsOf(seen.run))
    // Told no vocabularies, the body is the type and the error's message.
    expect(failed?.body).toBe("execution.failed: bad input")
  })
})
