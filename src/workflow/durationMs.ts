/**
 * Milliseconds of a duration as the workflow package's users write them: a number of
 * milliseconds, or a number and an optional unit ("500", "5s", "5 seconds", "1.5 hours"), read
 * as the package reads it. `undefined` for what the package would refuse (it throws there, and
 * the step or sleep fails before any event of it).
 */

const msPerUnit: Readonly<Record<string, number>> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000
}

export const durationMs = (duration: unknown): number | undefined => {
  if (typeof duration === "number") return duration
  if (typeof duration !== "string") return undefined
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(duration.trim())
  const factor = match === null ? undefined : msPerUnit[(match[2] || "ms").toLowerCase()]
  return match === null || factor === undefined ? undefined : Number.parseFloat(match[1]!) * factor
}
