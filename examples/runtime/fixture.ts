import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { runCodemod, type CodemodOutcome } from "../../src/codemod/index.js"
import { repoRoot } from "./paths.js"

export interface FixtureCopy {
  /** The copied jobs package: what the codemod is pointed at. */
  readonly packageDir: string
  readonly root: string
  readonly remove: () => void
}

/**
 * A copy of a jobs or workflow fixture (with its core next to it) in a fresh directory under the OS temp
 * directory (`det-codemod-<random>`, removed by `remove`), set up the way a user's package would
 * be: `durable-effect-tracking` resolves (to this repository's source, through a tsconfig path)
 * and so do `effect` and the other packages (a node_modules link to this repository's).
 */
export const copyFixture = (
  fixture: "jobs" | "jobs-inline" | "jobs-tracked" | "workflow" | "workflow-tracked" = "jobs"
): FixtureCopy => {
  const root = mkdtempSync(join(tmpdir(), "det-codemod-"))
  const remove = () => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
  const packageDir = join(root, fixture)
  try {
    cpSync(join(repoRoot, "test/fixtures", fixture), packageDir, { recursive: true })
    // A hand-tracked release imports the release's core, beside it under its own name (its
    // tests, which run the original fixture, stay behind).
    const core = fixture.endsWith("-tracked") ? "core-tracked" : "core"
    cpSync(join(repoRoot, "test/fixtures", core), join(root, core), {
      recursive: true,
      filter: (source) => source !== join(repoRoot, "test/fixtures", core, "test")
    })
    symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir")
    const tsconfigPath = join(packageDir, "tsconfig.json")
    const tsconfig = JSON.parse(readFileSync(tsconfigPath, "utf8"))
    // A Worker package compiles with the Workers globals (URL, AbortSignal, fetch) that this
    // library's source uses; the fixture compiles without any, so the copy gets the DOM ones.
    tsconfig.compilerOptions.lib = [...(tsconfig.compilerOptions.lib ?? ["ES2022"]), "DOM"]
    tsconfig.compilerOptions.paths = {
      ...tsconfig.compilerOptions.paths,
      "durable-effect-tracking": [join(repoRoot, "src/index.ts")]
    }
    writeFileSync(tsconfigPath, JSON.stringify(tsconfig, null, 2) + "\n")
  } catch (error) {
    remove()
    throw error
  }
  return { packageDir, root, remove }
}

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
 * Copies the fixture to a fresh temp directory, set up as a user's package (`copyFixture`), and, if asked, runs the codemod on it. The copy is removed if the codemod
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
