import { randomBytes } from "node:crypto"
import { chmod, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { CodemodInputError, CodemodInterruptedError, type InterruptSignal } from "../report/errors.js"

export interface PlannedFile {
  readonly path: string
  /** What the file holds now; `undefined` for a file the codemod creates. */
  readonly before: string | undefined
  readonly after: string
}

/** A planned file as the codemod reports it. */
export interface PlannedChange extends PlannedFile {
  /** Relative to the package directory, with `/` separators. */
  readonly relativePath: string
}

/** The temp file the codemod stages a target's new content in: hidden, next to it. */
const tempPathFor = (target: string): string =>
  join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`)
const tempNamePattern = /^\..+\.[cm]?tsx?\.[0-9a-f]{12}\.tmp$/

/**
 * Temp files an earlier run left behind (killed with SIGKILL, or a crash of the machine, while
 * writing), anywhere under `dir`: dot-files named like the codemod's, next to a TypeScript file.
 */
export const leftoverTempFiles = async (dir: string): Promise<Array<string>> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const found: Array<string> = []
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== "node_modules") found.push(...(await leftoverTempFiles(path)))
    else if (entry.isFile() && tempNamePattern.test(entry.name)) found.push(path)
  }
  return found
}

export const removeFiles = async (paths: ReadonlyArray<string>): Promise<void> => {
  await Promise.all(paths.map((path) => unlink(path).catch(() => undefined)))
}

/**
 * The named points of the write phase, for tests that interrupt it: `staged <n>` after the n-th
 * temp file is written (before any rename), `renamed <n>` after the n-th rename (the last one
 * excepted: after it the write is done).
 */
export type WritePoint = `staged ${number}` | `renamed ${number}`

/**
 * The test hook: when this environment variable names a write point, the writer stops there,
 * says so on stderr (`paused at <point>`) and waits for a signal. Tests send one and see what
 * the writer makes of it at that point.
 */
export const pauseAtEnv = "DURABLE_EFFECT_TRACKING_TEST_PAUSE_AT"

export interface WriteResult {
  /** The signal that arrived during the renames, which were finished before it was honoured. */
  readonly interrupted: InterruptSignal | undefined
}

/**
 * Writes the files all or nothing, as far as a file system allows: every new content goes to
 * a temp file next to its target first (with the target's permissions); only when all of them
 * are written, and no target changed since it was read, are they renamed over the targets.
 *
 * SIGINT and SIGTERM are held while it writes: before the first rename the temp files are
 * removed and it fails with {@link CodemodInterruptedError}; from the first rename on it
 * finishes the renames and reports the signal in its result. Either way the caller decides how
 * to end (the CLI exits with 128 + the signal's number).
 */
export const writeFilesAtomically = async (
  files: ReadonlyArray<PlannedFile>,
  display: (path: string) => string
): Promise<WriteResult> => {
  const signals = holdSignals()
  const staged: Array<{ readonly temp: string; readonly target: string }> = []
  let renamed = 0
  try {
    for (const file of files) {
      if (signals.received !== undefined) throw new CodemodInterruptedError({ signal: signals.received })
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
      const temp = tempPathFor(file.path)
      const mode = file.before === undefined ? undefined : (await stat(file.path)).mode & 0o7777
      staged.push({ temp, target: file.path })
      await writeFile(temp, file.after, { encoding: "utf8", flag: "wx" })
      if (mode !== undefined) await chmod(temp, mode)
      await pauseIfAsked(`staged ${staged.length}`, signals)
    }
    if (signals.received !== undefined) throw new CodemodInterruptedError({ signal: signals.received })
    // From here on every target is renamed, signal or not: a package half rewritten does not build.
    for (const { temp, target } of staged) {
      await rename(temp, target)
      renamed++
      if (renamed < staged.length) await pauseIfAsked(`renamed ${renamed}`, signals)
    }
    return { interrupted: signals.received }
  } catch (error) {
    await removeFiles(staged.slice(renamed).map(({ temp }) => temp))
    if (renamed === 0 && signals.received !== undefined && !(error instanceof CodemodInterruptedError)) {
      throw new CodemodInterruptedError({ signal: signals.received })
    }
    throw error
  } finally {
    signals.release()
  }
}

interface HeldSignals {
  readonly received: InterruptSignal | undefined
  /** Resolves when a signal arrives. */
  readonly arrived: Promise<void>
  readonly release: () => void
}

const holdSignals = (): HeldSignals => {
  let received: InterruptSignal | undefined
  let notify: () => void = () => undefined
  const arrived = new Promise<void>((resolve) => (notify = resolve))
  const handlers = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const handler = () => {
      received ??= signal
      notify()
    }
    process.on(signal, handler)
    return [signal, handler] as const
  })
  return {
    get received() {
      return received
    },
    arrived,
    release: () => {
      for (const [signal, handler] of handlers) process.off(signal, handler)
    }
  }
}

const pauseIfAsked = async (point: WritePoint, signals: HeldSignals): Promise<void> => {
  if (process.env[pauseAtEnv] !== point) return
  process.stderr.write(`paused at ${point}\n`)
  // Signal handlers do not keep a process alive: a timer does, until the signal comes.
  const keepAlive = setInterval(() => undefined, 60_000)
  await signals.arrived
  clearInterval(keepAlive)
}
