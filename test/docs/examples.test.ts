import { fileURLToPath } from "node:url"
import { relative } from "node:path"
import ts from "typescript"
import { describe, expect, it } from "vitest"
import { planCodemod } from "durable-effect-tracking/codemod"
import { snippetDiagnostics, type Snippet } from "../support/snippets.js"

const repoRoot = fileURLToPath(new URL("../..", import.meta.url))
const entries = ["src/index.ts", "src/codemod/index.ts", "src/sinks/otel/index.ts"]

/** The ```ts blocks in the `@example` tags of every declaration a package entry exports, by export name. */
const examplesOfExports = (): Map<string, Array<Snippet>> => {
  const program = ts.createProgram(
    entries.map((entry) => `${repoRoot}${entry}`),
    {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      types: []
    }
  )
  const checker = program.getTypeChecker()
  const examples = new Map<string, Array<Snippet>>()
  for (const entry of entries) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(`${repoRoot}${entry}`)!)!
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      for (const declaration of symbol.declarations ?? []) {
        const source = declaration.getSourceFile()
        for (const tag of ts.getJSDocTags(declaration).filter((tag) => tag.tagName.text === "example")) {
          const text = ts.getTextOfJSDocComment(tag.comment) ?? ""
          const line = source.getLineAndCharacterOfPosition(tag.getStart()).line + 1
          for (const match of text.matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)) {
            const list = examples.get(exported.name) ?? []
            // `where` is `file:line of the opening fence`, as snippetDiagnostics reports lines from it;
            // the tag's text starts on the line after `@example`.
            const fenceLine = line + 1 + text.slice(0, match.index).split("\n").length - 1
            list.push({ where: `${relative(repoRoot, source.fileName)}:${fenceLine}`, code: match[1]! })
            examples.set(exported.name, list)
          }
        }
      }
    }
  }
  return examples
}

describe("the @example code of the exported API", () => {
  const examples = examplesOfExports()

  it("is there for each main export", () => {
    const main = [
      "withTracking",
      "addTracker",
      "serviceEvents",
      "extendEventMap",
      "HttpBatchTracker",
      "InMemoryTracker",
      "NoopTracker",
      "runCodemod"
    ]
    expect(main.filter((name) => !examples.has(name))).toEqual([])
  })

  it("compiles, every block, as code in a jobs package's src/ after the codemod", async () => {
    const plan = await planCodemod({
      packageDir: `${repoRoot}test/fixtures/jobs`,
      importFrom: "durable-effect-tracking",
      typeCheck: false
    })
    expect(plan.status).toBe("changes")
    const overlay = new Map(plan.files.map((file) => [file.path, file.after]))
    const snippets = [...examples.values()].flat()
    expect(snippetDiagnostics(repoRoot, snippets, overlay)).toEqual([])
  })
})
