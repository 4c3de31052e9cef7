import { randomBytes } from "node:crypto"
import { constants } from "node:fs"
import { access, chmod, readFile, rename, stat, unlink, writeFile } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { CodemodInputError } from "./errors.js"

export interface PlannedFile {
  readonly path: string
  /** What the file holds now; `undefined` for a file the codemod creates. */
  readonly before: string | undefined
  readonly after: string
}

/**
 * Every planned file must be writable: an existing file must have a write permission bit and
 * be accessible for writing, a new file's directory likewise. (The bits are checked as well as
 * `access`, since `access` says yes to root for a file its owner made read-only.)
 */
export const assertWritable = async (files: ReadonlyArray<PlannedFile>, display: (path: string) => string): Promise<void> => {
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

/**
 * Writes the files all or nothing, as far as a file system allows: every new content goes to
 * a temp file next to its target first (with the target's permissions); only when all of them
 * are written, and no target changed since it was read, are they renamed over the targets.
 */
export const writeFilesAtomically = async (files: ReadonlyArray<PlannedFile>, display: (path: string) => string): Promise<void> => {
  const staged: Array<{ readonly temp: string; readonly target: string }> = []
  try {
    for (const file of files) {
      const current = await readFile(file.path, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined
        throw error
      })
      if (current !== file.before) {
        throw new CodemodInputError({
          file: display(file.path),
          expected: "the file as it was when the codemod read it",
          detail: "it changed while the codemod ran; run it again"
        })
      }
      const temp = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(6).toString("hex")}.tmp`)
      const mode = file.before === undefined ? undefined : (await stat(file.path)).mode & 0o7777
      await writeFile(temp, file.after, { encoding: "utf8", flag: "wx" })
      staged.push({ temp, target: file.path })
      if (mode !== undefined) await chmod(temp, mode)
    }
    for (const { temp, target } of staged) await rename(temp, target)
  } catch (error) {
    await Promise.all(staged.map(({ temp }) => unlink(temp).catch(() => undefined)))
    throw error
  }
}
