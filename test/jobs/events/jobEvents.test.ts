import { describe, expect, it } from "vitest"
import { defineVocabulary, jobEvents, JobEventTypes, makeJobEvent, type JobEvent } from "durable-effect-tracking"

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
  build: jobEvents.build
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
})
