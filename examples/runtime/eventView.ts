import { checkEventSequence } from "../../src/jobs/events/eventSequence.js"
import type { JobEventWire } from "../../src/jobs/events/JobEvent.js"

/** What the timeline and the report read of any event. */
export interface ShownEvent {
  readonly type: string
  readonly eventId: string
  readonly timestamp: string
}

/** How a run of the package's code ended, as its end event says. */
export type RunEnd = "succeeded" | "failed" | "paused" | "cancelled"

/**
 * What the timeline and the report know of one vocabulary: whose events a lane holds (the
 * vocabulary's identity), which events start and end a run, which say something failed or will
 * be tried again, and how event groups are coloured. One per vocabulary: `jobsView` here,
 * `workflowView` in workflowView.ts.
 */
export interface EventView<E extends ShownEvent> {
  /** What one lane is, in the vocabulary's words ("job instance", "workflow"). */
  readonly noun: string
  /** What lanes are filtered by, in words ("Job type", "Workflow"). */
  readonly kindName: string
  /** The instance an event belongs to: one lane each. */
  instanceOf(event: E): string
  /** Its kind, what the report filters lanes by (jobType, workflowName). */
  kindOf(event: E): string
  /** The lane's title (`jobType jobName`; `workflowName executionId`). */
  titleOf(event: E): string
  /** The fields every event carries, not listed among an event's own. */
  readonly baseFields: ReadonlySet<string>
  /** The identity fields shown on an event's card, as `[name, text]`. */
  identityFields(event: E): ReadonlyArray<readonly [string, string]>
  /** Breaks of the vocabulary's documented order in one instance's events. */
  orderProblems(
    events: ReadonlyArray<E>
  ): ReadonlyArray<{ readonly rule: string; readonly message: string; readonly index: number }>
  /** Event types that start a run of the package's code. */
  readonly runStarts: ReadonlySet<string>
  /** Event types that end one, and how. */
  readonly runEnds: ReadonlyMap<string, RunEnd>
  /** Event types that say something failed or gave up. */
  readonly failureTypes: ReadonlySet<string>
  /** Event types that say something will be, or is being, tried again. */
  readonly retryTypes: ReadonlySet<string>
  /** The failure (not a run's) that ends an instance, counted on its lane, and its badge. */
  readonly instanceFailure: { readonly type: string; readonly badge: string } | undefined
  /** Failures that are not runs, in words (under the lane), with the error after them. */
  problemText(event: E): string | undefined
  /** Group colours (the group is a type's first word), in the terminal (SGR) and in HTML. */
  readonly groupColors: Readonly<Record<string, { readonly terminal: number; readonly html: string }>>
  /** Groups the report's legend leaves out (their events are runs). */
  readonly runGroups: ReadonlySet<string>
}

/** A field of an event that not every type of its vocabulary carries. */
export const fieldOf = (event: ShownEvent, name: string): unknown => (event as unknown as Record<string, unknown>)[name]

const plural = (count: number, one: string) => `${count} ${count === 1 ? one : `${one}s`}`

/** "retries exhausted after N attempts" (both vocabularies' `retry.exhausted` carry `attempts`). */
export const exhaustedText = (event: ShownEvent): string =>
  `retries exhausted after ${plural(fieldOf(event, "attempts") as number, "attempt")}`

/** The 20-type jobs vocabulary: a lane per job instance. */
export const jobsView: EventView<JobEventWire> = {
  noun: "job instance",
  kindName: "Job type",
  instanceOf: (event) => event.instanceId,
  kindOf: (event) => event.jobType,
  titleOf: (event) => `${event.jobType} ${event.jobName}`,
  baseFields: new Set(["eventId", "timestamp", "instanceId", "jobType", "jobName", "type", "env", "serviceKey"]),
  identityFields: (event) => [
    ["instanceId", event.instanceId],
    ["job", `${event.jobType} ${event.jobName}`]
  ],
  // The documented causal order, checked as a collector would (docs/events.md, "Order").
  orderProblems: checkEventSequence,
  runStarts: new Set(["execution.started"]),
  runEnds: new Map<string, RunEnd>([
    ["execution.succeeded", "succeeded"],
    ["execution.failed", "failed"]
  ]),
  failureTypes: new Set(["execution.failed", "job.failed", "retry.exhausted"]),
  retryTypes: new Set(["retry.scheduled", "retry.attempted"]),
  instanceFailure: { type: "job.failed", badge: "✕ job failed" },
  problemText: (event) =>
    event.type === "job.failed"
      ? "job failed"
      : event.type === "retry.exhausted"
        ? `${exhaustedText(event)}${event.reason === undefined ? "" : ` (${event.reason})`}`
        : undefined,
  groupColors: {
    job: { terminal: 36, html: "#0e7490" },
    execution: { terminal: 32, html: "#15803d" },
    retry: { terminal: 33, html: "#b45309" },
    alarm: { terminal: 35, html: "#7e22ce" },
    task: { terminal: 34, html: "#1d4ed8" },
    debounce: { terminal: 94, html: "#a21caf" }
  },
  runGroups: new Set(["execution"])
}
