import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCodemod, type CodemodOutcome } from "../../src/codemod/index.js"
import { inRepo } from "./paths.js"

/** A copy of the jobs fixture (and its core, next to it) in the OS temp directory. */
export interface JobsPackageCopy {
  readonly root: string
  /** The jobs package: what the codemod is pointed at. */
  readonly jobsDir: string
  /** The core package the jobs package imports as `@durable-effect/core`. */
  readonly coreDir: string
  /** The codemod's outcome, when it was run on the copy. */
  readonly codemod: CodemodOutcome | undefined
  /** Changes made to the codemod's output by hand, each said in a line (see {@link providesCoreToTracker}). */
  readonly adjustments: ReadonlyArray<string>
  readonly remove: () => void
}

export interface CopyOptions {
  /** Run the codemod on the copy, as a user would (library API, write mode). */
  readonly codemod: boolean
  /** Type-check the rewritten files (slow: seconds). Default false. */
  readonly typeCheck?: boolean
  readonly onProgress?: (line: string) => void
}

/**
 * Copies the fixture to a fresh temp directory and, if asked, runs the codemod on the copy.
 * The copy is removed if the codemod throws.
 */
export const copyJobsPackage = async (options: CopyOptions): Promise<JobsPackageCopy> => {
  const root = mkdtempSync(join(tmpdir(), "det-e2e-"))
  const remove = () => rmSync(root, { recursive: true, force: true })
  try {
    const jobsDir = join(root, "jobs")
    const coreDir = join(root, "core")
    cpSync(inRepo("test/fixtures/jobs"), jobsDir, { recursive: true, filter: (source) => !/[\\/]test$/.test(source) })
    cpSync(inRepo("test/fixtures/core"), coreDir, { recursive: true })
    const codemod = options.codemod
      ? await runCodemod({
          packageDir: jobsDir,
          typeCheck: options.typeCheck ?? false,
          ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress })
        })
      : undefined
    if (codemod !== undefined && codemod.exitCode !== 0) {
      throw new Error(`the codemod did not rewrite the copy (exit ${codemod.exitCode}): ${codemod.refused ?? codemod.plan.reason ?? ""}`)
    }
    const adjustments = codemod === undefined ? [] : providesCoreToTracker(jobsDir)
    return { root, jobsDir, coreDir, codemod, adjustments, remove }
  } catch (error) {
    remove()
    throw error
  }
}

// The outbox reads the StorageAdapter while the tracker layer is built, so that layer must be
// given the core layer. Codemod output that only merges the two is adjusted here, until the
// codemod generates the composition itself; output that already does is left alone.
const mergedTracker = /Layer\.merge\((\w+), resolveTrackerLayer\((\w+)\)\)/

/** Makes the codemodded runtime provide the core layer to the tracker layer; says what it changed. */
export const providesCoreToTracker = (jobsDir: string): ReadonlyArray<string> => {
  const path = join(jobsDir, "src", "runtime", "runtime.ts")
  const text = readFileSync(path, "utf8")
  const match = mergedTracker.exec(text)
  if (match === null) return []
  const [found, core, tracker] = match
  writeFileSync(path, text.replace(found, `resolveTrackerLayer(${tracker}).pipe(Layer.provideMerge(${core}))`))
  return [`src/runtime/runtime.ts: ${found} -> resolveTrackerLayer(${tracker}).pipe(Layer.provideMerge(${core})), so the outbox finds the storage`]
}
