import { afterAll, describe, expect, it } from "vitest"
import { migrateJson, migrateText } from "../../../src/cli/migrateCommand.js"
import { runMigrate } from "../../../src/codemod/index.js"
import { formatMaps, mapsOfEventSet, type FormatMaps } from "../../../src/codemod/migrate/eventSetMaps.js"
import { defaultJobsEventMap } from "../../../src/jobs/defaultJobsEventMap.js"
import { executionServiceLayout, inlineLayout } from "../../../src/jobs/layouts.js"
import { inlineJobsEventMap } from "../../../src/jobs/inlineJobsEventMap.js"
import { fixtureCopies, hashTree } from "../../support/fixtureCopy.js"

// The event sets of `migrate`: each set is a list of maps, one per format. This version has the
// full format's map only; a second format's map is stood in for by another map of this library,
// to run the planner and the summary on a set of two maps (what `--events both` is).

const copies = fixtureCopies()
afterAll(() => copies.removeAll())

const withStandIn: FormatMaps = {
  ...formatMaps,
  upstream: () => ({
    format: "upstream",
    exportName: "inlineJobsEventMap",
    map: inlineJobsEventMap,
    sends: "a stand-in for upstream's format",
    measured: false,
    payloads: [
      { field: "input", types: ["job.started"] },
      { field: "preExecutionState", types: ["job.executed"] }
    ],
    stopPayloads: "leave the payloads out of the stand-in"
  })
}

describe("migrate --events", () => {
  it("both, with a map per format: the tracking module lists both maps in order, the summary says what user data is sent", async () => {
    const copy = copies.fresh("jobs-tracked")
    const before = hashTree(copy.packageDir)
    const outcome = await runMigrate({
      packageDir: copy.packageDir,
      mode: "dry-run",
      events: "both",
      formatMaps: withStandIn,
      // The generated list's type is checked by test/types/severalMaps.test-d.ts; a package
      // type-check here would cost half a minute.
      typeCheck: false
    })
    expect(outcome.exitCode).toBe(0)
    const { plan } = outcome
    expect(plan.eventMaps.map((entry) => [entry.format, entry.exportName])).toEqual([
      ["upstream", "inlineJobsEventMap"],
      ["full", "defaultJobsEventMap"]
    ])
    const tracking = plan.files.find((file) => file.relativePath === "src/tracking.ts")!.after
    expect(tracking).toMatch(/^import \{ inlineJobsEventMap, defaultJobsEventMap \} from "durable-effect-tracking"/)
    expect(tracking).toContain("export const trackingEventMap = [inlineJobsEventMap, defaultJobsEventMap] as const")
    // The hand-placed emits sent the job's input and its state; the plan says so, and what is sent now.
    expect(plan.payloads).toEqual({
      sent: [
        { field: "input", types: ["job.started"], map: "inlineJobsEventMap" },
        { field: "preExecutionState", types: ["job.executed"], map: "inlineJobsEventMap" }
      ],
      howToStop: ["leave the payloads out of the stand-in"],
      sentByHand: ["input", "preExecutionState"]
    })
    expect(migrateJson(outcome).payloads).toEqual(plan.payloads)
    expect(migrateText(outcome)).toContain("leave the payloads out of the stand-in")
    expect(hashTree(copy.packageDir)).toBe(before)
  })

  it("a set is its formats' maps, in order; a format this version has no map for is named", () => {
    expect(mapsOfEventSet("full", executionServiceLayout)).toEqual({
      maps: [expect.objectContaining({ format: "full", exportName: "defaultJobsEventMap", map: defaultJobsEventMap })]
    })
    expect(mapsOfEventSet("full", inlineLayout)).toEqual({
      maps: [expect.objectContaining({ exportName: "inlineJobsEventMap", map: inlineJobsEventMap })]
    })
    const both = mapsOfEventSet("both", executionServiceLayout, withStandIn)
    expect("maps" in both && both.maps.map((entry) => entry.format)).toEqual(["upstream", "full"])
    const onlyFull: FormatMaps = { full: formatMaps.full! }
    expect(mapsOfEventSet("both", executionServiceLayout, onlyFull)).toEqual({ missing: ["upstream"] })
    expect(mapsOfEventSet("upstream", executionServiceLayout, onlyFull)).toEqual({ missing: ["upstream"] })
  })
})
