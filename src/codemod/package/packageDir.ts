import { stat } from "node:fs/promises"
import { dirname, join } from "node:path"
import { relativePosix } from "../report/displayPath.js"
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
