// `npm run demo:workflow`: a workflow's life, tracked. The workflow fixture's own engine
// (`createDurableWorkflows`, its Durable Object and client) runs in workerd (Miniflare 4) with
// its layers wrapped with withTracking(workflowEventMap) and its combinators with
// trackExports(Workflow, workflowEventMap); its HTTP tracker posts to a local collector; the
// events are shown as a per-workflow timeline here and in an HTML report.
import { writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { bold, cleanUp, cleanUpOnExit, cleanups, dim, finish, printTimelines, say, step } from "./runtime/demoShell.js"
import { runWorkflowDemo } from "./runtime/workflowDemo.js"
import { WorkflowEventTypes } from "../src/workflow/events/WorkflowEventTypes.js"

const reportPath = resolve(process.cwd(), "workflow-report.html")
cleanUpOnExit()

const main = async (): Promise<void> => {
  const started = performance.now()
  console.log(bold("durable-effect-tracking workflow demo"))
  say(
    dim(
      "workflow engine in workerd, layers and combinators tracked → HTTP tracker → local collector → timeline and HTML report"
    )
  )
  const result = await runWorkflowDemo({ say, step, own: (stop) => cleanups.push(stop) })

  step("Events received by the collector, per workflow")
  printTimelines(result.timelines)
  const types = new Set(result.events.map((event) => event.type))
  say(
    `${result.events.length} events (${types.size} of the 16 types) in ${result.requests.length} requests; ` +
      `${result.duplicates} duplicates, ${result.invalidBodies.length} invalid bodies`
  )
  // The map covers all 16 (docs/workflow-events.md); these lives do not go every way.
  say(
    dim(
      `types no workflow of the demo went through: ${WorkflowEventTypes.filter((type) => !types.has(type)).join(", ")}`
    )
  )
  writeFileSync(reportPath, result.report)
  await finish(started, reportPath)
}

main().then(undefined, async (error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  await cleanUp()
  process.exitCode = 1
})
