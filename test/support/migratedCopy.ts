import { afterAll, afterEach, beforeAll, vi } from "vitest"
import { runMigrate, type MigrateEventSet, type MigrateOutcome } from "../../src/codemod/index.js"
import { startCopyChecks, type CopyChecks } from "./copyChecks.js"
import { copyFixture, type FixtureCopy } from "./fixtureCopy.js"

/** A hand-tracked fixture's copy, migrated once for a file's tests, with its tsc and suite started. */
export interface MigratedCopy {
  readonly copy: FixtureCopy
  readonly outcome: MigrateOutcome
  readonly checks: CopyChecks
}

/**
 * Called in a `describe`: before its tests, copies `fixture` (under a directory of the same name,
 * so that `@durable-effect/core` resolves to the release's core), migrates the copy (with the
 * event set `events`, else migrate's default) and starts its type-check and its own suite (one
 * worker, no isolation); after each test, unstubs globals; after all, waits for the checks and
 * removes the copy. Read the parts once the tests run.
 */
export const useMigratedCopy = (
  fixture: "jobs-tracked" | "workflow-tracked",
  options: { readonly events?: MigrateEventSet } = {}
): MigratedCopy => {
  let parts: MigratedCopy | undefined
  beforeAll(async () => {
    const copy = copyFixture(fixture)
    const outcome = await runMigrate({ packageDir: copy.packageDir, ...options })
    const checks = startCopyChecks(copy, {
      core: "core-tracked",
      test: "testTimeout: 120000, isolate: false, maxWorkers: 1"
    })
    parts = { copy, outcome, checks }
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })
  afterAll(async () => {
    await Promise.allSettled([parts?.checks.typeCheck, parts?.checks.suite])
    parts?.copy.remove()
  })
  const read = (): MigratedCopy => {
    if (parts === undefined) throw new Error(`the migrated copy of ${fixture} is read before the tests run`)
    return parts
  }
  return {
    get copy() {
      return read().copy
    },
    get outcome() {
      return read().outcome
    },
    get checks() {
      return read().checks
    }
  }
}
