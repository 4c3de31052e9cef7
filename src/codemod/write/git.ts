import { execFile } from "node:child_process"
import { promisify } from "node:util"

const run = promisify(execFile)

/**
 * The given files that have uncommitted changes (staged, unstaged or untracked), or
 * `undefined` when the directory is not inside a git working tree (or git is missing).
 */
export const uncommittedFiles = async (
  directory: string,
  paths: ReadonlyArray<string>
): Promise<Array<string> | undefined> => {
  try {
    await run("git", ["rev-parse", "--is-inside-work-tree"], { cwd: directory })
  } catch {
    return undefined
  }
  if (paths.length === 0) return []
  const { stdout } = await run("git", ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ...paths], {
    cwd: directory
  })
  return stdout
    .split("\0")
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3))
}
