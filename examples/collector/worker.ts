// A collector Worker for durable-effect-tracking, deployable with wrangler (see docs/collector.md):
// - POST /events: the HTTP batch tracker's `{"events":[...]}` batches;
// - queue(batch, env): the Queue tracker's messages, one event each;
// - GET /instances/:id/events and GET /failures?limit=: what it stored, as JSON.
// Both ways in decode with the package's own decoder and store in D1, once per eventId.
import { Either } from "effect"
import { decodeJobEventBatch, type JobEventBatchProblem, type JobEventWire } from "durable-effect-tracking"
import { type D1Like, instanceEvents, recentFailures, storeDeadLetter, storeEvents } from "./store.js"

export interface Env {
  /** The D1 database (binding `DB` in wrangler.jsonc). */
  readonly DB: D1Like
  /** Optional secret (`wrangler secret put EVENTS_TOKEN`): when set, every request needs `Authorization: Bearer <it>`. */
  readonly EVENTS_TOKEN?: string
  /** The dead-letter queue's name (a var in wrangler.jsonc): its messages are kept in `dead_letters`. */
  readonly DEAD_LETTER_QUEUE?: string
}

/** The part of a Queues message the collector uses. */
export interface QueueMessage {
  readonly id: string
  readonly body: unknown
  readonly attempts?: number
  ack(): void
  retry(options?: { readonly delaySeconds?: number }): void
}
export interface QueueBatch {
  readonly queue: string
  readonly messages: ReadonlyArray<QueueMessage>
}

/** How many problems a 400 answer lists (it also says how many there are in all). */
const listedProblems = 50

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

const encoder = new TextEncoder()

/** Compares in constant time for equal lengths: how long it takes says nothing of where they differ. */
const sameSecret = (given: string, expected: string): boolean => {
  const a = encoder.encode(given)
  const b = encoder.encode(expected)
  let difference = a.length ^ b.length
  for (let i = 0; i < b.length; i++) difference |= (a[i] ?? 0) ^ b[i]!
  return difference === 0
}

const authorized = (request: Request, env: Env): boolean =>
  env.EVENTS_TOKEN === undefined ||
  env.EVENTS_TOKEN === "" ||
  sameSecret(request.headers.get("authorization") ?? "", `Bearer ${env.EVENTS_TOKEN}`)

const badBatch = (error: string, problems: ReadonlyArray<JobEventBatchProblem>): Response =>
  json(400, { error, problemCount: problems.length, problems: problems.slice(0, listedProblems) })

const receiveBatch = async (request: Request, env: Env): Promise<Response> => {
  let body: unknown
  try {
    body = JSON.parse(await request.text())
  } catch (error) {
    return badBatch("the body is not JSON", [{ path: "(body)", message: String(error) }])
  }
  const decoded = decodeJobEventBatch(body)
  // 400 is not retried by the tracker: this batch will never be accepted.
  if (Either.isLeft(decoded)) return badBatch("not a valid job event batch", decoded.left.problems)
  try {
    const counts = await storeEvents(env.DB, decoded.right.events)
    return json(200, { received: decoded.right.events.length, ...counts })
  } catch (error) {
    // Temporary: the tracker retries a 503, and keeps the events for its next flush.
    console.error("collector: storing a batch failed", error)
    return json(503, { error: "storage unavailable, try again" })
  }
}

/** `?limit=` as an integer in 1..max, the default when absent; undefined when it is not one. */
const limitOf = (url: URL, fallback: number, max: number): number | undefined => {
  const given = url.searchParams.get("limit")
  if (given === null) return fallback
  const limit = Number(given)
  return Number.isInteger(limit) && limit >= 1 && limit <= max ? limit : undefined
}

const instancePath = /^\/instances\/([^/]+)\/events$/

const route = async (request: Request, env: Env): Promise<Response> => {
  const url = new URL(request.url)
  if (url.pathname === "/events") {
    return request.method === "POST" ? receiveBatch(request, env) : json(405, { error: "POST a batch here" })
  }
  const instance = instancePath.exec(url.pathname)
  if (instance !== null || url.pathname === "/failures") {
    if (request.method !== "GET") return json(405, { error: "GET only" })
    const limit = limitOf(url, instance !== null ? 1000 : 50, 10_000)
    if (limit === undefined) return json(400, { error: "limit must be an integer from 1 to 10000" })
    if (instance !== null) {
      const instanceId = decodeURIComponent(instance[1]!)
      return json(200, { instanceId, events: await instanceEvents(env.DB, instanceId, limit) })
    }
    return json(200, { failures: await recentFailures(env.DB, limit) })
  }
  return json(404, { error: "not found: POST /events, GET /instances/:id/events, GET /failures?limit=" })
}

/** One message's body decoded as an event; its problems' paths are within the body. */
const decodeMessage = (body: unknown): Either.Either<JobEventWire, ReadonlyArray<JobEventBatchProblem>> =>
  Either.match(decodeJobEventBatch({ events: [body] }), {
    onLeft: (error) =>
      Either.left(
        error.problems.map((problem) => ({ ...problem, path: problem.path.replace(/^events\[0\]\.?/, "") || "(body)" }))
      ),
    onRight: (batch) => Either.right(batch.events[0]!)
  })

const receiveDeadLetters = async (batch: QueueBatch, env: Env): Promise<void> => {
  for (const message of batch.messages) {
    const problems = Either.match(decodeMessage(message.body), { onLeft: (p) => p, onRight: () => [] })
    await storeDeadLetter(env.DB, { messageId: message.id, body: message.body, problems })
    message.ack()
  }
}

/**
 * The Queue consumer. Good messages are stored in one go and acked; if storing fails, they are
 * retried (Queues delivers them again; storing is idempotent). A message that does not decode is
 * retried too, so a bad deploy of a producer loses nothing: after `max_retries` Queues moves it to
 * the dead-letter queue, whose messages this same Worker keeps in the `dead_letters` table.
 */
const receiveMessages = async (batch: QueueBatch, env: Env): Promise<void> => {
  if (batch.queue === (env.DEAD_LETTER_QUEUE ?? "job-events-dlq")) return receiveDeadLetters(batch, env)
  const good: Array<{ readonly message: QueueMessage; readonly event: JobEventWire }> = []
  for (const message of batch.messages) {
    const decoded = decodeMessage(message.body)
    if (Either.isRight(decoded)) good.push({ message, event: decoded.right })
    else {
      console.warn(`collector: message ${message.id} is not a job event`, JSON.stringify(decoded.left.slice(0, 5)))
      message.retry()
    }
  }
  if (good.length === 0) return
  try {
    await storeEvents(
      env.DB,
      good.map(({ event }) => event)
    )
  } catch (error) {
    console.error("collector: storing queue messages failed", error)
    for (const { message } of good) message.retry()
    return
  }
  for (const { message } of good) message.ack()
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (!authorized(request, env)) {
      // 401 is not retried by the tracker: a wrong token drops the batch (counted in its stats).
      return json(401, { error: "missing or wrong bearer token" })
    }
    return route(request, env)
  },
  async queue(batch: QueueBatch, env: Env): Promise<void> {
    await receiveMessages(batch, env)
  }
}
