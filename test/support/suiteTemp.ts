import { mkdirSync, readdirSync } from "node:fs"
import { join } from "node:path"
import { tempDir } from "./tempDir.js"

/** Names the run's directory of shared files (see runShared.ts), for the test workers. */
export const sharedDirVariable = "DET_TEST_SHARED_DIR"
const sharedName = "shared"

/** The suite's temp root: made before any test file runs, checked and removed after the last. */
export interface SuiteTemp {
  readonly root: string
  /** Restores TMPDIR and removes the root; returns what tests left in it (shared files aside). */
  readonly finish: () => ReadonlyArray<string>
}

/**
 * Points TMPDIR (what `os.tmpdir()` answers, in this process and every process it starts from
 * then on: test workers, workerd, nested tools) at a fresh directory, so that every temp file of
 * the run is inside it, where a leftover can be found and named.
 */
export const startSuiteTemp = (): SuiteTemp => {
  const previous = process.env.TMPDIR
  const dir = tempDir("det-test-")
  const shared = join(dir.path, sharedName)
  mkdirSync(shared)
  process.env.TMPDIR = dir.path
  process.env[sharedDirVariable] = shared
  return {
    root: dir.path,
    finish: () => {
      if (previous === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = previous
      delete process.env[sharedDirVariable]
      const left = readdirSync(dir.path).filter((name) => name !== sharedName)
      dir.remove()
      return left
    }
  }
}
