import { JSONSchema } from "effect"
import { JobEventBatch } from "./JobEvent.js"

/**
 * The JSON Schema (draft-07) of a batch as the HTTP tracker sends it, `{"events":[...]}`, made
 * from the `effect/Schema` definitions, for collectors not written in TypeScript. Each event
 * is also the schema of one Queue message body (`definitions` of an event are under `events`).
 * `npm run build` writes it to `dist/schema.json` (the package's `./schema.json` export).
 *
 * What it cannot say: that `timestamp` parses as a date (`Date.parse`, an effect filter), so
 * it is only a string here.
 */
export const wireJsonSchema = (): object => ({
  $id: "https://www.npmjs.com/package/durable-effect-tracking/schema.json",
  title: "JobEventBatch",
  description: "A batch of durable-effect-tracking job events, as the HTTP tracker POSTs it.",
  ...JSONSchema.make(JobEventBatch)
})
