import { existsSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { DiagnosticCategory, Project, ts } from "ts-morph"

export interface TypeDiagnostic {
  /** Relative to the package directory. */
  readonly file: string
  readonly line: number
  readonly column: number
  readonly message: string
}

/** The tsconfig.json a compiler run from the package directory would use: its own, or the nearest above. */
export const findTsConfig = (packageDir: string): string | undefined => {
  for (let dir = resolve(packageDir); ; dir = dirname(dir)) {
    const candidate = join(dir, "tsconfig.json")
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

/**
 * Type-checks the rewritten files, in memory, against the package's own compiler options:
 * nothing is written. Only the changed files (and what they import) are loaded, which keeps
 * a check to a few seconds.
 */
export const typeCheckFiles = (
  packageDir: string,
  tsConfigPath: string | undefined,
  files: ReadonlyArray<{ readonly path: string; readonly text: string }>
): Array<TypeDiagnostic> => {
  const project =
    tsConfigPath === undefined
      ? new Project({
          compilerOptions: {
            strict: true,
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.ESNext,
            moduleResolution: ts.ModuleResolutionKind.Bundler,
            skipLibCheck: true,
            noEmit: true
          }
        })
      : new Project({
          tsConfigFilePath: tsConfigPath,
          skipAddingFilesFromTsConfig: true,
          // ts-morph's compiler may be newer than the package's: options it merely deprecates
          // still work, and are the package's business, not the rewrite's.
          compilerOptions: { ignoreDeprecations: "6.0" }
        })
  const sourceFiles = files.map((file) => project.createSourceFile(file.path, file.text, { overwrite: true }))
  // Ambient declarations the tsconfig includes (a globals.d.ts, say) are part of the program.
  if (tsConfigPath !== undefined) {
    for (const path of ambientDeclarations(tsConfigPath)) project.addSourceFileAtPathIfExists(path)
  }
  project.resolveSourceFileDependencies()
  return sourceFiles.flatMap((sourceFile) =>
    sourceFile
      .getPreEmitDiagnostics()
      // Errors in the code only: option diagnostics concern the tsconfig, which the codemod leaves alone.
      .filter((diagnostic) => diagnostic.getCategory() === DiagnosticCategory.Error && diagnostic.getSourceFile() !== undefined)
      .map((diagnostic) => {
        const start = diagnostic.getStart()
        const position = start === undefined ? { line: 0, character: 0 } : sourceFile.compilerNode.getLineAndCharacterOfPosition(start)
        const message = diagnostic.getMessageText()
        return {
          file: relative(packageDir, diagnostic.getSourceFile()?.getFilePath() ?? sourceFile.getFilePath()),
          line: position.line + 1,
          column: position.character + 1,
          message: typeof message === "string" ? message : ts.flattenDiagnosticMessageText(message.compilerObject, "\n")
        }
      })
  )
}

const ambientDeclarations = (tsConfigPath: string): Array<string> => {
  const parsed = ts.getParsedCommandLineOfConfigFile(tsConfigPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => undefined
  })
  return (parsed?.fileNames ?? []).filter((name) => name.endsWith(".d.ts"))
}
