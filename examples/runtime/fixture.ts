import { join } from "node:path"
import { runCodemod, type CodemodOutcome } from "../../src/codemod/index.js"
import { copyFixture } from "../../test/codemod/fixtureCopy.js"

/** A copy of the jobs fixture (and its core, next to it) in the OS temp directory. */
export interface JobsPackageCopy {
  readonly root: string
  /** The jobs package: what the codemod is pointed at. */
  readonly jobsDir: string
  /** The core package the jobs package imports as `@durable-effect/core`. */
  readonly coreDir: string
  /** The codemod's outcome, when it was run on the copy. */
  readonly codemod: CodemodOutcome | undefined
  readonly remove: () => void
}

export interface CopyOptions {
  /** Run the codemod on the copy, as a user would (library API, write mode). */
  readonly codemod: boolean
  /** Type-check the rewritten files with the package's tsconfig (seconds). Default false. */
  readonly typeCheck?: boolean
  readonly onProgress?: (line: string) => void
}

/**
 * Copies the fixture to a fresh temp directory, set up as a user's package (the codemod
 * tests' copy), and, if asked, runs the codemod on it. The copy is removed if the codemod
 * throws or refuses.
 */
export const copyJobsPackage = async (options: CopyOptions): Promise<JobsPackageCopy> => {
  const copy = copyFixture()
  try {
    const codemod = options.codemod
      ? await runCodemod({
          packageDir: copy.packageDir,
          typeCheck: options.typeCheck ?? false,
          ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress })
        })
      : undefined
    if (codemod !== undefined && codemod.exitCode !== 0) {
      throw new Error(
        `the codemod did not rewrite the copy (exit ${codemod.exitCode}): ${codemod.refused ?? codemod.plan.reason ?? ""}`
      )
    }
    return { root: copy.root, jobsDir: copy.packageDir, coreDir: join(copy.root, "core"), codemod, remove: copy.remove }
  } catch (error) {
    copy.remove()
    throw error
  }
}
