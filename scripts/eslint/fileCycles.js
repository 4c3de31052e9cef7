// A local ESLint rule: no import cycle between files, type imports included (import-x's
// `no-cycle` skips type imports, and a cycle through types still ties the files together).
// The file being linted counts with the text being linted; the rest of the tree as on disk.
import { relative, sep } from "node:path"
import { collectImports, shortestPath, treeOptions, treeOptionsSchema } from "./importGraph.js"

/** @type {import("eslint").Rule.RuleModule} */
export const fileCycles = {
  meta: {
    type: "problem",
    docs: { description: "Disallow imports that close a cycle between files (type imports included)" },
    schema: treeOptionsSchema,
    messages: { cycle: "Import closes a file cycle: {{cycle}}" }
  },
  create(context) {
    const { graph, contains } = treeOptions(context, ["src"])
    const file = context.filename
    if (!contains(file)) return {}
    const show = (path) => relative(context.cwd, path).split(sep).join("/")
    return collectImports(context, (here) => {
      const targets = here.map((entry) => entry.target)
      const next = (node) => (node === file ? targets : (graph.get(node) ?? []))
      for (const { node, target } of here) {
        if (target === file) continue
        const back = shortestPath(next, target, file)
        if (back !== undefined) {
          context.report({ node, messageId: "cycle", data: { cycle: [file, ...back].map(show).join(" → ") } })
        }
      }
    })
  }
}
