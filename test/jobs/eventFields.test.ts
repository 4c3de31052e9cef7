import { readFileSync } from "node:fs"
import { Effect, Schema, SchemaAST } from "effect"
import { describe, expect, it } from "vitest"
import { ErrorSummary } from "../../src/event/ErrorSummary.js"
import { BaseEventFields, JobEventGroups, JobEventTypes, type JobEvent } from "../../src/jobs/events/JobEvent.js"
import { Continuous } from "../fixtures/jobs-inline/src/definitions/index.js"
import { trackedJobs } from "../support/jobsHarness.js"
import { everyInlinePath, trackedInlineJobs } from "./inlineHarness.js"
import { inline } from "./inlineScenarios.js"
import {
  broken,
  clicks,
  flaky,
  heartbeat,
  mailer,
  orders,
  requests,
  selfTerminating,
  UpstreamError
} from "../support/jobScenarios.js"

// Every field docs/events.md lists, against the schema and against what the golden scenarios
// emit: a required field is in every event of its type, an optional one in at least one (the
// doc says when it is absent).

type FieldList = ReadonlyArray<{ readonly name: string; readonly optional: boolean }>

const docFields = (): Map<string, FieldList> => {
  const doc = readFileSync(new URL("../../docs/events.md", import.meta.url), "utf8")
  const rows = new Map<string, FieldList>()
  for (const line of doc.split("\n")) {
    const match = /^\| `([a-z.]+)` \|([^|]*)\|/.exec(line)
    if (match === null || !JobEventTypes.includes(match[1] as JobEvent["type"])) continue
    const fields = match[2]!
      .split(",")
      .map((cell) => cell.trim().replaceAll("`", ""))
      .filter((cell) => cell !== "")
      .map((cell) => ({ name: cell.replace(/\?$/, ""), optional: cell.endsWith("?") }))
    rows.set(match[1]!, fields)
  }
  return rows
}

const ownFields = (ast: SchemaAST.AST): FieldList =>
  SchemaAST.isTypeLiteral(ast)
    ? ast.propertySignatures
        .filter((property) => property.name !== "type" && !(String(property.name) in BaseEventFields))
        .map((property) => ({ name: String(property.name), optional: property.isOptional }))
    : []

const schemaFields = (): Map<string, FieldList> =>
  new Map(
    Object.values(JobEventGroups)
      .flat()
      .map((schema) => [schema.fields.type.literals[0], ownFields(schema.ast)] as const)
  )

/** The golden scenarios, one tracked runtime each; stacks asked for in one of them. */
const goldenEvents = async (): Promise<ReadonlyArray<JobEvent>> => {
  const all: Array<JobEvent> = []
  const collect = async (t: ReturnType<typeof trackedJobs>) => all.push(...(await t.events()))

  const continuous = trackedJobs({ heartbeat })
  await continuous.runtime.handle(requests.start("heartbeat"))
  await continuous.fireAlarm()
  await continuous.runtime.handle(requests.terminate("heartbeat", "maintenance"))
  await collect(continuous)

  const retrying = trackedJobs({ flaky: flaky() })
  await retrying.runtime.handle(requests.start("flaky"))
  await retrying.fireAlarm()
  await retrying.fireAlarm()
  await collect(retrying)

  const failing = trackedJobs({ broken: broken() }, { errorStack: true })
  await failing.runtime.handle(requests.start("broken")).catch(() => undefined)
  await collect(failing)

  const ending = trackedJobs({ once: selfTerminating })
  await ending.runtime.handle(requests.start("once"))
  await collect(ending)

  const full = trackedJobs({ clicks: clicks(2) })
  await full.runtime.handle(requests.add("/a"))
  await full.runtime.handle(requests.add("/b"))
  await full.runtime.handle(requests.add("/c"))
  await full.runtime.handle(requests.clear())
  await collect(full)

  const timed = trackedJobs({ clicks: clicks() })
  await timed.runtime.handle(requests.add("/a"))
  await timed.runtime.handle(requests.add("/b"))
  await timed.fireAlarm()
  await collect(timed)

  const task = trackedJobs({ orders })
  await task.runtime.handle(requests.send("now"))
  await task.runtime.handle(requests.send("later"))
  await task.fireAlarm()
  await collect(task)

  const pool = trackedJobs({ mailer })
  await pool.runtime.handle(requests.enqueue("e1"))
  await pool.fireAlarm()
  await collect(pool)
  return all
}

/** The older layout's golden scenarios: every path, and a failure without a retry config with stacks asked for. */
const inlineGoldenEvents = (): Promise<ReadonlyArray<JobEvent>> =>
  everyInlinePath(async (collect) => {
    const broken = Continuous.make({
      stateSchema: Schema.Struct({ n: Schema.Number }),
      schedule: Continuous.every("1 minute"),
      execute: () => Effect.fail(new UpstreamError({ message: "upstream down", cause: new TypeError("fetch failed") }))
    })
    const failing = trackedInlineJobs({ broken }, { errorStack: true })
    await failing.runtime.handle(inline.start("broken")).catch(() => undefined)
    await collect(failing)
  })

/**
 * What the older layout never tells, as docs/events.md says ("The older layout"): `task.idle`,
 * and a run's `runCount` (its handler keeps it to itself). Exactly these, no more.
 */
const inlineNever = {
  types: ["task.idle"],
  fields: ["execution.started.runCount", "execution.succeeded.runCount", "execution.failed.runCount"]
}

/** Per event type and field: how many events of the type there are, and how many carry the field. */
const fieldCounts = (events: ReadonlyArray<JobEvent>) => {
  const schema = schemaFields()
  const counts: Array<{
    readonly type: string
    readonly field: string
    readonly optional: boolean
    readonly present: number
    readonly of: number
  }> = []
  for (const type of JobEventTypes) {
    const ofType = events.filter((event) => event.type === type) as ReadonlyArray<Record<string, unknown>>
    for (const field of schema.get(type) ?? []) {
      counts.push({
        type,
        field: field.name,
        optional: field.optional,
        present: ofType.filter((event) => event[field.name] !== undefined).length,
        of: ofType.length
      })
    }
  }
  const errors = events.flatMap((event) =>
    "error" in event && event.error !== undefined ? [event.error as Record<string, unknown>] : []
  )
  for (const field of ownFields(ErrorSummary.ast)) {
    counts.push({
      type: "error",
      field: field.name,
      optional: field.optional,
      present: errors.filter((error) => error[field.name] !== undefined).length,
      of: errors.length
    })
  }
  return counts
}

describe("event fields: docs/events.md, the schema and the events agree", () => {
  it("the doc lists exactly the schema's fields, with the same optionality", () => {
    const documented = docFields()
    expect([...documented.keys()].sort()).toEqual([...JobEventTypes].sort())
    for (const [type, fields] of schemaFields()) {
      expect(documented.get(type), type).toEqual(fields)
    }
  })

  it("every documented field is filled in the golden scenarios: required ones always, optional ones at least once", async () => {
    const events = await goldenEvents()
    for (const type of JobEventTypes)
      expect(
        events.some((event) => event.type === type),
        `${type} is emitted`
      ).toBe(true)
    for (const { type, field, optional, present, of } of fieldCounts(events)) {
      if (optional) expect(present, `${type}.${field} appears at least once`).toBeGreaterThan(0)
      else expect(present, `${type}.${field} appears in every event`).toBe(of)
    }
  })

  it("the older layout (inline map): the same, but for what the doc says it never tells", async () => {
    const events = await inlineGoldenEvents()
    const missingTypes = JobEventTypes.filter((type) => !events.some((event) => event.type === type))
    expect(missingTypes).toEqual(inlineNever.types)
    const neverFilled: Array<string> = []
    for (const { type, field, optional, present, of } of fieldCounts(events)) {
      if (of === 0) continue
      if (optional && present === 0) neverFilled.push(`${type}.${field}`)
      else if (!optional) expect(present, `${type}.${field} appears in every event`).toBe(of)
    }
    expect(neverFilled).toEqual(inlineNever.fields)
  })
})
