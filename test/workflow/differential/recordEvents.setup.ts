import { appendFileSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Layer } from "effect"
import { afterEach, beforeEach, expect, vi } from "vitest"
import { EventTracker, withTracking, type EventMap, type EventTrackerService } from "durable-effect-tracking"

// A vitest setup file for a copy of the workflow package's own suite: every test's in-memory
// runtime gets a recording tracker (the package's own `createInMemoryRuntime`, which every test
// builds its runtime with, is wrapped), and the events each test emitted are appended to
// DIFFERENTIAL_OUT, one JSON line per test. With DIFFERENTIAL_MIGRATED the package was migrated:
// its layers are wrapped with `withTracking` and its own event map (`src/tracking.ts`) as its
// engine wraps them, the tracker under them. No test file or assertion is touched.

const packageDir = process.env["DIFFERENTIAL_PACKAGE_DIR"]!
const out = process.env["DIFFERENTIAL_OUT"]!
const migrated = process.env["DIFFERENTIAL_MIGRATED"] === "1"
const source = (path: string) => join(packageDir, "src", path)

const recorded: Array<unknown> = []
const recorder: EventTrackerService = {
  emit: (event) => Effect.sync(() => void recorded.push(event)),
  flush: () => Effect.void,
  pending: () => Effect.succeed(0)
}

const eventMap = async (): Promise<EventMap> =>
  ((await import(pathToFileURL(source("tracking.ts")).href)) as { trackingEventMap: EventMap }).trackingEventMap

const tracked = async <A, E, R>(layer: Layer.Layer<A, E, R>): Promise<Layer.Layer<A, E, R>> =>
  migrated ? withTracking(layer, { eventMap: await eventMap() }) : layer

vi.doMock(source("adapters/in-memory/runtime.ts"), async (importOriginal) => {
  const original = await importOriginal<typeof import("../../fixtures/workflow/src/adapters/in-memory/runtime.js")>()
  const map = migrated ? await eventMap() : undefined
  return {
    ...original,
    createInMemoryRuntime: (options?: Parameters<typeof original.createInMemoryRuntime>[0]) =>
      Effect.map(original.createInMemoryRuntime(options), ({ layer, handle }) => {
        const withRecorder = Layer.merge(layer, Layer.succeed(EventTracker, recorder))
        return {
          layer: (map === undefined ? withRecorder : withTracking(withRecorder, { eventMap: map })) as typeof layer,
          handle
        }
      })
  }
})

if (migrated) {
  vi.doMock(source("executor/executor.ts"), async (importOriginal) => {
    const original = await importOriginal<typeof import("../../fixtures/workflow/src/executor/executor.js")>()
    return { ...original, WorkflowExecutorLayer: await tracked(original.WorkflowExecutorLayer) }
  })
  vi.doMock(source("state/machine.ts"), async (importOriginal) => {
    const original = await importOriginal<typeof import("../../fixtures/workflow/src/state/machine.js")>()
    return { ...original, WorkflowStateMachineLayer: await tracked(original.WorkflowStateMachineLayer) }
  })
  vi.doMock(source("orchestrator/orchestrator.ts"), async (importOriginal) => {
    const original = await importOriginal<typeof import("../../fixtures/workflow/src/orchestrator/orchestrator.js")>()
    const map = await eventMap()
    return {
      ...original,
      WorkflowOrchestratorLayer: () => withTracking(original.WorkflowOrchestratorLayer(), { eventMap: map })
    }
  })
}

beforeEach(() => {
  recorded.length = 0
})

afterEach(() => {
  const { testPath, currentTestName } = expect.getState()
  appendFileSync(
    out,
    `${JSON.stringify({ file: testPath?.slice(packageDir.length + 1), test: currentTestName, events: recorded })}\n`
  )
})
