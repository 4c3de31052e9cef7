import { decodeWorkflowEventBatch } from "../../src/workflow/events/workflowEventsWithSchema.js"
import type { WorkflowEventWire } from "../../src/workflow/events/WorkflowEvent.js"
import { type CollectorRequest, startEventCollector } from "./collector.js"
import { settled } from "./demoShell.js"
import { renderReport } from "./report.js"
import { type InstanceTimeline, timelinesOf } from "./timeline.js"
import { bundleWorkflowWorker } from "./workflowBundle.js"
import { runWorkflowScenario, scenarioWorkflows, startWorkflowWorker } from "./workflowScenario.js"
import { workflowView } from "./workflowView.js"

/** The HTTP tracker of the demo's Worker, posting to `endpoint`. */
export const workflowTrackerConfig = (endpoint: string) => ({
  endpoint,
  env: "demo",
  serviceKey: "workflow-demo",
  timeoutMs: 1_000,
  flushTimeoutMs: 2_000,
  retry: { maxAttempts: 2, initialDelayMs: 100 }
})

/** What the demo saw: the events the collector accepted, per workflow, and the report of them. */
export interface WorkflowDemoResult {
  /** Every event accepted, in arrival order. */
  readonly events: ReadonlyArray<WorkflowEventWire>
  /** One per workflow instance, labelled with the client's `workflow:id`. */
  readonly timelines: ReadonlyArray<InstanceTimeline<WorkflowEventWire>>
  readonly requests: ReadonlyArray<CollectorRequest>
  readonly duplicates: number
  readonly invalidBodies: ReadonlyArray<string>
  /** The Worker bundle's size, in bytes. */
  readonly bundleBytes: number
  /** The HTML report (report.ts). */
  readonly report: string
}

/**
 * The workflow demo's story: bundles the Worker (the workflow fixture's engine, its layers
 * tracked), starts the collector and workerd, runs the scenario's workflows through the client,
 * and reads back what the collector received. Everything it starts is stopped before it returns;
 * `own` is told how to stop each thing as it starts (for a Ctrl-C meanwhile).
 */
export const runWorkflowDemo = async (
  options: {
    readonly say?: (line: string) => void
    readonly step?: (line: string) => void
    readonly own?: (stop: () => Promise<void>) => void
  } = {}
): Promise<WorkflowDemoResult> => {
  const say = options.say ?? (() => undefined)
  const step = options.step ?? (() => undefined)
  const stops: Array<() => Promise<void>> = []
  const own = (stop: () => Promise<void>) => {
    stops.unshift(stop)
    options.own?.(stop)
  }
  try {
    step("Bundle the Worker: the workflow fixture's createDurableWorkflows, its layers tracked")
    const script = await bundleWorkflowWorker()
    say(`Worker: ${Math.round(script.length / 1024)} KiB bundle; the engine's Durable Object bound as WORKFLOWS`)
    say(
      "tracked with workflowEventMap: the runtime layer (tracker under it), WorkflowExecutorLayer, WorkflowStateMachineLayer, WorkflowOrchestratorLayer()"
    )

    step("Start the collector and workerd")
    const collector = await startEventCollector({ kind: "ok" }, decodeWorkflowEventBatch)
    own(collector.close)
    say(`collector: ${collector.url} (node:http; decodes every batch with decodeWorkflowEventBatch)`)
    const worker = await startWorkflowWorker({ script, tracker: workflowTrackerConfig(collector.url) })
    own(worker.dispose)
    say(`tracker: ${JSON.stringify({ ...workflowTrackerConfig(collector.url), endpoint: "<collector>" })}`)

    step("Run the workflows through the workflow client")
    await runWorkflowScenario(worker, say)
    // Each call flushes before it returns; wait for the last deliveries to land all the same.
    await settled(() => collector.events().length)

    const labels = new Map<string, string>()
    for (const entry of Object.values(scenarioWorkflows))
      labels.set(await worker.workflowId(entry.instance), entry.instance)
    const events = collector.events().map((received) => received.event)
    const timelines = timelinesOf(events, labels, workflowView)
    const types = new Set(events.map((event) => event.type))
    const report = renderReport({
      title: "durable-effect-tracking: workflow events from workerd",
      summary: [
        "The workflow fixture's createDurableWorkflows, run in workerd through Miniflare, its layers wrapped with withTracking(workflowEventMap); its HTTP tracker posted to a local collector.",
        `${events.length} events from ${timelines.length} workflows, ${types.size} of the 16 workflow event types, in ${collector.requests.length} requests.`,
        `Generated ${new Date().toISOString()}. Runs (started or resumed, to completed, failed, paused or cancelled) are bars; failures are red and marked ✕. Hover over (or focus) a bar or mark to see its fields.`
      ],
      timelines
    })
    return {
      events,
      timelines,
      requests: [...collector.requests],
      duplicates: collector.duplicates(),
      invalidBodies: [...collector.invalidBodies],
      bundleBytes: script.length,
      report
    }
  } finally {
    for (const stop of stops) await stop().catch(() => undefined)
  }
}
