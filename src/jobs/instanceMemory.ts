import type { JobType } from "./events/JobEvent.js"
import type { JobContext } from "./JobContext.js"

/**
 * What tracking remembers of one jobs instance between its calls, for what a later call cannot
 * learn at a service boundary: when the alarm that fires was set for, how many events the
 * debounce batch an alarm flushes holds, and (for the older layout) whether the instance's life
 * is still open; for the upstream format, a continuous job's run count and when a debounce batch
 * began. It never holds user data: four numbers and the job's type and name.
 *
 * It is kept by instance id (the Durable Object id), not beside any object of the runtime: a
 * jobs runtime builds its layers anew on every call, and a core whose layers make their adapters
 * per build hands each call another `RuntimeAdapter`. So it lasts while the isolate does: after
 * an eviction or a restart it starts empty and those fields are absent until the instance tells
 * them again. At most {@link instanceMemoryCapacity} instances are remembered per isolate; the
 * one used longest ago is forgotten first.
 */
export interface InstanceMemory {
  /** The time the alarm was last set for through `AlarmService.schedule` (cleared on cancel or fire). */
  alarmAt: number | undefined
  /** The debounce batch's size as the last request that changed it answered. */
  batchSize: number | undefined
  /** The job of a life told by `job.created` and not told ended since (kept by the older layout's map). */
  life: { readonly jobType: JobType; readonly jobName: string } | undefined
  /** The run count of the continuous job's last run (the upstream format's `job.terminated` carries it). */
  runCount: number | undefined
  /** When the debounce batch began: its creation, by the runtime's clock (upstream's flush duration). */
  debounceStartedAt: number | undefined
}

/** How many instances one isolate remembers; a Durable Object isolate hosts far fewer. */
export const instanceMemoryCapacity = 1000

const emptyMemory = (): InstanceMemory => ({
  alarmAt: undefined,
  batchSize: undefined,
  life: undefined,
  runCount: undefined,
  debounceStartedAt: undefined
})

// Insertion order is use order: a read moves the instance to the end, the first is the oldest.
const memories = new Map<string, InstanceMemory>()

/** The memory of the instance with this id, made empty on first use. */
export const instanceMemory = (instanceId: string): InstanceMemory => {
  let memory = memories.get(instanceId)
  if (memory === undefined) {
    memory = emptyMemory()
    if (memories.size >= instanceMemoryCapacity) memories.delete(memories.keys().next().value!)
  } else {
    memories.delete(instanceId)
  }
  memories.set(instanceId, memory)
  return memory
}

/**
 * Forgets an instance, as an eviction would. Tests that give a fresh in-memory runtime an
 * instance id used before call it: their new instance must not inherit the old one's memory.
 */
export const forgetInstanceMemory = (instanceId: string): void => {
  memories.delete(instanceId)
}

// A call without the ambient memory (a map used without the runtime adapter) remembers nothing.
const forgetful = emptyMemory

export const memoryOf = (context: JobContext): InstanceMemory =>
  (context["memory"] as InstanceMemory | undefined) ?? forgetful()
