import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { dirname, join, normalize } from "node:path"
import { promisify } from "node:util"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { documentedFiles } from "../support/snippets.js"

const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

/** Relative link targets (Markdown `[text](target)`), without their `#anchor`, as paths from the package root. */
const relativeLinks = (doc: string): Array<{ where: string; target: string }> =>
  readFileSync(join(repoRoot, doc), "utf8")
    .split("\n")
    .flatMap((line, index) =>
      [...line.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((match) => match[1]!)
        .filter((target) => !/^([a-z][a-z0-9+.-]*:|#)/i.test(target))
        .map((target) => ({
          where: `${doc}:${index + 1}`,
          target: normalize(join(dirname(doc), target.split("#")[0]!))
        }))
    )

describe("links in the README, docs and BENCHMARKS.md", () => {
  it("point at files the published package contains", async () => {
    const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024
    })
    const [{ files }] = JSON.parse(stdout) as [{ files: Array<{ path: string }> }]
    const shipped = new Set(files.map((file) => file.path))
    const links = [...documentedFiles(repoRoot), "BENCHMARKS.md"].flatMap(relativeLinks)
    expect(links.length).toBeGreaterThan(5)
    expect(links.filter((link) => !shipped.has(link.target))).toEqual([])
  })
})
