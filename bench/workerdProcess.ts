import { existsSync, readdirSync, readFileSync } from "node:fs"
import { startWorker, type RunningWorker, type WorkerOptions } from "../examples/runtime/miniflare.js"

/**
 * The CPU time a process has spent, all its threads, in ms. Per thread, the scheduler's run time
 * in ns (`/proc/<pid>/task/<tid>/schedstat`) where the kernel keeps it, else user + system time
 * in `/proc`'s ticks (USER_HZ, 100 per second on Linux). A thread that has exited is no longer
 * counted: workerd's threads live as long as it does. Linux only.
 */
export const processCpuMs = (pid: number): number => {
  let ms = 0
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    ms += threadCpuMs(`/proc/${pid}/task/${thread}`)
  }
  return ms
}

const threadCpuMs = (dir: string): number => {
  try {
    return Number(readFileSync(`${dir}/schedstat`, "utf8").split(" ")[0]) / 1e6
  } catch {
    const fields = statFields(readFileSync(`${dir}/stat`, "utf8"))
    // utime and stime are the 14th and 15th fields of stat, the 12th and 13th after the name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  }
}

// The fields after `pid (name)`: the name may hold spaces and parentheses.
const statFields = (stat: string): ReadonlyArray<string> => stat.slice(stat.lastIndexOf(")") + 2).split(" ")

/** The workerd processes this process has started (Miniflare spawns them as children). */
const workerdChildren = (): Set<number> => {
  const found = new Set<number>()
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8")
    } catch {
      continue // it ended as we looked
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))
    if (name.startsWith("workerd") && Number(statFields(stat)[1]) === process.pid) found.add(Number(entry))
  }
  return found
}

/** A Worker in a workerd of its own, and that workerd's process id. */
export interface MeasuredWorker {
  readonly worker: RunningWorker
  readonly pid: number
}

/**
 * Starts a Worker (see `startWorker`) and finds the workerd process it runs in: the one child of
 * this process that was not there before. Start such Workers one at a time.
 */
export const startMeasuredWorker = async (options: WorkerOptions): Promise<MeasuredWorker> => {
  if (!existsSync("/proc/self/task")) {
    throw new Error(`a workerd's CPU time is read from Linux's /proc, which this ${process.platform} machine has not`)
  }
  const before = workerdChildren()
  const worker = await startWorker(options)
  const started = [...workerdChildren()].filter((pid) => !before.has(pid))
  if (started.length !== 1) {
    await worker.dispose()
    throw new Error(`expected one new workerd process, found ${started.length}: its CPU time cannot be read`)
  }
  return { worker, pid: started[0]! }
}
