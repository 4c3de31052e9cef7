import { Project, ts, type SourceFile } from "ts-morph"
import { CodemodInputError } from "../report/errors.js"

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
