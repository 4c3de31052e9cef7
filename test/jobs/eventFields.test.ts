import { readFileSync } from "node:fs"
import { SchemaAST } from "effect"
import { describe, expect, it } from "vitest"
import { BaseEventFields, ErrorSummary, JobEventGroups, JobEventTypes, type JobEvent } from "../../src/tracker/JobEvent.js"
import { trackedJobs } from "./harness.js"
import { broken, clicks, flaky, heartbeat, mailer, orders, requests, selfTerminating } from "./scenarios.js"

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
    const schema = schemaFields()
    for (const type of JobEventTypes) {
      const ofType = events.filter((event) => event.type === type) as ReadonlyArray<Record<string, unknown>>
      expect(ofType.length, `${type} is emitted`).toBeGreaterThan(0)
      for (const field of schema.get(type) ?? []) {
        const present = ofType.filter((event) => event[field.name] !== undefined).length
        if (field.optional) expect(present, `${type}.${field.name} appears at least once`).toBeGreaterThan(0)
        else expect(present, `${type}.${field.name} appears in every event`).toBe(ofType.length)
      }
    }
    // The error summary's own fields, across every event that carries one.
    const errors = events.flatMap((event) => ("error" in event && event.error !== undefined ? [event.error as Record<string, unknown>] : []))
    for (const field of ownFields(ErrorSummary.ast)) {
      const present = errors.filter((error) => error[field.name] !== undefined).length
      if (field.optional) expect(present, `error.${field.name} appears at least once`).toBeGreaterThan(0)
      else expect(present, `error.${field.name} appears in every error`).toBe(errors.length)
    }
  })
})
