import { createTestRuntime } from "@durable-effect/core"
import { Ajv } from "ajv"
import addFormatsModule from "ajv-formats"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  HttpBatchTracker,
  type EventTrackerService,
  type JobEventWire,
  type QueueProducer,
  QueueTracker
} from "durable-effect-tracking"
import { wireJsonSchema } from "../../../src/jobs/events/wireJsonSchema.js"
import { runtimeOver, trackedDispatcherLayer } from "../../support/jobsHarness.js"
import { clicks, flaky, heartbeat, mailer, orders, requests } from "../../support/jobScenarios.js"
import { type Collector, startCollector } from "../../support/collector.js"

// ajv-formats is CommonJS: its default export arrives wrapped under ESM interop.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule

const validator = () => {
  // Strict, but for ajv's own type lint: effect writes a non-negative integer as
  // allOf [{ type: integer }, { minimum: 0 }], valid draft-07 that strictTypes flags.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false })
  addFormats(ajv)
  return ajv.compile(wireJsonSchema())
}

let collector: Collector
beforeAll(async () => {
  collector = await startCollector()
})
afterAll(async () => {
  await collector.close()
})

/**
 * The fixture jobs, instrumented with the default map, run through their lives with the HTTP
 * tracker and the Queue tracker side by side: the batches are what those trackers really send.
 */
const runJobs = async (): Promise<{
  httpBatches: ReadonlyArray<unknown>
  queueBatches: ReadonlyArray<{ events: Array<JobEventWire> }>
}> => {
  const queueBatches: Array<{ events: Array<JobEventWire> }> = []
  const queue: QueueProducer<JobEventWire> = {
    send: async (body) => void queueBatches.push({ events: [body] }),
    sendBatch: async (messages) => void queueBatches.push({ events: [...messages].map((m) => m.body) })
  }
  const deployment = { env: "test", serviceKey: "schema-check" }
  const http = HttpBatchTracker.make<unknown>({ endpoint: collector.url, ...deployment, batchSize: 7 })
  const queued = QueueTracker.make<unknown>(queue, { ...deployment, batchSize: 5 })
  const both: EventTrackerService = {
    emit: (event) => Effect.zipRight(http.emit(event), queued.emit(event)),
    flush: () => Effect.zipRight(http.flush(), queued.flush()),
    pending: () => Effect.zipWith(http.pending(), queued.pending(), (a, b) => a + b)
  }
  const definitions = { heartbeat, flaky: flaky(), clicks: clicks(3), orders, mailer }
  const { layer, handles } = createTestRuntime({ instanceId: "instance-1" })
  const runtime = runtimeOver(trackedDispatcherLayer(layer, both, definitions))
  const fireAlarm = async () => {
    if (handles.scheduler.fire() !== undefined) await runtime.handleAlarm()
  }
  await runtime.handle(requests.start("heartbeat"))
  await fireAlarm()
  await runtime.handle(requests.terminate("heartbeat", "maintenance"))
  await runtime.handle(requests.start("flaky"))
  await fireAlarm()
  await fireAlarm()
  for (const page of ["a", "b", "c"]) await runtime.handle(requests.add(page))
  await runtime.handle(requests.clear())
  await runtime.handle(requests.send("paid"))
  await fireAlarm()
  await runtime.handle(requests.enqueue("m-1"))
  await fireAlarm()
  return { httpBatches: collector.delivered(), queueBatches }
}

describe("the wire format's JSON Schema", () => {
  it("accepts every batch the HTTP and Queue trackers send for the fixture jobs' lives", async () => {
    const validate = validator()
    const { httpBatches, queueBatches } = await runJobs()
    const types = new Set(queueBatches.flatMap((b) => b.events.map((e) => e.type)))
    // Events of every group: lifecycle, execution, retry, alarm, task, debounce.
    for (const type of [
      "job.created",
      "execution.failed",
      "retry.exhausted",
      "alarm.fired",
      "task.event.received",
      "debounce.flush.triggered"
    ]) {
      expect(types).toContain(type)
    }
    expect(httpBatches.length).toBeGreaterThan(1)
    for (const batch of [...httpBatches, ...queueBatches]) {
      expect(validate(batch), JSON.stringify(validate.errors)).toBe(true)
    }
  })

  it("refuses what the effect schema refuses: a wrong type, a missing id, an unknown field, a negative count", async () => {
    const validate = validator()
    const [batch] = (await runJobs()).queueBatches
    const good = batch!.events[0]! as Record<string, unknown>
    expect(validate({ events: [good] })).toBe(true)
    for (const bad of [
      { ...good, type: "job.exploded" },
      { ...good, eventId: "not-a-uuid" },
      (({ eventId: _, ...rest }) => rest)(good),
      { ...good, payload: { secret: 1 } },
      { ...good, type: "debounce.event.added", eventCount: -1 },
      { ...good, env: undefined }
    ]) {
      expect(validate({ events: [JSON.parse(JSON.stringify(bad))] }), JSON.stringify(bad)).toBe(false)
    }
  })

  it("is what the build writes: scripts/writeWireSchema.ts (run by npm run build) writes the same schema", async () => {
    const dir = await mkdtemp(join(tmpdir(), "det-wire-schema-"))
    try {
      const out = join(dir, "schema.json")
      // tsx keeps a compile cache in the temp directory: this test's own, removed after.
      await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/writeWireSchema.ts", out], {
        env: { ...process.env, TMPDIR: dir }
      })
      expect(JSON.parse(await readFile(out, "utf8"))).toEqual(wireJsonSchema())
      const pkg = JSON.parse(await readFile("package.json", "utf8")) as {
        exports: Record<string, unknown>
        scripts: Record<string, string>
      }
      expect(pkg.exports["./schema.json"]).toBe("./dist/schema.json")
      expect(pkg.scripts.build).toContain("scripts/writeWireSchema.ts dist/schema.json")
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
