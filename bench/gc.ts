import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"

// `npm run bench` runs node without --expose-gc: the flag can still be set at run time, and a
// fresh context then sees the `gc` function.
setFlagsFromString("--expose-gc")
const collect = runInNewContext("gc") as (options?: { type: "major" | "minor" }) => void

/** Heap in use after full collections, in bytes. */
export const heapAfterGc = (): number => {
  for (let i = 0; i < 3; i++) collect()
  return process.memoryUsage().heapUsed
}

/** Empties the young generation (live objects move on), without a full collection. */
export const minorGc = (): void => {
  collect({ type: "minor" })
  collect({ type: "minor" })
}
