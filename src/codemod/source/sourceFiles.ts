import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { Project, ts } from "./tsMorph.js"
import type { SourceFile } from "ts-morph"
import { CodemodInputError } from "../report/errors.js"

// A package's TypeScript sources: which files there are, and each one parsed for analysis.

/** The TypeScript sources under a directory (declarations, dot-directories and node_modules aside), sorted. */
export const sourceFiles = async (dir: string): Promise<Array<string>> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const found: Array<string> = []
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== "node_modules" && !entry.name.startsWith("."))
      found.push(...(await sourceFiles(path)))
    else if (entry.isFile() && /\.(m|c)?tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) found.push(path)
  }
  return found
}

/**
 * Parses one file on its own, for analysis. A syntax error is bad input: the codemod stops
 * with the file, the line and the parser's message. The file is parsed once; its syntax errors
 * come from a program over that one file, without libraries (nothing is resolved or emitted).
 */
export const parseSource = (displayPath: string, text: string): SourceFile => {
  const project = new Project({
    useInMemoryFileSystem: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
    compilerOptions: { noLib: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext }
  })
  const file = project.createSourceFile("/input.ts", text)
  const syntaxError = project
    .getProgram()
    .compilerObject.getSyntacticDiagnostics(file.compilerNode)
    .find((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)
  if (syntaxError !== undefined) {
    const line =
      syntaxError.start === undefined
        ? undefined
        : file.compilerNode.getLineAndCharacterOfPosition(syntaxError.start).line + 1
    throw new CodemodInputError({
      file: displayPath,
      expected: "valid TypeScript",
      detail: `${line === undefined ? "" : `line ${line}: `}${ts.flattenDiagnosticMessageText(syntaxError.messageText, "\n")}`
    })
  }
  return file
}
