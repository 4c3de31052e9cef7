/**
 * The body of an event's log record: one short line saying what happened, for log views that
 * show the body and nothing else. Built from the event's type and a few fields already sent as
 * attributes; no payload and no field this does not know.
 *
 * `job.failed heartbeat (continuous) attempt 2: connection reset`
 */
export const recordBodyOf = (event: Readonly<Record<string, unknown>>): string => {
  const words: Array<string> = [typeof event.type === "string" ? event.type : "job.event"]
  if (typeof event.jobName === "string") words.push(event.jobName)
  if (typeof event.jobType === "string") words.push(`(${event.jobType})`)
  const { attempt, attempts, reason, durationMs } = event
  if (typeof attempt === "number") words.push(`attempt ${attempt}`)
  if (typeof attempts === "number") words.push(`after ${attempts} attempts`)
  if (typeof reason === "string" && reason !== "") words.push(`reason ${reason}`)
  if (typeof durationMs === "number" && Number.isFinite(durationMs)) words.push(`in ${durationMs} ms`)
  const line = words.join(" ")
  const message = errorMessageOf(event.error)
  return message === undefined ? line : `${line}: ${message}`
}

const errorMessageOf = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const message = (error as { message?: unknown }).message
  return typeof message === "string" && message !== "" ? message : undefined
}
