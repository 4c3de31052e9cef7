import { readFile, stat } from "node:fs/promises"
import { dirname, join, resolve } from "node:path"
import { relativePosix, toPosix } from "../report/displayPath.js"
import { findTsConfig, readTsConfig } from "./typeCheck.js"
import { CodemodInputError } from "../report/errors.js"

// Where a jobs package keeps what the codemod and migrate rewrite, and the check that the
// directory given is one.

export const runtimeFilePath = join("src", "runtime", "runtime.ts")
export const trackingFilePath = join("src", "tracking.ts")

/**
 * The package directory must be one: a path to a file is told so, and pointed at the jobs
 * package it lies in when there is one.
 */
export const assertPackageDirectory = async (given: string, packageDir: string): Promise<void> => {
  const info = await stat(packageDir).catch(() => undefined)
  if (info === undefined)
    throw new CodemodInputError({
      file: given,
      expected: "a jobs package directory",
      detail: "no such file or directory"
    })
  if (info.isDirectory()) return
  let detail = "it is a file; give the directory of the jobs package (the one holding src/runtime/runtime.ts)"
  for (let dir = dirname(packageDir); dirname(dir) !== dir; dir = dirname(dir)) {
    if ((await stat(join(dir, runtimeFilePath)).catch(() => undefined))?.isFile() === true) {
      const suggestion = relativePosix(process.cwd(), dir) || "."
      detail = `it is a file; the jobs package it is in is ${suggestion}`
      break
    }
  }
  throw new CodemodInputError({ file: given, expected: "a jobs package directory", detail })
}

/** A jobs package opened for a rewrite: where it is, its runtime file's text, its tsconfig. */
export interface OpenedPackage {
  readonly packageDir: string
  /** A path as reports show it: relative to the package directory, `/`-separated. */
  readonly display: (path: string) => string
  readonly runtimePath: string
  readonly runtimeText: string
  readonly tsConfigPath: string | undefined
}

/**
 * Checks the directory given, reads its runtime file and makes sure tsc can read its tsconfig
 * (the package's compiler options judge a rewrite): each of these missing or broken is bad input.
 */
export const openJobsPackage = async (given: string): Promise<OpenedPackage> => {
  const packageDir = resolve(given)
  const display = (path: string) => relativePosix(packageDir, path) || "."
  await assertPackageDirectory(given, packageDir)
  const runtimePath = join(packageDir, runtimeFilePath)
  const runtimeText = await readFile(runtimePath, "utf8").catch(() => undefined)
  if (runtimeText === undefined) {
    throw new CodemodInputError({
      file: toPosix(join(given, runtimeFilePath)),
      expected: "the runtime composition of a jobs package (createDispatcherLayer) in this file",
      detail: "no such file"
    })
  }
  const tsConfigPath = findTsConfig(packageDir)
  if (tsConfigPath !== undefined) readTsConfig(tsConfigPath, display(tsConfigPath))
  return { packageDir, display, runtimePath, runtimeText, tsConfigPath }
}
