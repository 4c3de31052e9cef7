import { Effect, Layer, Logger } from "effect"
import { describe, expect, it } from "vitest"
import {
  EventTracker,
  emitEvent,
  getPendingEvents,
  HttpBatchTracker,
  InvalidTrackerConfigError,
  makeJobEvent,
  isNoopTracker,
  NoopTracker,
  resolveTrackerLayer,
  summarizeError,
  type TrackerOption,
  vocabularyGate
} from "durable-effect-tracking"
import { largestJobEvent } from "../../../src/jobs/events/largestJobEvent.js"
import { genericLargestEvent } from "../../../src/delivery/LargestEvent.js"
import {
  type HttpBatchTrackerConfig,
  HttpBatchTrackerDefaults,
  type HttpFetch,
  resolveHttpBatchTrackerConfig
} from "../../../src/sinks/http/HttpBatchTrackerConfig.js"
import { jobEvents } from "../../support/tracking.js"
import { auditEvents, paymentEvents, testJobEvents } from "../../support/vocabularies.js"

const valid: HttpBatchTrackerConfig = {
  endpoint: "https://events.example.com/ingest",
  env: "production",
  serviceKey: "jobs"
}

// A batch of one event as sent, measured here apart from the code that checks it.
const batchBytesOf = (event: object): number =>
  Buffer.byteLength(JSON.stringify({ events: [{ ...event, env: valid.env, serviceKey: valid.serviceKey }] }))
// A batch of the largest job event: the minimum of a tracker told the jobs vocabulary.
const minimumBatchBytes = batchBytesOf(largestJobEvent)
const jobs = { ...valid, vocabularies: vocabularyGate(testJobEvents) }

const issuesOf = (config: unknown): ReadonlyArray<string> => {
  try {
    resolveHttpBatchTrackerConfig(config as HttpBatchTrackerConfig)
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTrackerConfigError)
    return (error as InvalidTrackerConfigError).issues
  }
  return []
}

describe("HTTP tracker configuration", () => {
  it("fills in the documented defaults", () => {
    expect(resolveHttpBatchTrackerConfig(valid)).toEqual({
      ...valid,
      batchSize: 100,
      maxBufferSize: 10_000,
      maxBatchBytes: 1_048_576,
      maxEventBytes: 65_536,
      headers: {},
      timeoutMs: 3_000,
      flushTimeoutMs: 5_000,
      lingerMs: 0,
      retry: { maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 5_000 },
      fetch: undefined,
      logEndpointPath: false,
      vocabularies: undefined
    })
    expect(HttpBatchTrackerDefaults.retry.maxAttempts).toBe(3)
  })

  it("accepts http and https endpoints, and partial retry settings", () => {
    expect(issuesOf({ ...valid, endpoint: "http://127.0.0.1:8787/e" })).toEqual([])
    expect(resolveHttpBatchTrackerConfig({ ...valid, retry: { maxAttempts: 1 } }).retry).toEqual({
      maxAttempts: 1,
      initialDelayMs: 500,
      maxDelayMs: 5_000
    })
  })

  it.each([
    [{ endpoint: "/relative" }, "endpoint must be an absolute http(s) URL"],
    [{ endpoint: "ftp://example.com/x" }, "endpoint must be an absolute http(s) URL"],
    [{ endpoint: 42 }, "endpoint must be an absolute http(s) URL"],
    [{ endpoint: "https://user:pw@example.com/x" }, "endpoint must not contain credentials: put them in headers"],
    [{ env: "" }, "env must be a non-empty string"],
    [{ serviceKey: "  " }, "serviceKey must be a non-empty string"],
    [{ batchSize: 0 }, "batchSize must be a positive integer"],
    [{ maxBufferSize: 1.5 }, "maxBufferSize must be a positive integer"],
    [{ maxBatchBytes: -1 }, "maxBatchBytes must be a positive integer"],
    [{ timeoutMs: Number.NaN }, "timeoutMs must be a positive integer"],
    [{ flushTimeoutMs: "10" }, "flushTimeoutMs must be a positive integer"],
    [{ retry: { maxAttempts: 0 } }, "retry.maxAttempts must be a positive integer"],
    [{ retry: { initialDelayMs: -5 } }, "retry.initialDelayMs must be a non-negative number"],
    [{ retry: { maxDelayMs: Infinity } }, "retry.maxDelayMs must be a non-negative number"],
    [{ retry: 3 }, "retry must be an object"],
    [{ headers: { authorization: 1 } }, 'header "authorization" must have a string value'],
    [{ fetch: "fetch" }, "fetch must be a function"],
    [{ logEndpointPath: "yes" }, "logEndpointPath must be a boolean"]
  ])("rejects %j", (override, issue) => {
    expect(issuesOf({ ...valid, ...override })).toEqual([issue])
  })

  it("lists every issue at once, in a message naming fields but never values", () => {
    const secret = "s3cr3t"
    const make = () =>
      HttpBatchTracker.make({
        endpoint: `not a url ${secret}`,
        env: "",
        serviceKey: "s",
        batchSize: 0,
        headers: { authorization: 7 as unknown as string, "x-key": secret }
      })
    expect(make).toThrow(InvalidTrackerConfigError)
    try {
      make()
    } catch (error) {
      const e = error as InvalidTrackerConfigError
      expect(e._tag).toBe("InvalidTrackerConfigError")
      expect(e.issues).toHaveLength(4)
      expect(e.message).toMatch(/^Invalid HTTP tracker configuration: endpoint must be/)
      expect(JSON.stringify({ message: e.message, issues: e.issues, string: String(e) })).not.toContain(secret)
    }
  })

  it("HttpBatchTracker.layerPerBuild checks the configuration when it is created, not when built", () => {
    expect(() => HttpBatchTracker.layerPerBuild({ ...valid, env: "" })).toThrow(InvalidTrackerConfigError)
  })
})

describe("resolveTrackerLayer", () => {
  const trackerOf = (layer: Layer.Layer<EventTracker>) => Effect.runSync(Effect.provide(EventTracker, layer))

  it("gives the no-op tracker for no option", () => {
    expect(resolveTrackerLayer()).toBe(NoopTracker.layer)
    expect(isNoopTracker(trackerOf(resolveTrackerLayer(undefined)))).toBe(true)
  })

  it("uses a layer as given", () => {
    const layer = Layer.succeed(EventTracker, HttpBatchTracker.make(valid))
    expect(resolveTrackerLayer(layer)).toBe(layer)
  })

  it("makes one HTTP tracker for a configuration, shared by every build of the layer", () => {
    const layer = resolveTrackerLayer(valid)
    const tracker = trackerOf(layer)
    expect(isNoopTracker(tracker)).toBe(false)
    expect(typeof (tracker as { stats?: unknown }).stats).toBe("function")
    expect(trackerOf(layer)).toBe(tracker)
    const [event] = jobEvents(1)
    Effect.runSync(emitEvent(event).pipe(Effect.provide(layer)))
    expect(Effect.runSync(getPendingEvents.pipe(Effect.provide(layer)))).toBe(1)
    // A second resolution is a second tracker.
    expect(trackerOf(resolveTrackerLayer(valid))).not.toBe(tracker)
  })

  it("turns tracking off for an invalid configuration, saying why once, never failing the jobs", async () => {
    const secret = "https://user:hunter2@collector.example/ingest"
    for (const option of [
      { ...valid, endpoint: "nope" },
      { ...valid, endpoint: secret },
      "https://example.com" as unknown as TrackerOption,
      null as unknown as TrackerOption
    ]) {
      const layer = resolveTrackerLayer(option)
      const logs: Array<string> = []
      const logger = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ message }) => void logs.push(String(message)))
      )
      // Two builds, as two calls of a jobs runtime: the tracker is the no-op one both times.
      for (let call = 0; call < 2; call++) {
        const tracker = await Effect.runPromise(EventTracker.pipe(Effect.provide(layer), Effect.provide(logger)))
        expect(isNoopTracker(tracker)).toBe(true)
      }
      expect(logs).toHaveLength(1)
      expect(logs[0]).toMatch(/tracking is off/)
      expect(logs[0]).not.toContain("hunter2")
    }
  })
})

describe("the fetch option", () => {
  it("accepts the platform fetch as the fetch option (type-checked)", () => {
    const platformFetch: HttpFetch = globalThis.fetch
    expect(() => HttpBatchTracker.make({ ...valid, fetch: platformFetch })).not.toThrow()
  })
})

describe("configurations that could never deliver", () => {
  // What fetch itself does with these headers: every request would fail, as "network".
  const fetchRefuses = (name: string, value: string): boolean => {
    try {
      new Headers({ [name]: value })
      return false
    } catch {
      return true
    }
  }

  it("refuses headers fetch would reject, naming the header and never showing its value", () => {
    const cases = [
      {
        name: "authorization",
        value: "Bearer hunter2\r\nx-injected: 1",
        rule: /"authorization" has a value fetch would refuse/
      },
      { name: "x-token", value: "hunter2\nmore", rule: /"x-token" has a value fetch would refuse/ },
      { name: "x-api key", value: "hunter2", rule: /"x-api key" is not a valid header name/ },
      { name: "x-bad\r\nname", value: "hunter2", rule: /is not a valid header name/ }
    ]
    for (const { name, value, rule } of cases) {
      expect(fetchRefuses(name, value), name).toBe(true)
      const issues = issuesOf({ ...valid, headers: { [name]: value } })
      expect(issues.join("; "), name).toMatch(rule)
      expect(issues.join("; ")).not.toContain("hunter2")
    }
    // Beyond ASCII: fetch implementations differ (Node's takes Latin-1, beyond it none does).
    expect(fetchRefuses("x-user", "Zoë €")).toBe(true)
    expect(issuesOf({ ...valid, headers: { "x-user": "Zoë €" } }).join()).toMatch(
      /"x-user" has a value fetch would refuse/
    )
    expect(issuesOf({ ...valid, headers: { "x-user": "Zoë" } }).join()).toMatch(
      /"x-user" has a value fetch would refuse/
    )
    // Tabs and spaces inside a value are fine.
    expect(issuesOf({ ...valid, headers: { authorization: "Bearer a\tb", "x-request-source": "jobs v1" } })).toEqual([])
  })

  it("refuses byte limits below the largest job event when told the jobs vocabulary, naming the field and the minimum (issue 30)", () => {
    // 196 bytes used to be accepted, and dropped every realistic event as tooLarge.
    for (const maxBatchBytes of [10, 196, 4_096]) {
      expect(issuesOf({ ...jobs, maxBatchBytes })).toEqual([
        `maxBatchBytes must be at least ${minimumBatchBytes} (a batch of the largest event of vocabulary jobs)`
      ])
    }
    expect(issuesOf({ ...jobs, maxEventBytes: 200 })).toEqual([
      `maxEventBytes must be at least ${minimumBatchBytes - 13} (the largest event of vocabulary jobs)`
    ])
    expect(issuesOf({ ...jobs, maxBatchBytes: 16_384, maxEventBytes: 32_768 })).toEqual([
      expect.stringMatching(/^maxEventBytes must be at most 16371 \(maxBatchBytes less the batch envelope\)/)
    ])
    // Without maxEventBytes, a small maxBatchBytes sets it: what fits in one batch.
    expect(resolveHttpBatchTrackerConfig({ ...jobs, maxBatchBytes: 16_384 }).maxEventBytes).toBe(16_371)
    // The jobs' minimum is about 6.8 KB: a failure's summary at its caps, and the job fields.
    expect(minimumBatchBytes).toBeGreaterThan(6_800)
    expect(minimumBatchBytes).toBeLessThan(6_900)
  })

  it("told no vocabularies, refuses byte limits below the generic floor: an error summary at its caps", () => {
    const floor = batchBytesOf(genericLargestEvent)
    expect(issuesOf({ ...valid, maxBatchBytes: floor - 1 })).toEqual([
      `maxBatchBytes must be at least ${floor} (a batch of the generic floor: an event with an error summary at its caps)`
    ])
    expect(issuesOf({ ...valid, maxEventBytes: floor - 14 })).toEqual([
      `maxEventBytes must be at least ${floor - 13} (the generic floor: an event with an error summary at its caps)`
    ])
    expect(issuesOf({ ...valid, maxBatchBytes: floor })).toEqual([])
    // The floor counts no job field: below the jobs' own minimum, which a jobs tracker told its
    // vocabulary is held to.
    expect(floor).toBeLessThan(minimumBatchBytes)
    expect(issuesOf({ ...jobs, maxBatchBytes: floor })).toHaveLength(1)
    // Its error summary is the instrumentation's largest: a huge failure summarised is no larger.
    const huge = new Error("m".repeat(100_000), { cause: new Error("c".repeat(100_000)) })
    huge.stack = "s".repeat(100_000)
    const summary = summarizeError(Object.assign(huge, { name: "n".repeat(64) }), { stack: true })
    expect(JSON.stringify(summary).length).toBeLessThanOrEqual(JSON.stringify(genericLargestEvent.error).length)
  })

  it("told several vocabularies, the largest of their largest events sets the minimum, and says whose", () => {
    const payments = batchBytesOf(paymentEvents.largestEvent!)
    expect(payments).toBeLessThan(1_000)
    expect(issuesOf({ ...valid, vocabularies: vocabularyGate(paymentEvents), maxBatchBytes: payments - 1 })).toEqual([
      `maxBatchBytes must be at least ${payments} (a batch of the largest event of vocabulary payments)`
    ])
    // A payments-only tracker may have limits far below what a job failure needs.
    expect(issuesOf({ ...valid, vocabularies: vocabularyGate(paymentEvents), maxBatchBytes: payments })).toEqual([])
    expect(
      issuesOf({ ...valid, vocabularies: vocabularyGate(paymentEvents, testJobEvents), maxBatchBytes: payments })
    ).toEqual([`maxBatchBytes must be at least ${minimumBatchBytes} (a batch of the largest event of vocabulary jobs)`])
    // A vocabulary that gives no largest event counts as the generic floor.
    expect(
      issuesOf({ ...valid, vocabularies: vocabularyGate(paymentEvents, auditEvents), maxBatchBytes: payments })
    ).toEqual([
      `maxBatchBytes must be at least ${batchBytesOf(genericLargestEvent)} (a batch of the generic floor: an event with an error summary at its caps (vocabulary audit gives no largestEvent))`
    ])
  })

  it("refuses vocabularies not made by vocabularyGate, and a gate of things that are not vocabularies", () => {
    // A list of vocabularies (the option's form before vocabularyGate) is refused, not taken.
    const lookAlike = { _tag: "VocabularyGate", vocabularies: [testJobEvents] }
    for (const vocabularies of [[testJobEvents], [], "jobs", null, { vocabularies: [testJobEvents] }, lookAlike]) {
      expect(issuesOf({ ...valid, vocabularies })).toEqual(["vocabularies must be made by vocabularyGate(...)"])
    }
    // Untyped, as a caller without types would call it.
    const gateOf = vocabularyGate as (...vocabularies: Array<unknown>) => unknown
    for (const given of [[], [{ name: "x" }], [testJobEvents, null]]) {
      // Made without throwing: the tracker reports its problem with its own, in one error.
      expect(issuesOf({ ...valid, vocabularies: gateOf(...given), batchSize: 0 })).toEqual([
        "batchSize must be a positive integer",
        "vocabularyGate(...) takes one or more vocabularies (defineVocabulary)"
      ])
    }
  })

  it("the smallest allowed limits deliver the largest failure the instrumentation summarises, uncut", async () => {
    const bodies: Array<string> = []
    const tracker = HttpBatchTracker.make({
      ...jobs,
      maxBatchBytes: minimumBatchBytes,
      fetch: async (_url, init) => {
        bodies.push(init.body)
        return { status: 200, headers: { get: () => null } }
      }
    })
    const failed = (text: string) => {
      const error = new Error(text.repeat(50_000), { cause: new Error(text.repeat(50_000)) })
      error.stack = text.repeat(50_000)
      return makeJobEvent({
        type: "execution.failed",
        instanceId: "f".repeat(64),
        jobType: "workerPool",
        jobName: "j".repeat(64),
        durationMs: 12.5,
        failure: "failure",
        error: summarizeError(error, { stack: true })
      })
    }
    // ASCII text at the caps goes as it is; text of multi-byte characters is cut to fit, not dropped.
    await Effect.runPromise(
      Effect.zipRight(Effect.zipRight(tracker.emit(failed("m")), tracker.emit(failed("€"))), tracker.flush())
    )
    expect(await Effect.runPromise(tracker.stats())).toMatchObject({ sent: 2, truncated: 1, dropped: { tooLarge: 0 } })
    for (const body of bodies) expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(minimumBatchBytes)
  })
})
