import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

/**
 * The import graph of a source tree, between files and between folders, as the folder-cycle
 * lint counts it: every relative import (type-only, re-exports and dynamic `import()` included)
 * from a file in folder A to a file in folder B, A ≠ B, is an edge A → B.
 * Run it (`npx tsx test/codemod/importGraph.ts [dir]`) to list the cycles of `src`.
 */

export interface ImportGraph {
  /** File → the files it imports (paths relative to the root, `/`-separated). */
  readonly files: ReadonlyMap<string, ReadonlySet<string>>
  /** Folder → the other folders its files import from. */
  readonly folders: ReadonlyMap<string, ReadonlySet<string>>
}

const posix = (path: string) => path.split(sep).join("/")

const sourcesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourcesUnder(path)
    return entry.isFile() && /\.(m|c)?tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : []
  })

/** A relative specifier as the file it names (`./x.js` is `./x.ts` in the sources). */
const resolveSpecifier = (from: string, specifier: string, known: ReadonlySet<string>): string | undefined => {
  if (!specifier.startsWith(".")) return undefined
  const base = resolve(dirname(from), specifier)
  const candidates = [base, base.replace(/\.(m|c)?js$/, ".$1ts"), `${base}.ts`, join(base, "index.ts")]
  return candidates.find((candidate) => known.has(candidate))
}

export const importGraph = (root: string): ImportGraph => {
  const paths = sourcesUnder(root)
  const known = new Set(paths)
  const files = new Map<string, Set<string>>()
  const folders = new Map<string, Set<string>>()
  for (const path of paths) {
    // The compiler's own pre-processor: specifiers in comments and strings are not imports.
    const { importedFiles } = ts.preProcessFile(readFileSync(path, "utf8"), true, true)
    const from = posix(relative(root, path))
    const targets = new Set<string>()
    files.set(from, targets)
    for (const imported of importedFiles) {
      const target = resolveSpecifier(path, imported.fileName, known)
      if (target === undefined) continue
      const to = posix(relative(root, target))
      targets.add(to)
      const fromFolder = posix(dirname(from))
      const toFolder = posix(dirname(to))
      if (fromFolder === toFolder) continue
      if (!folders.has(fromFolder)) folders.set(fromFolder, new Set())
      folders.get(fromFolder)!.add(toFolder)
    }
  }
  return { files, folders }
}

/**
 * The folder graph seen from `depth` folders down: every folder deeper than that counts as its
 * ancestor at that depth (at depth 1, `codemod/write` and `codemod` are both `codemod`).
 * Cycles between folders at any depth show in one of these graphs.
 */
export const foldersAtDepth = (
  files: ReadonlyMap<string, ReadonlySet<string>>,
  depth: number
): Map<string, Set<string>> => {
  const folderOf = (file: string) => posix(dirname(file)).split("/").slice(0, depth).join("/")
  const folders = new Map<string, Set<string>>()
  for (const [from, targets] of files) {
    for (const to of targets) {
      const [a, b] = [folderOf(from), folderOf(to)]
      if (a === b) continue
      if (!folders.has(a)) folders.set(a, new Set())
      folders.get(a)!.add(b)
    }
  }
  return folders
}

/** How deep the folders of a graph's files go. */
export const folderDepth = (files: ReadonlyMap<string, ReadonlySet<string>>): number =>
  Math.max(1, ...[...files.keys()].map((file) => posix(dirname(file)).split("/").length))

/**
 * The cycles of a graph: its strongly connected components of more than one node (Tarjan),
 * each as its nodes, sorted.
 */
export const cycles = (graph: ReadonlyMap<string, ReadonlySet<string>>): Array<Array<string>> => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const found: Array<Array<string>> = []
  const visit = (node: string) => {
    index.set(node, index.size)
    low.set(node, index.get(node)!)
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node)!, low.get(next)!))
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component: Array<string> = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1) found.push(component.sort())
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return found
}

/** The edges of a graph between the nodes of one cycle: what to cut. */
export const edgesWithin = (
  graph: ReadonlyMap<string, ReadonlySet<string>>,
  cycle: ReadonlyArray<string>
): Array<string> =>
  cycle.flatMap((from) =>
    [...(graph.get(from) ?? [])].filter((to) => cycle.includes(to)).map((to) => `${from} → ${to}`)
  )

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? "src")
  const graph = importGraph(root)
  const report = (name: string, edges: ReadonlyMap<string, ReadonlySet<string>>) => {
    const found = cycles(edges)
    console.log(`${name} cycles under ${posix(relative(process.cwd(), root)) || "."}: ${found.length}`)
    for (const cycle of found) console.log(`  ${edgesWithin(edges, cycle).join("\n  ")}\n`)
    return found.length
  }
  let found = report("folder", graph.folders) + report("file", graph.files)
  for (let depth = 1; depth < folderDepth(graph.files); depth++)
    found += report(`folder (depth ${depth})`, foldersAtDepth(graph.files, depth))
  process.exitCode = found > 0 ? 1 : 0
}
