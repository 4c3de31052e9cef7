import { readFileSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { PaymentEvent } from "../../examples/own-events/payments.js"
import { startNode, type ChildRun } from "../support/childProcess.js"
import { snippetsOf } from "../support/snippets.js"

// `npx tsx examples/own-events.ts`, as a reader of docs/own-events.md runs it: a service of its
// own tracked with a vocabulary of its own, printing each event it emitted as one JSON line.

const repoRoot = fileURLToPath(new URL("../..", import.meta.url))
const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

let run: ChildRun | undefined
let result: Awaited<ChildRun["exited"]>

beforeAll(async () => {
  // tsx by path; the repository as the working directory, whose tsconfig maps the package's name.
  const tsx = pathToFileURL(`${repoRoot}node_modules/tsx/dist/loader.mjs`).href
  run = startNode(["--import", tsx, `${repoRoot}examples/own-events.ts`], { cwd: repoRoot })
  result = await run.exited
})
afterAll(() => {
  // Only if a failure above left it running.
  if (run !== undefined && run.child.exitCode === null && run.child.signalCode === null) run.child.kill()
})

const events = (): Array<Record<string, unknown>> =>
  result.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

describe("examples/own-events.ts", () => {
  it("exits 0 and prints only JSON lines on stdout", () => {
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.endsWith("\n")).toBe(true)
    expect(events().length).toBeGreaterThan(0)
  })

  it("prints the payments events of its calls, in order, with their fields and context", () => {
    expect(events()).toEqual(
      [
        { type: "payment.requested", accountId: "acct-1", merchantId: "m-42", amountCents: 1250 },
        {
          type: "payment.charged",
          accountId: "acct-1",
          merchantId: "m-42",
          amountCents: 1250,
          paymentId: "pay-acct-1-1"
        },
        { type: "payment.requested", accountId: "acct-2", merchantId: "m-42", amountCents: 250000 },
        {
          type: "payment.declined",
          accountId: "acct-2",
          merchantId: "m-42",
          amountCents: 250000,
          reason: "over the card's limit"
        },
        {
          type: "payment.refunded",
          accountId: "acct-1",
          merchantId: "m-42",
          amountCents: 250,
          paymentId: "pay-acct-1-1"
        }
      ].map((fields) => ({ ...fields, eventId: expect.stringMatching(uuidV7), timestamp: expect.any(String) }))
    )
  })

  it("gives each event a UUIDv7 in time order and an ISO timestamp", () => {
    const printed = events()
    for (const event of printed) {
      const timestamp = event["timestamp"] as string
      expect(new Date(timestamp).toISOString()).toBe(timestamp)
    }
    const ids = printed.map((event) => event["eventId"] as string)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual(ids)
  })

  it("carries no job field in any event", () => {
    for (const event of events()) {
      for (const field of ["instanceId", "jobType", "jobName"]) expect(event).not.toHaveProperty(field)
    }
  })

  it("prints events that decode with the example's own Schema", () => {
    const decode = Schema.decodeUnknownEither(PaymentEvent)
    for (const event of events()) expect(decode(event)).toMatchObject({ _tag: "Right", right: event })
  })
})

describe("docs/own-events.md", () => {
  it("shows the example's two files as they are", () => {
    const shown = new Map(snippetsOf(repoRoot, "docs/own-events.md").map((snippet) => [snippet.file, snippet.code]))
    for (const file of ["own-events.ts", "own-events/payments.ts"]) {
      expect(shown.get(file), file).toBe(readFileSync(`${repoRoot}examples/${file}`, "utf8"))
    }
  })
})
