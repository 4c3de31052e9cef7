import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runMigrate } from "../../../src/codemod/index.js"
import { describeCoverage } from "../../../src/instrument/coverage.js"
import { workflowEventMap } from "../../../src/workflow/workflowEventMap.js"
import { childTimeoutMs } from "../../support/copyChecks.js"
import { fixtureCopies } from "../../support/fixtureCopy.js"
import { runRecordedSuite, type RecordedTest } from "./runRecordedSuite.js"

// The workflow package's own suite (291 tests, no assertion edited), each test given a recording
// tracker by a vitest setup file: once on the hand-tracked package, once on a migrated copy of
// it. Per test, the migrated package emits the same events as the hand-placed code, in the same
// order, with the same fields, but for ids, timestamps and durations and the types the map does
// not cover (docs/workflow-events.md): those are taken from the map's own coverage, so the
// comparison tightens by itself when the map covers more. `npm run test:workflow-differential`.

/** What the map emits: every type of its vocabulary but the ones no entry produces. */
const coverage = describeCoverage(workflowEventMap)
const uncovered = new Set<string>(coverage.missing)

/** An event as sent (JSON), without what differs on every emit or by where an error was thrown. */
const comparable = (event: Record<string, unknown>) => {
  const {
    eventId: _id,
    timestamp: _time,
    durationMs: _duration,
    ...rest
  } = JSON.parse(JSON.stringify(event)) as Record<string, unknown>
  const error = rest["error"] as { stack?: unknown } | undefined
  if (typeof error?.stack === "string") error.stack = "a stack"
  return rest
}

describe("the workflow package's suite: migrated against hand-placed, event by event", () => {
  const copies = fixtureCopies()
  let hand: Awaited<ReturnType<typeof runRecordedSuite>>
  let migrated: Awaited<ReturnType<typeof runRecordedSuite>>

  beforeAll(async () => {
    const original = copies.fresh("workflow-tracked")
    const copy = copies.fresh("workflow-tracked")
    const outcome = await runMigrate({ packageDir: copy.packageDir, typeCheck: false })
    expect(outcome.exitCode).toBe(0)
    ;[hand, migrated] = await Promise.all([
      runRecordedSuite(original.root, original.packageDir, { migrated: false, name: "hand" }),
      runRecordedSuite(copy.root, copy.packageDir, { migrated: true, name: "migrated" })
    ])
  }, childTimeoutMs)

  afterAll(() => copies.removeAll())

  it("both suites pass, every one of the 291 tests recorded", () => {
    expect(hand.run.code, hand.run.output.slice(-4000)).toBe(0)
    expect(migrated.run.code, migrated.run.output.slice(-4000)).toBe(0)
    expect(hand.tests.size).toBe(291)
    expect([...migrated.tests.keys()]).toEqual([...hand.tests.keys()])
  })

  it("per test: the same events, in the same order, with the same fields, but for the types the map does not cover", () => {
    const types = (tests: ReadonlyMap<string, RecordedTest>) =>
      [...tests.values()].flatMap((test) => test.events.map((event) => event["type"] as string))
    // The suite exercises the map: the hand-placed code emits covered types (and blind spots, if
    // the map has any).
    expect(types(hand.tests).filter((type) => !uncovered.has(type)).length).toBeGreaterThan(50)
    // The migrated package never emits a type its map does not cover.
    expect(types(migrated.tests).filter((type) => uncovered.has(type))).toEqual([])
    for (const [name, test] of hand.tests) {
      const expected = test.events.filter((event) => !uncovered.has(event["type"] as string)).map(comparable)
      expect(migrated.tests.get(name)!.events.map(comparable), name).toEqual(expected)
    }
  })
})
