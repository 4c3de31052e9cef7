import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A directory a test made and must remove. */
export interface TempDir {
  readonly path: string
  readonly remove: () => void
}

/**
 * A fresh directory under the OS temp directory, named `<prefix><random>`. The caller removes it
 * (in `afterEach`/`afterAll` or a `finally`); the suite's global setup fails the run if anything
 * is left. Prefixes start with `det-` (this project) so a leftover is easy to trace.
 */
export const tempDir = (prefix: string): TempDir => {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }) }
}
