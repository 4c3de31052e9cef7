import { describeCoverage } from "../../instrument/coverage.js"
import type { EventMap } from "../../instrument/EventMap.js"
import { defaultJobsEventMap } from "../../jobs/defaultJobsEventMap.js"
import { ExitCode } from "../report/exitCodes.js"
import { mapCoverageText } from "./render.js"

/** Where a coverage command writes: the CLI's streams (its `CliIo`) or a test's buffers. */
export interface CoverageOutput {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown }
}

/** A map's coverage from the map alone: every event type with the methods that emit it. */
export const mapCoverageCommand = (
  map: EventMap,
  mapName: string,
  options: { readonly json: boolean },
  out: CoverageOutput
): number => {
  const report = describeCoverage(map)
  out.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : mapCoverageText(report, mapName))
  return ExitCode.ok
}

/**
 * Plain `coverage`: the default event map's. This module loads no compiler and no map loader,
 * so the command answers at once.
 */
export const defaultMapCoverageCommand = (options: { readonly json: boolean }, out: CoverageOutput): number =>
  mapCoverageCommand(defaultJobsEventMap, "the default event map", options, out)
