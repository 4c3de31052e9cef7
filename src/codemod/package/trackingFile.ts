import { readFile } from "node:fs/promises"
import type { PlannedChange } from "../write/writeFiles.js"

/** What becomes of the package's tracking module (`src/tracking.ts`): scaffolded, kept, or left to fix. */
export interface TrackingFilePlan {
  readonly file: PlannedChange | undefined
  readonly change: string | undefined
  readonly todo: string | undefined
}

/**
 * The tracking module is scaffolded when it is missing (`scaffold`), kept when it exports
 * `trackingEventMap` (`kept` says so, if given), and left for the user to fix otherwise.
 */
export const planTrackingFile = async (
  trackingPath: string,
  display: (path: string) => string,
  scaffold: { readonly text: string; readonly change: string },
  kept?: string
): Promise<TrackingFilePlan> => {
  const existing = await readFile(trackingPath, "utf8").catch(() => undefined)
  if (existing === undefined)
    return {
      file: { path: trackingPath, relativePath: display(trackingPath), before: undefined, after: scaffold.text },
      change: scaffold.change,
      todo: undefined
    }
  if (!/\btrackingEventMap\b/.test(existing))
    return {
      file: undefined,
      change: undefined,
      todo: `${display(trackingPath)} exists and was left as is: make it export \`trackingEventMap\` (an EventMap)`
    }
  return { file: undefined, change: kept, todo: undefined }
}
