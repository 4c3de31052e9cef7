import type { JobEventType } from "./JobEventTypes.js"

/**
 * The causal order of one instance's events, as docs/events.md ("Order") writes it down, checked
 * over any list of events (several instances mixed, in the order they were emitted). It reads
 * plain objects: a collector can run it on what it decoded, or on raw JSON.
 *
 * Only types are imported here, so the Worker bundle does not carry `effect/Schema` for it.
 */

/**
 * The rules, by name (docs/events.md explains each).
 *
 * @category The job event schema
 */
export type SequenceRule =
  | "created-first"
  | "created-once"
  | "started-after-created"
  | "nothing-after-terminated"
  | "run-bracket"
  | "flush-cause"
  | "task-event-cause"
  | "task-idle"
  | "failure-agrees"

/**
 * One break of the documented event order: which rule, and where in the sequence.
 *
 * @category The job event schema
 */
export interface SequenceViolation {
  readonly rule: SequenceRule
  readonly instanceId: string
  /** Where the offending event is in the list given. */
  readonly index: number
  readonly type: string
  readonly message: string
}

/**
 * What the check reads of an event: any decoded or raw job event has these.
 *
 * @category The job event schema
 */
export interface SequenceEvent {
  readonly type: JobEventType | (string & {})
  readonly instanceId: string
  readonly reason?: unknown
  readonly error?: unknown
}

// Events after which the instance may be created again: its life (or its batch) ended.
const endings: ReadonlySet<string> = new Set(["job.terminated", "job.completed", "job.failed", "debounce.cleared"])
// Events that only happen inside a run, between execution.started and its outcome.
const inRun: ReadonlySet<string> = new Set(["retry.attempted", "retry.scheduled", "retry.exhausted"])

interface InstanceState {
  seen: boolean
  /** Created and not ended since. */
  live: boolean
  terminated: boolean
  runOpen: boolean
  previous: string | undefined
  /** The run that just ended: whether it scheduled an alarm, and whether task.idle already followed it. */
  lastRun: { scheduled: boolean; idleTold: boolean; opened: "event" | "other" } | undefined
  runScheduled: boolean
  runOpenedByEvent: boolean
  /** The error the current failure's events carry, to compare. */
  failureError: string | undefined
}

const fresh = (): InstanceState => ({
  seen: false,
  live: false,
  terminated: false,
  runOpen: false,
  previous: undefined,
  lastRun: undefined,
  runScheduled: false,
  runOpenedByEvent: false,
  failureError: undefined
})

/**
 * Every violation of the documented order, in the order found; empty when the sequence is sound.
 *
 * @category The job event schema
 */
export const checkEventSequence = (events: ReadonlyArray<SequenceEvent>): Array<SequenceViolation> => {
  const violations: Array<SequenceViolation> = []
  const states = new Map<string, InstanceState>()

  events.forEach((event, index) => {
    const { type, instanceId } = event
    let state = states.get(instanceId)
    if (state === undefined) states.set(instanceId, (state = fresh()))
    const violate = (rule: SequenceRule, message: string) => violations.push({ rule, instanceId, index, type, message })
    const previous = state.previous

    if (!state.seen && type !== "job.created") violate("created-first", `${type} before the instance's job.created`)
    if (state.terminated && type !== "job.created") violate("nothing-after-terminated", `${type} after job.terminated`)
    if (previous === "debounce.flush.triggered" && type !== "execution.started") {
      violate("flush-cause", `debounce.flush.triggered is not followed by its run's execution.started (got ${type})`)
    }
    if (previous === "task.event.received" && type !== "execution.started") {
      violate(
        "task-event-cause",
        `task.event.received is not followed by the execution.started of its onEvent run (got ${type})`
      )
    }
    if (inRun.has(type) && !state.runOpen) violate("run-bracket", `${type} outside a run`)

    switch (type) {
      case "job.created":
        if (state.live) violate("created-once", "job.created again, though the instance's life did not end")
        state.live = true
        state.terminated = false
        state.runOpen = false
        state.lastRun = undefined
        break
      case "job.started":
        if (previous !== "job.created") violate("started-after-created", "job.started not right after job.created")
        break
      case "execution.started":
        if (state.runOpen) violate("run-bracket", "execution.started while a run is open")
        state.runOpen = true
        state.runScheduled = false
        state.runOpenedByEvent = previous === "task.event.received"
        state.failureError = undefined
        state.lastRun = undefined
        break
      case "execution.succeeded":
      case "execution.failed":
        if (!state.runOpen) violate("run-bracket", `${type} without an open run`)
        state.runOpen = false
        state.lastRun = {
          scheduled: state.runScheduled,
          idleTold: false,
          opened: state.runOpenedByEvent ? "event" : "other"
        }
        break
      case "alarm.scheduled":
        if (state.runOpen) state.runScheduled = true
        else if (state.lastRun !== undefined) state.lastRun.scheduled = true
        break
      case "debounce.flush.triggered": {
        const cause =
          event.reason === "maxEvents"
            ? "debounce.event.added"
            : event.reason === "flushAfter"
              ? "alarm.fired"
              : undefined
        if (cause !== undefined && previous !== cause)
          violate("flush-cause", `a ${String(event.reason)} flush not right after its ${cause}`)
        break
      }
      case "task.event.processed":
        if (state.runOpen || state.lastRun?.opened !== "event") {
          violate(
            "task-event-cause",
            "task.event.processed without the onEvent run of a task.event.received just ended"
          )
        }
        break
      case "task.idle":
        if (state.runOpen || state.lastRun === undefined) violate("task-idle", "task.idle without a run just ended")
        else if (state.lastRun.scheduled) violate("task-idle", "task.idle after a run that scheduled an alarm")
        else if (state.lastRun.idleTold) violate("task-idle", "task.idle twice after one run")
        if (state.lastRun !== undefined) state.lastRun.idleTold = true
        break
      case "job.terminated":
        state.terminated = true
        break
    }

    // One failure, one error: the events that tell of it carry the same summary.
    if (
      (type === "retry.scheduled" ||
        type === "retry.exhausted" ||
        type === "execution.failed" ||
        type === "job.failed") &&
      event.error !== undefined
    ) {
      const error = JSON.stringify(event.error)
      if (state.failureError !== undefined && state.failureError !== error) {
        violate("failure-agrees", `${type} carries another error than the failure's other events`)
      }
      state.failureError = error
    }

    if (endings.has(type)) state.live = false
    state.seen = true
    state.previous = type
  })
  return violations
}
