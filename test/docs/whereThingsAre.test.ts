import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

/** Every folder under `src/`, as `src/a/b/`. */
const foldersUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const path = join(dir, entry.name)
      return [`${relative(repoRoot, path).split("\\").join("/")}/`, ...foldersUnder(path)]
    })

/** The folders the README's "Where things are" table names, in its order. */
const foldersInReadme = (): Array<string> => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8")
  const start = readme.indexOf("## Where things are")
  expect(start).toBeGreaterThan(-1)
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1))
  return [...section.matchAll(/^\| `(src\/[^`]*)` \|/gm)].map((match) => match[1]!)
}

describe("README: Where things are", () => {
  it("names every folder of src/ once, and no folder that is not there", () => {
    const listed = foldersInReadme()
    expect(new Set(listed).size).toBe(listed.length)
    expect([...listed].sort()).toEqual(foldersUnder(join(repoRoot, "src")).sort())
  })

  it("lists the generic rooms above src/jobs/ and what knows a package or the tooling below it", () => {
    const listed = foldersInReadme()
    const jobs = listed.indexOf("src/jobs/")
    const generic = ["src/event/", "src/tracker/", "src/delivery/", "src/sinks/", "src/instrument/", "src/internal/"]
    for (const folder of generic) expect(listed.indexOf(folder)).toBeLessThan(jobs)
    for (const folder of listed.filter((f) => f.startsWith("src/codemod/") || f.startsWith("src/cli/")))
      expect(listed.indexOf(folder)).toBeGreaterThan(jobs)
  })
})
