import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import ts from "typescript"

/**
 * The TypeScript code blocks of the README and docs, type-checked as the code a user writes once
 * the codemod has wired their jobs package: each block is a module placed beside the jobs
 * fixture's `src/runtime/runtime.ts` (so `../services/index.js` is the package's own services),
 * importing this library and the jobs package (`@durable-effect/jobs`, whose `createDurableJobs`
 * then takes a `tracker` option) by their published names. Nothing is written: the compiler
 * host serves the blocks and the codemod's planned files from memory.
 */

export interface Snippet {
  /** `README.md:58`: the doc and the line of the opening fence. */
  readonly where: string
  readonly code: string
  /**
   * The block's file name, from its fence (```` ```ts title="own-events/payments.ts" ````), relative
   * to where blocks are placed: other blocks of the doc import it by that path. Untitled blocks
   * get a name of their own.
   */
  readonly file?: string
}

const fence = /^```(?:ts|typescript)(?:\s+title="([^"]+)")?\s*$/

export const snippetsOf = (repoRoot: string, doc: string): Array<Snippet> => {
  const lines = readFileSync(join(repoRoot, doc), "utf8").split("\n")
  const snippets: Array<Snippet> = []
  for (let i = 0; i < lines.length; i++) {
    const opening = fence.exec(lines[i]!.trim())
    if (opening === null) continue
    const start = i
    const code: Array<string> = []
    for (i++; i < lines.length && lines[i]!.trim() !== "```"; i++) code.push(lines[i]!)
    const file = opening[1]
    snippets.push({
      where: `${doc}:${start + 1}`,
      code: code.join("\n") + "\n",
      ...(file === undefined ? {} : { file })
    })
  }
  return snippets
}

/** README.md and every Markdown file under docs/. */
export const documentedFiles = (repoRoot: string): Array<string> => [
  "README.md",
  ...readdirSync(join(repoRoot, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`)
]

/** Type-checks every snippet; returns each diagnostic as `doc:line: message`. */
export const snippetDiagnostics = (
  repoRoot: string,
  snippets: ReadonlyArray<Snippet>,
  /** Files as the codemod would write them, by absolute path. */
  overlay: ReadonlyMap<string, string> = new Map()
): Array<string> => {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(repoRoot, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))
      }
    }
  )
  if (config === undefined) throw new Error("tsconfig.json could not be read")
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    // Snippets show parts of a program: what they declare and leave unused is fine.
    noUnusedLocals: false,
    noUnusedParameters: false,
    // Node's globals (Request, Response, console) for collector code; the Workers globals clash
    // with them (and make the checker crawl), so the jobs package's one Workers module comes
    // from the fixture's own declaration, as when the fixture is type-checked.
    types: ["node"],
    paths: { ...config.options.paths, "@durable-effect/jobs": ["./test/fixtures/jobs/src/index.ts"] }
  }
  const home = join(repoRoot, "test/fixtures/jobs/src/runtime")
  const files = new Map(
    snippets.map((snippet, index) => [join(home, snippet.file ?? `__doc_snippet_${index}.ts`), snippet])
  )
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  const served = (file: string): string | undefined => files.get(file)?.code ?? overlay.get(file)
  host.readFile = (file) => served(file) ?? readFile(file)
  host.fileExists = (file) => served(file) !== undefined || fileExists(file)
  // A titled block may sit in a folder of its own (`own-events/payments.ts`) that is not on disk.
  const servedDirs = new Set([...files.keys()].map((file) => dirname(file)))
  const directoryExists = host.directoryExists?.bind(host)
  host.directoryExists = (dir) => servedDirs.has(dir) || (directoryExists?.(dir) ?? true)
  host.getSourceFile = (file, language, onError, create) => {
    const text = served(file)
    return text === undefined
      ? getSourceFile(file, language, onError, create)
      : ts.createSourceFile(file, text, language, true)
  }
  const declarations = [
    join(repoRoot, "test/fixtures/jobs/src/cloudflare-workers.d.ts"),
    join(repoRoot, "test/fixtures/core/globals.d.ts")
  ]
  const program = ts.createProgram([...files.keys(), ...declarations], options, host)
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()]
  return diagnostics.map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
    const file = diagnostic.file
    const snippet = file === undefined ? undefined : files.get(file.fileName)
    if (file === undefined || diagnostic.start === undefined) return message
    const { line } = file.getLineAndCharacterOfPosition(diagnostic.start)
    if (snippet === undefined) return `${relative(repoRoot, file.fileName)}:${line + 1}: ${message}`
    const [doc, fenceLine] = snippet.where.split(":")
    return `${doc}:${Number(fenceLine) + 1 + line}: ${message}`
  })
}
