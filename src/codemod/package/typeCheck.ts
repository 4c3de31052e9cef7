import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { requireHere, ts } from "../source/tsMorph.js"
// The compiler's types (ts-morph's `ts` namespace); its values come through tsMorph.js.
import type { ts as TypeScript } from "ts-morph"
import { CodemodInputError } from "../report/errors.js"
import { relativePosix } from "../report/displayPath.js"

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
export const readTsConfig = (tsConfigPath: string, display: string): TypeScript.ParsedCommandLine => {
  const problems: Array<TypeScript.Diagnostic> = []
  // The JSON first: tsc stops at a syntax error in it, the config parser goes on regardless.
  const json = ts.readConfigFile(tsConfigPath, ts.sys.readFile)
  if (json.error !== undefined) problems.push(json.error)
  const parsed = ts.getParsedCommandLineOfConfigFile(tsConfigPath, tolerateDeprecations, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => void problems.push(diagnostic)
  })
  problems.push(...(parsed?.errors ?? []).filter((diagnostic) => diagnostic.code !== noInputsFound))
  if (parsed === undefined || problems.length > 0) {
    const describe = (problem: TypeScript.Diagnostic) => {
      const where =
        problem.file !== undefined && problem.start !== undefined
          ? `${relativePosix(dirname(tsConfigPath), problem.file.fileName) || problem.file.fileName}:${problem.file.getLineAndCharacterOfPosition(problem.start).line + 1}: `
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
 *
 * The program is the compiler's own (`ts.createProgram`, with the TypeScript ts-morph brings),
 * not a ts-morph project: the check needs no syntax tree wrappers, and the compiler then parses
 * JSDoc only where it can hold type errors, as tsc does (effect's declarations are mostly docs).
 */
export const typeCheckChange = (
  packageDir: string,
  tsConfigPath: string | undefined,
  files: ReadonlyArray<{ readonly path: string; readonly before: string | undefined; readonly after: string }>
): TypeCheckResult => {
  const { options, ambient } = compilerSetup(packageDir, tsConfigPath)
  const after = new Map(files.map((file) => [resolve(file.path), file.after]))
  const afterProgram = checkedProgram(options, ambient, after)
  const afterErrors = codeErrors(packageDir, afterProgram, [...after.keys()])
  // The originals are checked only when there is something to tell apart: a clean result costs one check.
  if (afterErrors.length === 0) return { introduced: [], preExisting: [] }
  // Files the rewrite creates are absent before it.
  const before = new Map(
    files.flatMap((file) => (file.before === undefined ? [] : [[resolve(file.path), file.before] as const]))
  )
  const beforeErrors = codeErrors(packageDir, checkedProgram(options, ambient, before, afterProgram), [
    ...before.keys()
  ])

  const key = (diagnostic: TypeDiagnostic) => `${diagnostic.file}\0${diagnostic.code}\0${diagnostic.message}`
  const remaining = new Map<string, number>()
  for (const diagnostic of beforeErrors) remaining.set(key(diagnostic), (remaining.get(key(diagnostic)) ?? 0) + 1)
  const introduced: Array<TypeDiagnostic> = []
  const preExisting: Array<TypeDiagnostic> = []
  for (const diagnostic of afterErrors) {
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

/** Without a tsconfig, what a strict modern package would use. */
const defaultCompilerOptions: TypeScript.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  skipLibCheck: true
}

/** The compiler options, and the ambient declarations the tsconfig includes (a globals.d.ts, say). */
const compilerSetup = (
  packageDir: string,
  tsConfigPath: string | undefined
): { readonly options: TypeScript.CompilerOptions; readonly ambient: ReadonlyArray<string> } => {
  if (tsConfigPath === undefined) return { options: { ...defaultCompilerOptions, noEmit: true }, ambient: [] }
  // Read as the plan read it (which refused a config with problems before any check).
  const parsed = readTsConfig(tsConfigPath, relativePosix(packageDir, tsConfigPath))
  return {
    options: { ...parsed.options, noEmit: true },
    ambient: parsed.fileNames.filter((name) => name.endsWith(".d.ts"))
  }
}

/**
 * A program of `texts` (absolute path to content, served instead of the disk), the ambient
 * declarations and what they import. `previous` lends its unchanged files (the libraries').
 */
const checkedProgram = (
  options: TypeScript.CompilerOptions,
  ambient: ReadonlyArray<string>,
  texts: ReadonlyMap<string, string>,
  previous?: TypeScript.Program
): TypeScript.Program => {
  const host = ts.createCompilerHost(options)
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors
  const libs = bundledLibFiles()
  const textOf = (fileName: string) => texts.get(resolve(fileName)) ?? libs.files.get(fileName)
  const { getSourceFile, fileExists, readFile } = host
  host.getDefaultLibLocation = () => libs.folder
  host.getDefaultLibFileName = (libOptions) => `${libs.folder}/${ts.getDefaultLibFileName(libOptions)}`
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = textOf(fileName)
    return text === undefined
      ? getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate)
      : ts.createSourceFile(fileName, text, languageVersion)
  }
  host.fileExists = (fileName) => textOf(fileName) !== undefined || fileExists.call(host, fileName)
  host.readFile = (fileName) => textOf(fileName) ?? readFile.call(host, fileName)
  return ts.createProgram({ rootNames: [...texts.keys(), ...ambient], options, host, oldProgram: previous })
}

/**
 * The lib files (lib.es2022.d.ts, ...) of the TypeScript ts-morph brings: its compiler has no
 * lib folder on disk, and ts-morph serves them from `@ts-morph/common` at an in-memory path.
 * Loaded from where ts-morph is, so they match its compiler; read once per process.
 */
const bundledLibFiles = (): { readonly folder: string; readonly files: ReadonlyMap<string, string> } => {
  if (libFiles !== undefined) return libFiles
  const fromTsMorph = createRequire(requireHere.resolve("ts-morph"))
  const common = fromTsMorph("@ts-morph/common") as {
    readonly libFolderInMemoryPath: string
    readonly getLibFiles: () => ReadonlyArray<{ readonly fileName: string; readonly text: string }>
  }
  const folder = common.libFolderInMemoryPath
  libFiles = { folder, files: new Map(common.getLibFiles().map((file) => [`${folder}/${file.fileName}`, file.text])) }
  return libFiles
}

let libFiles: { readonly folder: string; readonly files: ReadonlyMap<string, string> } | undefined

/** Errors in the code of the files at `paths` (option diagnostics concern the tsconfig, read beforehand). */
const codeErrors = (
  packageDir: string,
  program: TypeScript.Program,
  paths: ReadonlyArray<string>
): Array<TypeDiagnostic> =>
  paths.flatMap((path) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(path)).flatMap((diagnostic): Array<TypeDiagnostic> => {
      const file = diagnostic.file
      if (diagnostic.category !== ts.DiagnosticCategory.Error || file === undefined) return []
      const position =
        diagnostic.start === undefined
          ? { line: 0, character: 0 }
          : file.getLineAndCharacterOfPosition(diagnostic.start)
      return [
        {
          file: relativePosix(packageDir, file.fileName),
          line: position.line + 1,
          column: position.character + 1,
          code: diagnostic.code,
          message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
        }
      ]
    })
  )
