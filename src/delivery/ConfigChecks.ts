/**
 * The checks a buffering tracker's options share (the engine's limits, the fields every sink
 * needs): each adds a problem naming the field to `issues` and gives the value or its default,
 * so a tracker reports every problem at once in its `InvalidTrackerConfigError`.
 */

/** A string with something other than blanks. */
export const checkNonEmptyString = (issues: Array<string>, field: string, value: unknown): void => {
  if (typeof value !== "string" || value.trim() === "") issues.push(`${field} must be a non-empty string`)
}

/** A positive safe integer, at most `max` when given; `fallback` when absent. */
export const checkPositiveInt = (
  issues: Array<string>,
  field: string,
  value: unknown,
  fallback: number,
  max?: number
): number => {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0 || (max !== undefined && value > max)) {
    issues.push(`${field} must be a positive integer${max === undefined ? "" : ` of at most ${max}`}`)
  }
  return value as number
}

/** A finite number ≥ 0; `fallback` when absent. */
export const checkNonNegative = (issues: Array<string>, field: string, value: unknown, fallback: number): number => {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    issues.push(`${field} must be a non-negative number`)
  }
  return value as number
}

/** The longest `lingerMs` a tracker takes: a Durable Object idle for longer may be evicted first. */
const MaxLingerMs = 60_000

/** `lingerMs`: an integer from 0 (every flush sends) to {@link MaxLingerMs}; 0 when absent. */
export const checkLingerMs = (issues: Array<string>, value: unknown): number => {
  if (value === undefined) return 0
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > MaxLingerMs) {
    issues.push(`lingerMs must be an integer from 0 to ${MaxLingerMs}`)
  }
  return value as number
}
