// The import graph of a tree of source files, for the local cycle rules (`folderCycles.js`,
// `fileCycles.js`). Read once per process for a set of roots; the rules lay the file being
// linted over it with the text being linted. Only relative imports are followed (`./x.js` is
// `x.ts`, a folder is its index); type imports, `export … from` and `import()` count.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, resolve, sep } from "node:path"
import ts from "typescript"

const sourceExtensions = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"]

/** The source file a relative specifier names from `dir`, if it exists. */
export const resolveRelative = (dir, specifier) => {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return undefined
  const target = resolve(dir, specifier)
  const stem = target.replace(/\.(m|c)?js$/, "")
  const candidates = [
    ...sourceExtensions.map((ext) => stem + ext),
    target,
    ...sourceExtensions.map((ext) => join(target, "index" + ext))
  ]
  return candidates.find((file) => existsSync(file) && statSync(file).isFile())
}

const isUnder = (file, dir) => file.startsWith(dir + sep)

const sourceFilesUnder = (dir, ignored) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (ignored.some((skip) => path === skip || isUnder(path, skip))) return []
    if (entry.isDirectory()) return sourceFilesUnder(path, ignored)
    return sourceExtensions.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith(".d.ts") ? [path] : []
  })

const cache = new Map()

/**
 * The tree under `roots` minus `ignored` (absolute paths): whether a file belongs to it, and for
 * each file the files it imports.
 */
export const importGraph = (roots, ignored) => {
  const key = JSON.stringify([roots, ignored])
  let tree = cache.get(key)
  if (tree === undefined) {
    const graph = new Map()
    for (const root of roots) {
      if (!existsSync(root)) continue
      for (const file of sourceFilesUnder(root, ignored)) {
        const targets = ts
          .preProcessFile(readFileSync(file, "utf8"), true, true)
          .importedFiles.map((ref) => resolveRelative(dirname(file), ref.fileName))
          .filter((target) => target !== undefined)
        graph.set(file, targets)
      }
    }
    const contains = (file) =>
      roots.some((root) => isUnder(file, root)) && !ignored.some((skip) => file === skip || isUnder(file, skip))
    tree = { graph, contains }
    cache.set(key, tree)
  }
  return tree
}

/** The roots and ignored paths of a rule's options, absolute from ESLint's cwd. */
export const treeOptions = (context, defaultRoots) => {
  const options = context.options[0] ?? {}
  const absolute = (paths) => paths.map((path) => resolve(context.cwd, path))
  return importGraph(absolute(options.roots ?? defaultRoots), absolute(options.ignore ?? []))
}

export const treeOptionsSchema = [
  {
    type: "object",
    properties: {
      roots: { type: "array", items: { type: "string" } },
      ignore: { type: "array", items: { type: "string" } }
    },
    additionalProperties: false
  }
]

/**
 * The imports of the file being linted, as a rule listener: each relative one that names an
 * existing file is passed to `found` with its node. Calls `done` at the end of the file.
 */
export const collectImports = (context, done) => {
  const here = []
  const recordSource = (source) => {
    if (source?.type !== "Literal" || typeof source.value !== "string") return
    const target = resolveRelative(dirname(context.filename), source.value)
    if (target !== undefined) here.push({ node: source, target })
  }
  const record = (node) => recordSource(node.source)
  return {
    ImportDeclaration: record,
    ExportNamedDeclaration: record,
    ExportAllDeclaration: record,
    ImportExpression: record,
    // `import x = require("./y.js")` and `import("./y.js").T` in a type, as TypeScript reads them.
    TSExternalModuleReference: (node) => recordSource(node.expression),
    TSImportType: (node) => recordSource(node.source ?? node.argument?.literal),
    "Program:exit"() {
      if (here.length > 0) done(here)
    }
  }
}

/** The shortest path from `start` to `goal` along `next`, or undefined. */
export const shortestPath = (next, start, goal) => {
  const previous = new Map([[start, undefined]])
  const queue = [start]
  for (let index = 0; index < queue.length; index++) {
    const node = queue[index]
    if (node === goal) {
      const path = []
      for (let at = goal; at !== undefined; at = previous.get(at)) path.unshift(at)
      return path
    }
    for (const following of next(node)) {
      if (!previous.has(following)) {
        previous.set(following, node)
        queue.push(following)
      }
    }
  }
  return undefined
}
