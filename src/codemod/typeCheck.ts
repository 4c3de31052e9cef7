import { existsSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { DiagnosticCategory, Project, ts, type SourceFile } from "ts-morph"
import { CodemodInputError } from "./errors.js"

export interface TypeDiagnostic {
  /** Relative to the package directory. */
  readonly file: string
  readonly line: number
  readonly column: number
  /** The compiler's error code (TS2322 is 2322). */
  readonly code: number
  readonly message: string
}

/** The type errors of the changed files, split by whether the rewrite brought them. */
export interface TypeCheckResult {
  /** Errors the rewritten files have that the originals did not: these refuse the write. */
  readonly introduced: ReadonlyArray<TypeDiagnostic>
  /** Errors the files had before the rewrite and still have: the package's own, reported only. */
  readonly preExisting: ReadonlyArray<TypeDiagnostic>
}

/** The tsconfig.json a compiler run from the package directory would use: its own, or the nearest above. */
export const findTsConfig = (packageDir: string): string | undefined => {
  for (let dir = resolve(packageDir); ; dir = dirname(dir)) {
    const candidate = join(dir, "tsconfig.json")
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

// ts-morph's compiler may be newer than the package's: options it merely deprecates still work,
// and are the package's business, not the rewrite's.
const tolerateDeprecations = { ignoreDeprecations: "6.0" }

/** "No inputs were found": the codemod brings its own inputs; not a fault of the config. */
const noInputsFound = 18003

/**
 * Reads the tsconfig as tsc would, `extends` included. A config that cannot be read fully (bad
 * JSON, an `extends` that is not there, options tsc rejects) is bad input: checking with what
 * could be read would judge the rewrite by other rules than the package's.
 */
export const readTsConfig = (tsConfigPath: string, display: string): ts.ParsedCommandLine => {
  const problems: Array<ts.Diagnostic> = []
  // The JSON first: tsc stops at a syntax error in it, the config parser goes on regardless.
  const json = ts.readConfigFile(tsConfigPath, ts.sys.readFile)
  if (json.error !== undefined) problems.push(json.error)
  const parsed = ts.getParsedCommandLineOfConfigFile(tsConfigPath, tolerateDeprecations, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => void problems.push(diagnostic)
  })
  problems.push(...(parsed?.errors ?? []).filter((diagnostic) => diagnostic.code !== noInputsFound))
  if (parsed === undefined || problems.length > 0) {
    const describe = (problem: ts.Diagnostic) => {
      const where =
        problem.file !== undefined && problem.start !== undefined
          ? `${relative(dirname(tsConfigPath), problem.file.fileName).split(sep).join("/") || problem.file.fileName}:${problem.file.getLineAndCharacterOfPosition(problem.start).line + 1}: `
          : ""
      return `${where}TS${problem.code}: ${ts.flattenDiagnosticMessageText(problem.messageText, " ")}`
    }
    throw new CodemodInputError({
      file: display,
      expected: "a tsconfig that tsc can read",
      detail: problems.length === 0 ? "it could not be read" : problems.map(describe).join("; ")
    })
  }
  return parsed
}

/**
 * Type-checks the changed files, in memory, against the package's own compiler options, before
 * and after the rewrite: nothing is written. Only the changed files (and what they import) are
 * loaded, which keeps a check to a few seconds. Errors are matched between the two states by
 * file, code and message (not by line: the rewrite moves lines), counting repeats.
 */
export const typeCheckChange = (
  packageDir: string,
  tsConfigPath: string | undefined,
  files: ReadonlyArray<{ readonly path: string; readonly before: string | undefined; readonly after: string }>
): TypeCheckResult => {
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
          compilerOptions: tolerateDeprecations
        })
  // Ambient declarations the tsconfig includes (a globals.d.ts, say) are part of the program.
  if (tsConfigPath !== undefined) {
    for (const path of ambientDeclarations(tsConfigPath)) project.addSourceFileAtPathIfExists(path)
  }
  const errorsOf = (sourceFiles: ReadonlyArray<SourceFile>): Array<TypeDiagnostic> => {
    project.resolveSourceFileDependencies()
    return sourceFiles.flatMap((sourceFile) => codeErrors(packageDir, sourceFile))
  }

  const after = errorsOf(files.map((file) => project.createSourceFile(file.path, file.after, { overwrite: true })))
  // The originals are checked only when there is something to tell apart: a clean result costs one check.
  if (after.length === 0) return { introduced: [], preExisting: [] }
  const created = files.filter((file) => file.before === undefined)
  for (const file of created) project.removeSourceFile(project.getSourceFileOrThrow(file.path))
  const existing = files.filter((file) => file.before !== undefined)
  const before = errorsOf(
    existing.map((file) => project.createSourceFile(file.path, file.before!, { overwrite: true }))
  )

  const key = (diagnostic: TypeDiagnostic) => `${diagnostic.file}\0${diagnostic.code}\0${diagnostic.message}`
  const remaining = new Map<string, number>()
  for (const diagnostic of before) remaining.set(key(diagnostic), (remaining.get(key(diagnostic)) ?? 0) + 1)
  const introduced: Array<TypeDiagnostic> = []
  const preExisting: Array<TypeDiagnostic> = []
  for (const diagnostic of after) {
    const left = remaining.get(key(diagnostic)) ?? 0
    if (left > 0) {
      remaining.set(key(diagnostic), left - 1)
      preExisting.push(diagnostic)
    } else {
      introduced.push(diagnostic)
    }
  }
  return { introduced, preExisting }
}

/** Errors in the code of one file (option diagnostics concern the tsconfig, read beforehand). */
const codeErrors = (packageDir: string, sourceFile: SourceFile): Array<TypeDiagnostic> =>
  sourceFile
    .getPreEmitDiagnostics()
    .filter(
      (diagnostic) => diagnostic.getCategory() === DiagnosticCategory.Error && diagnostic.getSourceFile() !== undefined
    )
    .map((diagnostic) => {
      const start = diagnostic.getStart()
      const position =
        start === undefined ? { line: 0, character: 0 } : sourceFile.compilerNode.getLineAndCharacterOfPosition(start)
      const message = diagnostic.getMessageText()
      return {
        file: relative(packageDir, diagnostic.getSourceFile()?.getFilePath() ?? sourceFile.getFilePath())
          .split(sep)
          .join("/"),
        line: position.line + 1,
        column: position.character + 1,
        code: diagnostic.getCode(),
        message: typeof message === "string" ? message : ts.flattenDiagnosticMessageText(message.compilerObject, "\n")
      }
    })

const ambientDeclarations = (tsConfigPath: string): Array<string> => {
  const parsed = ts.getParsedCommandLineOfConfigFile(tsConfigPath, tolerateDeprecations, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => undefined
  })
  return (parsed?.fileNames ?? []).filter((name) => name.endsWith(".d.ts"))
}
