import { createHash } from "node:crypto"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { copyFixture, type FixtureCopy } from "../../examples/runtime/fixture.js"

// Copies of the jobs fixtures set up as a user's package, for the codemod, CLI and runtime tests
// and the benchmarks. The copy itself is the demo's (it runs the codemod on one); the tests reach
// it through here.
export { copyFixture, type FixtureCopy } from "../../examples/runtime/fixture.js"
export { repoRoot } from "../../examples/runtime/paths.js"

/** The `.ts` files under a directory, at any depth. */
export const sourcesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourcesUnder(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : []
  )

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
export const fixtureCopies = (): {
  readonly fresh: (fixture?: Parameters<typeof copyFixture>[0]) => FixtureCopy
  readonly removeAll: () => void
} => {
  const copies: Array<FixtureCopy> = []
  return {
    fresh: (fixture) => {
      const copy = copyFixture(fixture)
      copies.push(copy)
      return copy
    },
    removeAll: () => {
      for (const copy of copies.splice(0)) copy.remove()
    }
  }
}
