import { spawn, type ChildProcess } from "node:child_process"
import { tempDir } from "./tempDir.js"

export interface ChildRun {
  readonly child: ChildProcess
  /** Resolves when the child's stderr has printed `line` (a whole line). */
  readonly printed: (line: string) => Promise<void>
  readonly exited: Promise<{
    readonly code: number | null
    readonly signal: NodeJS.Signals | null
    readonly stdout: string
    readonly stderr: string
  }>
}

/**
 * Starts node with `args`, collecting its output; waits are on what it prints and on its exit.
 * The child gets a temp directory of its own (tsx keeps a compile cache there), removed when it
 * has exited.
 */
export const startNode = (
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv }
): ChildRun => {
  const temp = tempDir("det-child-")
  const child = spawn(process.execPath, [...args], {
    cwd: options.cwd,
    env: { ...process.env, TMPDIR: temp.path, ...options.env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  const waiting: Array<{ readonly line: string; readonly resolve: () => void }> = []
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
    const lines = stderr.split("\n")
    for (const wait of waiting.splice(0)) {
      if (lines.includes(wait.line)) wait.resolve()
      else waiting.push(wait)
    }
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) =>
      child.on("close", (code, signal) => {
        temp.remove()
        resolve({ code, signal, stdout, stderr })
      })
  )
  const printed = (line: string) =>
    new Promise<void>((resolve, reject) => {
      if (stderr.split("\n").includes(line)) return resolve()
      waiting.push({ line, resolve })
      // A child that ends without printing it fails the wait rather than hanging the test.
      void exited.then((result) =>
        reject(new Error(`exited (${result.code ?? result.signal}) before printing '${line}':\n${result.stderr}`))
      )
    })
  return { child, printed, exited }
}
