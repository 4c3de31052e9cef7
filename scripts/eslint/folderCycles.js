// A local ESLint rule: no cycle between folders, at any depth.
//
// Every import from a file in folder A to a file in folder B (A ≠ B) is an edge A → B. The graph
// is looked at once per depth: at depth d each folder stands for its ancestor d segments deep
// (`src/codemod/rewrite` is `src/codemod` at depth 2), a shallower folder for itself. No graph may
// have a cycle: `src/codemod` ↔ `src/cli` is one at depth 2, `src/codemod` ↔ `src/codemod/rewrite`
// one at depth 3. An import whose edge lies on a cycle is reported once, at the shallowest depth
// where it does, with the cycle named. The file being linted counts with the text being linted;
// the rest of the tree (default `src`) as on disk.
import { dirname, relative, sep } from "node:path"
import { collectImports, shortestPath, treeOptions, treeOptionsSchema } from "./importGraph.js"

/** A folder's path (posix, from cwd) as it stands at `depth`: its first `depth` segments. */
const atDepth = (folder, depth) => folder.split("/").slice(0, depth).join("/")

/** The folder edges at `depth`: for each folder, the folders it imports from. */
const folderEdges = (fileGraph, folderOf, depth) => {
  const edges = new Map()
  for (const [file, targets] of fileGraph) {
    const from = atDepth(folderOf(file), depth)
    for (const target of targets) {
      const to = atDepth(folderOf(target), depth)
      if (from === to) continue
      if (!edges.has(from)) edges.set(from, new Set())
      edges.get(from).add(to)
    }
  }
  return edges
}

/** @type {import("eslint").Rule.RuleModule} */
export const folderCycles = {
  meta: {
    type: "problem",
    docs: { description: "Disallow imports that close a cycle between folders (at any depth)" },
    schema: treeOptionsSchema,
    messages: { cycle: "Import from {{from}} to {{to}} closes a folder cycle: {{cycle}}" }
  },
  create(context) {
    const { graph, contains } = treeOptions(context, ["src"])
    const file = context.filename
    if (!contains(file)) return {}
    const folderOf = (path) => relative(context.cwd, dirname(path)).split(sep).join("/")
    return collectImports(context, (here) => {
      const fileGraph = new Map(graph)
      fileGraph.set(
        file,
        here.map((entry) => entry.target)
      )
      const depths = new Map()
      const edgesAt = (depth) => {
        if (!depths.has(depth)) depths.set(depth, folderEdges(fileGraph, folderOf, depth))
        return depths.get(depth)
      }
      const from = folderOf(file)
      for (const { node, target } of here) {
        const to = folderOf(target)
        const deepest = Math.max(from.split("/").length, to.split("/").length)
        for (let depth = 1; depth <= deepest; depth++) {
          const a = atDepth(from, depth)
          const b = atDepth(to, depth)
          if (a === b) continue
          const edges = edgesAt(depth)
          const back = shortestPath((folder) => edges.get(folder) ?? [], b, a)
          if (back !== undefined) {
            context.report({ node, messageId: "cycle", data: { from: a, to: b, cycle: [a, ...back].join(" → ") } })
            break
          }
        }
      }
    })
  }
}
