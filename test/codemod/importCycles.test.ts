import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { repoRoot } from "./fixtureCopy.js"
import { cycles, edgesWithin, folderDepth, foldersAtDepth, importGraph } from "./importGraph.js"

const graph = importGraph(join(repoRoot, "src"))
const ours = (path: string) => /^(codemod|cli)(\/|$)/.test(path)

describe("imports of the codemod and the CLI", () => {
  it("form no cycle between folders, at any depth", () => {
    const found = cycles(graph.folders).filter((cycle) => cycle.some(ours))
    expect(found.map((cycle) => edgesWithin(graph.folders, cycle))).toEqual([])
  })

  it("form no cycle between folders seen from any depth (a folder standing for everything under it)", () => {
    const found = Array.from({ length: folderDepth(graph.files) }, (_, index) => foldersAtDepth(graph.files, index + 1))
      .flatMap((folders) => cycles(folders).map((cycle) => ({ folders, cycle })))
      .filter(({ cycle }) => cycle.some(ours))
    expect(found.map(({ folders, cycle }) => edgesWithin(folders, cycle))).toEqual([])
  })

  it("form no cycle between files", () => {
    const found = cycles(graph.files).filter((cycle) => cycle.some(ours))
    expect(found.map((cycle) => edgesWithin(graph.files, cycle))).toEqual([])
  })

  it("never go from a room of the codemod to its top-level files (index, plan, run)", () => {
    const up = [...graph.files].flatMap(([from, to]) =>
      /^codemod\/[^/]+\//.test(from)
        ? [...to].filter((file) => /^codemod\/[^/]+$/.test(file)).map((file) => `${from} → ${file}`)
        : []
    )
    expect(up).toEqual([])
  })

  it("go from the CLI to the codemod, never back", () => {
    const back = [...graph.folders].flatMap(([from, to]) =>
      from.startsWith("codemod")
        ? [...to].filter((folder) => folder.startsWith("cli")).map((folder) => `${from} → ${folder}`)
        : []
    )
    expect(back).toEqual([])
  })
})
