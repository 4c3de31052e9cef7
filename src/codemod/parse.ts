import { Project, ts, type SourceFile } from "ts-morph"
import { CodemodInputError } from "./errors.js"

/**
 * Parses one file on its own, for analysis. A syntax error is bad input: the codemod stops
 * with the file, the line and the parser's message.
 */
export const parseSource = (displayPath: string, text: string): SourceFile => {
  const { diagnostics = [] } = ts.transpileModule(text, {
    fileName: "input.ts",
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext }
  })
  const syntaxError = diagnostics.find((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)
  if (syntaxError !== undefined) {
    const line =
      syntaxError.file && syntaxError.start !== undefined
        ? syntaxError.file.getLineAndCharacterOfPosition(syntaxError.start).line + 1
        : undefined
    throw new CodemodInputError({
      file: displayPath,
      expected: "valid TypeScript",
      detail: `${line === undefined ? "" : `line ${line}: `}${ts.flattenDiagnosticMessageText(syntaxError.messageText, "\n")}`
    })
  }
  const project = new Project({ useInMemoryFileSystem: true, skipFileDependencyResolution: true })
  return project.createSourceFile("/input.ts", text)
}
