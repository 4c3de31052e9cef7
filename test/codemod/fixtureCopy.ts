import { createHash } from "node:crypto"
import { cpSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { tempDir } from "../support/tempDir.js"

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url))

export interface FixtureCopy {
  /** The copied jobs package: what the codemod is pointed at. */
  readonly packageDir: string
  readonly root: string
  readonly remove: () => void
}

/**
 * A copy of a jobs fixture (with its core next to it) in the OS temp directory, set up the
 * way a user's package would be: `durable-effect-tracking` resolves (to this repository's
 * source, through a tsconfig path) and so do `effect` and the other packages (a node_modules
 * link to this repository's).
 */
export const copyFixture = (fixture: "jobs" | "jobs-inline" = "jobs"): FixtureCopy => {
  const dir = tempDir("det-codemod-")
  const root = dir.path
  const packageDir = join(root, fixture)
  try {
    cpSync(join(repoRoot, "test/fixtures", fixture), packageDir, { recursive: true })
    cpSync(join(repoRoot, "test/fixtures/core"), join(root, "core"), { recursive: true })
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
    dir.remove()
    throw error
  }
  return { packageDir, root, remove: dir.remove }
}

/** A digest of every file under a directory (paths, contents and modes), to prove nothing changed. */
export const hashTree = (dir: string): string => {
  const hash = createHash("sha256")
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name)
      const info = statSync(path, { throwIfNoEntry: false })
      if (name === "node_modules" || info === undefined) continue
      if (info.isDirectory()) walk(path)
      else
        hash
          .update(`${relative(dir, path)}\0${info.mode}\0`)
          .update(readFileSync(path))
          .update("\0")
    }
  }
  walk(dir)
  return hash.digest("hex")
}

/** Copies made by one test file, removed together (in its afterAll). */
export const fixtureCopies = (): { readonly fresh: () => FixtureCopy; readonly removeAll: () => void } => {
  const copies: Array<FixtureCopy> = []
  return {
    fresh: () => {
      const copy = copyFixture()
      copies.push(copy)
      return copy
    },
    removeAll: () => {
      for (const copy of copies.splice(0)) copy.remove()
    }
  }
}
