/** Where the CLI reads and writes: the process's streams, or a test's buffers. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean }
  readonly stderr: { write(text: string): unknown }
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr })

export const programName = "durable-effect-tracking"
