import { afterAll, describe, expect, it } from "vitest"
import { parseEventSet, planMigrate } from "../../../src/codemod/index.js"
import { fixtureCopies } from "../../support/fixtureCopy.js"

// Which map a migrated package's src/tracking.ts starts from, by `--events`; planned in memory
// (nothing written, no type-check) on a copy of the hand-tracked release.

const copies = fixtureCopies()
afterAll(() => copies.removeAll())

describe("migrate --events", () => {
  it("upstream is the default; full and both are the other sets; an unknown set is refused", () => {
    expect(parseEventSet(undefined)).toEqual({ set: "upstream" })
    expect(parseEventSet("upstream")).toEqual({ set: "upstream" })
    expect(parseEventSet("full")).toEqual({ set: "full" })
    expect(parseEventSet("both")).toEqual({ set: "both" })
    expect(parseEventSet("everything")).toHaveProperty("error")
  })

  it("full: the tracking module starts from defaultJobsEventMap, the runtime wrapped as with upstream", async () => {
    // The default (upstream) is what migrateFixture.test.ts migrates and checks.
    const copy = copies.fresh("jobs-tracked")
    const full = await planMigrate({ packageDir: copy.packageDir, events: "full", typeCheck: false })
    expect(full.events).toBe("full")
    const tracking = full.files.find((file) => file.relativePath === "src/tracking.ts")?.after ?? ""
    expect(tracking).toContain("export const trackingEventMap = defaultJobsEventMap")
    expect(tracking).not.toContain("upstreamJobsEventMap")
    // Switching later is a change of src/tracking.ts alone: the layers wrapped are the same.
    expect(full.wrapped.map((entry) => entry.layer)).toEqual([
      "RuntimeServicesLayer",
      "CleanupServiceLayer",
      "RetryExecutorLayer",
      "JobExecutionServiceLayer",
      "JobHandlersLayer",
      "DispatcherLayer"
    ])
  })
})
