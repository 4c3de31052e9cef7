import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

/** `src/index.ts` compiled, for its exports and their declarations. */
const indexProgram = () => {
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
  return { checker, index }
}

/** The names `src/index.ts` exports, and whether each declaration has a doc comment. */
const indexExports = () => {
  const { checker, index } = indexProgram()
  return checker.getExportsOfModule(checker.getSymbolAtLocation(index)!).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
    return {
      name: symbol.name,
      documented: ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== ""
    }
  })
}

/**
 * For each name `src/index.ts` exports, the section it is exported under (the `// Section`
 * comment above its export, up to any parenthesis) and the `@category` tags of its declarations.
 */
const exportCategories = () => {
  const { checker, index } = indexProgram()
  const text = index.getFullText()
  const rows: Array<{ name: string; section: string | undefined; categories: Array<string> }> = []
  let section: string | undefined
  for (const statement of index.statements) {
    for (const range of ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? []) {
      const comment = text.slice(range.pos, range.end)
      if (comment.startsWith("// "))
        section = comment
          .slice(3)
          .replace(/\s*\(.*$/, "")
          .trim()
    }
    if (
      !ts.isExportDeclaration(statement) ||
      statement.exportClause === undefined ||
      !ts.isNamedExports(statement.exportClause)
    )
      continue
    for (const element of statement.exportClause.elements) {
      const symbol = checker.getSymbolAtLocation(element.name)!
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
      const categories = (target.declarations ?? []).flatMap((declaration) =>
        ts
          .getJSDocTags(declaration)
          .filter((tag) => tag.tagName.text === "category")
          .map((tag) => (ts.getTextOfJSDocComment(tag.comment) ?? "").trim())
      )
      rows.push({ name: element.name.text, section, categories })
    }
  }
  return rows
}

/** The identifiers named in the first column of README's "Public API" table. */
const readmeNames = () => {
  const readme = readFileSync(`${repoRoot}README.md`, "utf8")
  const section = readme.slice(
    readme.indexOf("## Public API"),
    readme.indexOf("\n## ", readme.indexOf("## Public API") + 1)
  )
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

  it("tags every export with the @category of the section of src/index.ts it is exported under", () => {
    const rows = exportCategories()
    expect(rows.length).toBe(exported.length)
    expect(new Set(rows.map((row) => row.section))).toEqual(
      new Set([
        "Trackers",
        "The job event schema",
        "Vocabularies",
        "Instrumentation",
        "Upstream job events",
        "Workflow events"
      ])
    )
    const wrong = rows
      .filter((row) => row.categories.length === 0 || row.categories.some((category) => category !== row.section))
      .map((row) => `${row.name}: ${row.categories.join(", ") || "no @category"} (exported under ${row.section})`)
    expect(wrong).toEqual([])
  })
})
