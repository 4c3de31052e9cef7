import type { JobContext } from "../instrument/JobContext.js"

/**
 * What tracking remembers of one jobs instance between its calls, for what a later call cannot
 * learn at a service boundary: when the alarm that fires was set for, and how many events the
 * debounce batch an alarm flushes holds. It lives beside the instance's `RuntimeAdapter` (built
 * once per Durable Object), so it lasts while the Durable Object stays in memory: after an
 * eviction it starts empty and those fields are absent until the instance tells them again.
 * It never holds user data: two numbers.
 */
export interface InstanceMemory {
  /** The time the alarm was last set for through `AlarmService.schedule` (cleared on cancel or fire). */
  alarmAt: number | undefined
  /** The debounce batch's size as the last request that changed it answered. */
  batchSize: number | undefined
}

const memories = new WeakMap<object, InstanceMemory>()

/** The memory of the instance whose runtime adapter this is. */
export const instanceMemory = (runtime: object): InstanceMemory => {
  let memory = memories.get(runtime)
  if (memory === undefined) {
    memory = { alarmAt: undefined, batchSize: undefined }
    memories.set(runtime, memory)
  }
  return memory
}

// A call without the ambient memory (a map used without the runtime adapter) remembers nothing.
const forgetful = (): InstanceMemory => ({ alarmAt: undefined, batchSize: undefined })

export const memoryOf = (context: JobContext): InstanceMemory => (context["memory"] as InstanceMemory | undefined) ?? forgetful()
