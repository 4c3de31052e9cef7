import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

/** The names `src/index.ts` exports, and whether each declaration has a doc comment. */
const indexExports = () => {
  const program = ts.createProgram([`${repoRoot}src/index.ts`], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    types: []
  })
  const checker = program.getTypeChecker()
  const index = program.getSourceFile(`${repoRoot}src/index.ts`)!
  return checker.getExportsOfModule(checker.getSymbolAtLocation(index)!).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
    return { name: symbol.name, documented: ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== "" }
  })
}

/** The identifiers named in the first column of README's "Public API" table. */
const readmeNames = () => {
  const readme = readFileSync(`${repoRoot}README.md`, "utf8")
  const section = readme.slice(readme.indexOf("## Public API"), readme.indexOf("\n## ", readme.indexOf("## Public API") + 1))
  const names = new Set<string>()
  for (const row of section.split("\n").filter((line) => line.startsWith("| `"))) {
    const firstCell = row.split("|")[1]!
    // The OpenTelemetry tracker lives in its own entry, durable-effect-tracking/otel.
    if (firstCell.includes("durable-effect-tracking/otel")) continue
    for (const [, code] of firstCell.matchAll(/`([^`]+)`/g)) names.add(/^[A-Za-z_$][\w$]*/.exec(code!)![0])
  }
  return names
}

describe("the runtime entry's public API", () => {
  const exported = indexExports()

  it("is exactly what README's Public API table lists", () => {
    expect(exported.length).toBeGreaterThan(20)
    expect([...readmeNames()].sort()).toEqual(exported.map((entry) => entry.name).sort())
  })

  it("keeps the event schema's per-type structs internal", () => {
    const names = exported.map((entry) => entry.name)
    for (const internal of ["JobCreated", "DebounceCleared", "JobEventGroups", "BaseEventFields", "JobTypeSchema"]) {
      expect(names).not.toContain(internal)
    }
  })

  it("has a doc comment on every export", () => {
    expect(exported.filter((entry) => !entry.documented).map((entry) => entry.name)).toEqual([])
  })
})
