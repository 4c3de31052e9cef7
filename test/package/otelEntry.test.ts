import { builtinModules } from "node:module"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { bundleForWorker } from "../support/workerBundle.js"

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

const bundledInputs = async (contents: string): Promise<ReadonlyArray<string>> => {
  const bundled = await bundleForWorker({
    stdin: { contents, resolveDir: process.cwd(), loader: "ts" },
    alias: {
      "durable-effect-tracking": source("../../src/index.ts"),
      "durable-effect-tracking/otel": source("../../src/sinks/otel/index.ts")
    }
  })
  return bundled.inputs
}

const nodeOnly = (inputs: ReadonlyArray<string>) =>
  inputs.filter((path) => path.startsWith("node:") || builtinModules.includes(path))

describe("the OpenTelemetry subpath", () => {
  it("keeps @opentelemetry out of the main entry, even with the Queue tracker", async () => {
    const inputs = await bundledInputs(`export { QueueTracker, HttpBatchTracker } from "durable-effect-tracking"`)
    expect(inputs.filter((path) => path.includes("@opentelemetry"))).toEqual([])
  })

  it("bundles for a Worker without Node built-ins", async () => {
    const inputs = await bundledInputs(`export { OtelLogsTracker } from "durable-effect-tracking/otel"`)
    expect(inputs.some((path) => path.includes("@opentelemetry/api-logs"))).toBe(true)
    expect(nodeOnly(inputs)).toEqual([])
  })
})
