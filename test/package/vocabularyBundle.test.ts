import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { bundleForWorker } from "../support/workerBundle.js"

const repoRoot = fileURLToPath(new URL("../..", import.meta.url))
const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url))

// A Worker that builds and checks events of the two vocabularies, as a map and a tracker do, and
// holds the workflow package's event map.
const workerSource = `
import { upstreamJobEvents, workflowEventMap, workflowEvents } from "durable-effect-tracking"
export default {
  async fetch() {
    const job = upstreamJobEvents.build({
      type: "job.started",
      fields: {},
      context: { instanceId: "do-1", jobType: "task", jobName: "mailer" },
      timestampMs: Date.now()
    })
    const step = workflowEvents.build({
      type: "step.started",
      fields: { stepName: "charge", attempt: 1 },
      context: { workflowId: "do-2", workflowName: "checkout" },
      timestampMs: Date.now()
    })
    return Response.json([upstreamJobEvents.accepts(job), workflowEvents.accepts(step), Object.keys(workflowEventMap.services)])
  }
}
`

describe("the upstream job and workflow vocabularies, and the workflow map, in a Worker", () => {
  it("bundle without the Schema module: their Schemas stay in the ...WithSchema modules", async () => {
    const bundle = await bundleForWorker({
      stdin: { contents: workerSource, resolveDir: repoRoot, loader: "ts" },
      alias: { "durable-effect-tracking": entry }
    })
    const used = [...bundle.bytesByInput].filter(([, bytes]) => bytes > 0).map(([path]) => path)
    expect(used.some((path) => path.endsWith("upstreamJobEvents.ts"))).toBe(true)
    expect(used.some((path) => path.endsWith("workflowEvents.ts"))).toBe(true)
    expect(used.some((path) => path.endsWith("workflowEventMap.ts"))).toBe(true)
    expect(
      used.filter((path) =>
        /effect\/dist\/esm\/(Schema|ParseResult)\.js$|\/(UpstreamJobEvent|WorkflowEvent|decodeEventBatch)\.ts$|WithSchema\.ts$/.test(
          path
        )
      )
    ).toEqual([])
  })
})
