import { execFile } from "node:child_process"
import { constants } from "node:fs"
import { access, stat } from "node:fs/promises"
import { dirname } from "node:path"
import { promisify } from "node:util"
import { CodemodInputError } from "../report/errors.js"
import type { PlannedFile } from "./writeFiles.js"

// The refusals checked before anything is written: files the codemod may not write, and
// files with work of the user's that a rewrite would mix with its own.

const run = promisify(execFile)

/**
 * Every planned file must be writable: an existing file must have a write permission bit and
 * be accessible for writing, a new file's directory likewise. (The bits are checked as well as
 * `access`, since `access` says yes to root for a file its owner made read-only.)
 */
export const assertWritable = async (
  files: ReadonlyArray<PlannedFile>,
  display: (path: string) => string
): Promise<void> => {
  for (const file of files) {
    const target = file.before === undefined ? dirname(file.path) : file.path
    const what = file.before === undefined ? "a writable directory for the new file" : "a writable file"
    try {
      const info = await stat(target)
      if ((info.mode & 0o222) === 0) throw new Error("no write permission bits")
      await access(target, constants.W_OK)
      // The temp file goes next to the target, so its directory must take it.
      await access(dirname(file.path), constants.W_OK)
      const directory = await stat(dirname(file.path))
      if ((directory.mode & 0o222) === 0) throw new Error("directory has no write permission bits")
    } catch (cause) {
      throw new CodemodInputError({ file: display(target), expected: what, detail: (cause as Error).message })
    }
  }
}

/** Whether the directory is inside a git working tree (false too when git is missing). */
export const insideGitWorkTree = async (directory: string): Promise<boolean> => {
  try {
    const { stdout } = await run("git", ["rev-parse", "--is-inside-work-tree"], { cwd: directory })
    return stdout.trim() === "true"
  } catch {
    return false
  }
}

/**
 * The given files that have uncommitted changes (staged, unstaged or untracked), or
 * `undefined` when the directory is not inside a git working tree (or git is missing).
 */
export const uncommittedFiles = async (
  directory: string,
  paths: ReadonlyArray<string>
): Promise<Array<string> | undefined> => {
  if (!(await insideGitWorkTree(directory))) return undefined
  if (paths.length === 0) return []
  const { stdout } = await run("git", ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ...paths], {
    cwd: directory
  })
  return stdout
    .split("\0")
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3))
}

/**
 * Why a write must not go ahead over the user's work: the existing files it would replace that
 * have uncommitted changes, as the refusal says it; `undefined` when there are none (or no git).
 */
export const uncommittedRefusal = async (
  directory: string,
  files: ReadonlyArray<PlannedFile>
): Promise<string | undefined> => {
  const dirty = await uncommittedFiles(
    directory,
    files.filter((file) => file.before !== undefined).map((file) => file.path)
  )
  return dirty === undefined || dirty.length === 0
    ? undefined
    : `uncommitted changes in ${dirty.join(", ")}; commit or stash them first (--allow-dirty skips this check)`
}
