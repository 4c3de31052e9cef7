import { writeFileSync } from "node:fs"
import { afterAll, afterEach, describe, expect, it, vi } from "vitest"
import { jobEvents, upstreamJobEvents, vocabularyGate, type VocabularyGate } from "durable-effect-tracking"
import { migrateJson, migrateText } from "../../../src/cli/migrateCommand.js"
import { runMigrate } from "../../../src/codemod/index.js"
import { formatMaps, mapsOfEventSet, type FormatMaps } from "../../../src/codemod/migrate/eventSetMaps.js"
import { defaultJobsEventMap } from "../../../src/jobs/defaultJobsEventMap.js"
import { executionServiceLayout, inlineLayout } from "../../../src/jobs/layouts.js"
import { inlineJobsEventMap } from "../../../src/jobs/inlineJobsEventMap.js"
import { upstreamJobsEventMap } from "../../../src/jobs/upstream/upstreamJobsEventMap.js"
import { fakeState } from "../../fixtures/jobs/test/fakeDurableObjectState.js"
import { loadCounterJobs } from "../../support/counterJobs.js"
import { fixtureCopies, hashTree } from "../../support/fixtureCopy.js"

// The event sets of `migrate`: each set is a list of maps, one per format. `--events both` is
// planned in memory on a copy of the hand-tracked release (no type-check: the generated list's
// type is checked by test/types/severalMaps.test-d.ts), then written to that copy and run.

// The engine extends the Workers runtime's DurableObject.
vi.mock("cloudflare:workers", () => import("../../support/cloudflareWorkersStub.js"))

const copies = fixtureCopies()
afterAll(() => copies.removeAll())
afterEach(() => {
  vi.unstubAllGlobals()
})

describe("migrate --events both", () => {
  const copy = copies.fresh("jobs-tracked")
  const planned = runMigrate({ packageDir: copy.packageDir, mode: "dry-run", events: "both", typeCheck: false })

  it("the tracking module lists upstream's map, then the full one; the plan says what user data is sent", async () => {
    const before = hashTree(copy.packageDir)
    const outcome = await planned
    expect(outcome.exitCode).toBe(0)
    const { plan } = outcome
    expect(plan.eventMaps.map((entry) => [entry.format, entry.exportName])).toEqual([
      ["upstream", "upstreamJobsEventMap"],
      ["full", "defaultJobsEventMap"]
    ])
    const tracking = plan.files.find((file) => file.relativePath === "src/tracking.ts")!.after
    expect(tracking).toMatch(/^import \{ upstreamJobsEventMap, defaultJobsEventMap \} from "durable-effect-tracking"/)
    expect(tracking).toContain("export const trackingEventMap = [upstreamJobsEventMap, defaultJobsEventMap] as const")
    // The hand-placed emits sent the job's input and its state; the plan says so, and what is sent now.
    expect(plan.payloads).toEqual({
      sent: [
        { field: "input", types: ["job.started"], map: "upstreamJobsEventMap" },
        { field: "preExecutionState", types: ["job.executed", "job.failed"], map: "upstreamJobsEventMap" }
      ],
      howToStop: [formatMaps.upstream!(executionServiceLayout)!.stopPayloads],
      sentByHand: ["input", "preExecutionState"]
    })
    expect(migrateJson(outcome).payloads).toEqual(plan.payloads)
    expect(migrateText(outcome)).toContain('omitEventFields(upstreamJobsEventMap, ["input", "preExecutionState"])')
    expect(hashTree(copy.packageDir)).toBe(before)
  })

  it("migrated so: a tracker given at createDurableJobs receives both formats; told vocabularies, it must be told both, in either order", async () => {
    for (const file of (await planned).plan.files) writeFileSync(file.path, file.after)
    const batches: Array<{ readonly events: ReadonlyArray<Record<string, unknown>> }> = []
    vi.stubGlobal("fetch", async (_url: string, init: { body: string }) => {
      batches.push(JSON.parse(init.body))
      return new Response(null, { status: 204 })
    })
    const { createDurableJobs, counter } = await loadCounterJobs(copy.packageDir)
    // Each event told to its format by the vocabularies' own checks (upstream's first, as a tracker is told them).
    const sent = async (vocabularies?: VocabularyGate) => {
      batches.length = 0
      const { Jobs } = createDurableJobs(
        { counter },
        {
          tracker: {
            endpoint: "https://collector.example/events",
            env: "test",
            serviceKey: "billing",
            ...(vocabularies && { vocabularies })
          }
        }
      )
      const engine = new Jobs(fakeState({ id: "do-1" }).state, {})
      await engine.call({ type: "continuous", action: "start", name: "counter", id: "c-1", input: { count: 0 } })
      const events = batches.flatMap((batch) => batch.events)
      return {
        upstream: events.filter((event) => upstreamJobEvents.accepts(event)).map((event) => event.type),
        full: events
          .filter((event) => !upstreamJobEvents.accepts(event) && jobEvents.accepts(event))
          .map((event) => event.type),
        count: events.length
      }
    }
    const told = await sent()
    expect(told.upstream).toEqual(["job.started", "job.executed"])
    expect(told.full).toEqual(expect.arrayContaining(["job.created", "execution.started", "execution.succeeded"]))
    expect(told.upstream.length + told.full.length).toBe(told.count)
    expect(await sent(vocabularyGate(upstreamJobEvents, jobEvents))).toEqual(told)
    expect(await sent(vocabularyGate(jobEvents, upstreamJobEvents))).toEqual(told)
    // Told the 20 types' vocabulary alone, the tracker drops every upstream event, job.started too
    // (a type of both formats); told upstream's alone, every 20-type one.
    expect(await sent(vocabularyGate(jobEvents))).toEqual({ upstream: [], full: told.full, count: told.full.length })
    expect(await sent(vocabularyGate(upstreamJobEvents))).toEqual({
      upstream: told.upstream,
      full: [],
      count: told.upstream.length
    })
  })
})

describe("migrate --events: the maps of a set", () => {
  it("a set is its formats' maps, in order; a format this version has no map for (for the layout) is named", () => {
    expect(mapsOfEventSet("full", executionServiceLayout)).toEqual({
      maps: [expect.objectContaining({ format: "full", exportName: "defaultJobsEventMap", map: defaultJobsEventMap })]
    })
    expect(mapsOfEventSet("full", inlineLayout)).toEqual({
      maps: [expect.objectContaining({ exportName: "inlineJobsEventMap", map: inlineJobsEventMap })]
    })
    const both = mapsOfEventSet("both", executionServiceLayout)
    expect("maps" in both && both.maps.map((entry) => [entry.format, entry.map])).toEqual([
      ["upstream", upstreamJobsEventMap],
      ["full", defaultJobsEventMap]
    ])
    // Upstream's map is for the release's layout only.
    expect(mapsOfEventSet("upstream", inlineLayout)).toEqual({ missing: ["upstream"] })
    expect(mapsOfEventSet("both", inlineLayout)).toEqual({ missing: ["upstream"] })
    const onlyFull: FormatMaps = { full: formatMaps.full! }
    expect(mapsOfEventSet("both", executionServiceLayout, onlyFull)).toEqual({ missing: ["upstream"] })
  })
})
