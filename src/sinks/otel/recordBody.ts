import type { AnyVocabulary } from "../../event/Vocabulary.js"

const isShown = (value: unknown): value is string | number | boolean =>
  typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))

/**
 * The body of an event's log record: one short line saying what happened, for log views that
 * show the body and nothing else. The event's type, the context values its vocabulary names
 * (what the event is about, each as `key=value`) and the error summary's message; no payload,
 * no other field (they are attributes).
 *
 * `job.failed instanceId=do-1 jobType=continuous jobName=heartbeat: connection reset`
 */
export const recordBodyOf = (event: Readonly<Record<string, unknown>>, vocabulary?: AnyVocabulary): string => {
  const words: Array<string> = [typeof event.type === "string" ? event.type : "event"]
  if (vocabulary !== undefined) {
    for (const keys of [vocabulary.context, vocabulary.optionalContext]) {
      for (const key of keys) {
        const value = event[key]
        if (isShown(value)) words.push(`${key}=${String(value)}`)
      }
    }
  }
  const line = words.join(" ")
  const message = errorMessageOf(event.error)
  return message === undefined ? line : `${line}: ${message}`
}

const errorMessageOf = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const message = (error as { message?: unknown }).message
  return typeof message === "string" && message !== "" ? message : undefined
}
