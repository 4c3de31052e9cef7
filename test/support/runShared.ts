import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { sharedDirVariable } from "./suiteTemp.js"

/**
 * Something expensive that several test files need and none changes (a built Worker bundle):
 * built by the first file that asks, then read from the run's shared directory by the others.
 * The directory lives as long as one `vitest run` (see globalSetup.ts), so nothing is stale.
 * Outside such a run (no shared directory), it is simply built.
 */
export const runShared = async (name: string, build: () => Promise<string>): Promise<string> => {
  const dir = process.env[sharedDirVariable]
  if (dir === undefined || dir === "") return build()
  const path = join(dir, name)
  if (existsSync(path)) return readFileSync(path, "utf8")
  const text = await build()
  // Written whole, then renamed: a file running in parallel reads all of it or builds its own.
  const partial = `${path}.${process.pid}.partial`
  writeFileSync(partial, text)
  renameSync(partial, path)
  return text
}
