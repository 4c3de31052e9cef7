// Events come in bursts within one millisecond: format each millisecond once.
let isoMs = Number.NaN
let iso = ""

/** ISO 8601 text of an epoch-milliseconds time, formatted once per millisecond. */
export const isoTimestamp = (ms: number): string => {
  if (ms !== isoMs) {
    iso = new Date(ms).toISOString()
    isoMs = ms
  }
  return iso
}
