import { describe, expect, it } from "vitest"
import {
  defineVocabulary,
  jobEvents,
  JobEventTypes,
  makeJobEvent,
  UpstreamJobEventTypes,
  upstreamJobEvents,
  type JobEvent
} from "durable-effect-tracking"

// `jobEvents` is written out by hand (a jobs Worker then does not bundle `defineVocabulary`);
// this is the vocabulary `defineVocabulary` gives for the same options, which it must equal.
const defined = defineVocabulary<JobEvent, "instanceId" | "jobType" | "jobName">({
  name: "jobs",
  types: JobEventTypes,
  context: ["instanceId", "jobType", "jobName"],
  attributePrefix: "job",
  attributeNames: { instanceId: "job.instanceId", jobType: "job.type", jobName: "job.name" },
  severities: { "job.failed": "error", "retry.exhausted": "error", "execution.failed": "warn" },
  largestEvent: jobEvents.largestEvent,
  build: jobEvents.build,
  // Not upstream core's format: `source: "job"` on any type, but on a job.terminated without a runCount.
  check: (event) => {
    const { source, runCount } = event as { source?: unknown; runCount?: unknown }
    return source !== "job" || (event.type === "job.terminated" && runCount === undefined)
  }
})

const job = { instanceId: "do-1", jobType: "debounce", jobName: "digest" } as const

describe("jobEvents", () => {
  it("holds the same data as defineVocabulary with its options", () => {
    expect(jobEvents.name).toBe(defined.name)
    expect(jobEvents.types).toEqual(defined.types)
    expect(jobEvents.types).not.toBe(JobEventTypes)
    expect(jobEvents.context).toEqual(defined.context)
    expect(jobEvents.optionalContext).toEqual(defined.optionalContext)
    expect(jobEvents.constants).toEqual(defined.constants)
    expect(jobEvents.schema).toBe(defined.schema)
    expect(jobEvents.largestEvent).toBeDefined()
  })

  it("names attributes, knows types and grades severities as defineVocabulary would", () => {
    for (const key of ["instanceId", "jobType", "jobName", "run_count", "eventCount", "", "toString", "__proto__"]) {
      expect(jobEvents.attributeName(key)).toBe(defined.attributeName(key))
    }
    expect(jobEvents.attributeName("jobType")).toBe("job.type")
    for (const type of [...JobEventTypes, "payment.charged", "", "toString", "constructor"]) {
      expect(jobEvents.hasType(type)).toBe(defined.hasType(type))
      expect(jobEvents.severity(type)).toBe(defined.severity(type))
    }
    expect(jobEvents.severity("job.failed")).toBe("error")
    expect(jobEvents.severity("execution.failed")).toBe("warn")
  })

  it("accepts exactly what defineVocabulary's check accepts", () => {
    const event = makeJobEvent({ ...job, type: "job.created" })
    const candidates: ReadonlyArray<unknown> = [
      event,
      ...JobEventTypes.map((type) => ({ ...job, type })),
      { ...event, instanceId: undefined },
      { ...event, jobType: undefined },
      { ...job, type: "payment.charged" },
      { ...event, type: "job.started", source: "job" },
      { ...event, type: "job.terminated", source: "job" },
      { ...event, type: "job.terminated", source: "job", runCount: 2 },
      { ...event, type: "job.terminated", source: "client", runCount: 2 },
      { ...job, type: 7 },
      { ...job },
      { ...event, jobName: null },
      Object.assign(Object.create({ jobName: "inherited" }), { instanceId: "i", jobType: "t", type: "job.created" }),
      null,
      undefined,
      "job.created",
      [event]
    ]
    for (const candidate of candidates) expect(jobEvents.accepts(candidate)).toBe(defined.accepts(candidate))
    expect(jobEvents.accepts(event)).toBe(true)
    expect(jobEvents.accepts({ ...event, jobType: undefined })).toBe(false)
  })

  it("refuses upstream core's events of the types the two formats share, and takes every one of its own", () => {
    const at = Date.UTC(2026, 0, 1)
    const fields: Readonly<Record<string, Record<string, unknown>>> = {
      "job.failed": { error: { message: "boom" }, runCount: 1, attempt: 1, willRetry: false },
      "job.terminated": { runCount: 3 }
    }
    const shared = UpstreamJobEventTypes.filter((type) => jobEvents.hasType(type))
    expect(shared).toEqual(["job.started", "job.failed", "job.terminated"])
    for (const type of shared) {
      for (const id of [undefined, "user-1"]) {
        const upstream = upstreamJobEvents.build({
          type,
          fields: fields[type] ?? {},
          context: { ...job, ...(id && { id }) },
          timestampMs: at
        })
        expect(upstreamJobEvents.accepts(upstream)).toBe(true)
        expect(jobEvents.accepts(upstream), type).toBe(false)
      }
    }
    // Of the 20 types only job.terminated has a source, "job" among them, and it never has a runCount.
    for (const type of JobEventTypes) {
      expect(jobEvents.accepts(jobEvents.build({ type, fields: {}, context: job, timestampMs: at })), type).toBe(true)
    }
    for (const source of ["client", "job", "retryExhausted"] as const) {
      expect(jobEvents.accepts(makeJobEvent({ ...job, type: "job.terminated", source, reason: "done" }))).toBe(true)
    }
  })
})
