// The collector's storage in D1: idempotent inserts by eventId, and the two queries.
import type { JobEventWire } from "durable-effect-tracking"

/** The part of Cloudflare's `D1Database` the collector uses (`@cloudflare/workers-types` has it all). */
export interface D1Like {
  prepare(query: string): D1StatementLike
  batch(statements: ReadonlyArray<D1StatementLike>): Promise<ReadonlyArray<D1ResultLike>>
}
export interface D1StatementLike {
  bind(...values: ReadonlyArray<unknown>): D1StatementLike
  all(): Promise<D1ResultLike>
}
export interface D1ResultLike {
  readonly results?: ReadonlyArray<unknown>
  readonly meta: { readonly changes?: number }
}

/** What storing a batch did: events new to the store, and events it already had (or twice in the batch). */
export interface StoreCounts {
  readonly stored: number
  readonly duplicates: number
}

const columns = [
  "event_id",
  "type",
  "timestamp",
  "timestamp_ms",
  "instance_id",
  "job_type",
  "job_name",
  "env",
  "service_key",
  "body"
] as const

// D1 binds at most 100 parameters per statement: 10 rows of 10 columns.
const rowsPerStatement = Math.floor(100 / columns.length)
// Statements per `batch` call (one transaction each).
const statementsPerBatch = 50

const rowOf = (event: JobEventWire): ReadonlyArray<unknown> => [
  event.eventId,
  event.type,
  event.timestamp,
  Date.parse(event.timestamp),
  event.instanceId,
  event.jobType,
  event.jobName,
  event.env,
  event.serviceKey,
  JSON.stringify(event)
]

const insertSql = (rows: number): string =>
  `INSERT INTO events (${columns.join(", ")}) VALUES ${Array.from(
    { length: rows },
    () => `(${columns.map(() => "?").join(", ")})`
  ).join(", ")} ON CONFLICT(event_id) DO NOTHING`

/**
 * Stores events, each once by `eventId`: multi-row `INSERT ... ON CONFLICT(event_id) DO NOTHING`
 * statements, sent in `batch` calls. A statement's `changes` counts the rows it inserted, so an
 * event already stored (or twice in these events) counts as a duplicate. Throws if D1 does: the
 * caller answers 503 (HTTP) or retries the messages (Queue), and a retry stores each event once.
 */
export const storeEvents = async (db: D1Like, events: ReadonlyArray<JobEventWire>): Promise<StoreCounts> => {
  const statements: Array<D1StatementLike> = []
  for (let start = 0; start < events.length; start += rowsPerStatement) {
    const chunk = events.slice(start, start + rowsPerStatement)
    statements.push(db.prepare(insertSql(chunk.length)).bind(...chunk.flatMap(rowOf)))
  }
  let stored = 0
  for (let start = 0; start < statements.length; start += statementsPerBatch) {
    const results = await db.batch(statements.slice(start, start + statementsPerBatch))
    for (const result of results) stored += result.meta.changes ?? 0
  }
  return { stored, duplicates: events.length - stored }
}

const parseBodies = (result: D1ResultLike): Array<JobEventWire> =>
  (result.results ?? []).map((row) => JSON.parse((row as { body: string }).body) as JobEventWire)

/** An instance's events in the order they happened: by timestamp, then eventId (UUIDv7). */
export const instanceEvents = async (db: D1Like, instanceId: string, limit: number): Promise<Array<JobEventWire>> =>
  parseBodies(
    await db
      .prepare("SELECT body FROM events WHERE instance_id = ? ORDER BY timestamp_ms, event_id LIMIT ?")
      .bind(instanceId, limit)
      .all()
  )

/** The event types that record a failure. */
export const failureTypes = ["job.failed", "execution.failed", "retry.exhausted"] as const

/** The most recent failures, newest first. */
export const recentFailures = async (db: D1Like, limit: number): Promise<Array<JobEventWire>> =>
  parseBodies(
    await db
      .prepare(
        `SELECT body FROM events WHERE type IN (${failureTypes.map(() => "?").join(", ")}) ORDER BY timestamp_ms DESC, event_id DESC LIMIT ?`
      )
      .bind(...failureTypes, limit)
      .all()
  )

/** Keeps a Queue message that never decoded (from the dead-letter queue), once by message id. */
export const storeDeadLetter = async (
  db: D1Like,
  letter: { readonly messageId: string; readonly body: unknown; readonly problems: ReadonlyArray<unknown> }
): Promise<void> => {
  await db.batch([
    db
      .prepare(
        "INSERT INTO dead_letters (message_id, received_at, body, problems) VALUES (?, ?, ?, ?) ON CONFLICT(message_id) DO NOTHING"
      )
      .bind(
        letter.messageId,
        new Date().toISOString(),
        JSON.stringify(letter.body) ?? "null",
        JSON.stringify(letter.problems)
      )
  ])
}
