import { stat } from "node:fs/promises"
import { join, relative, resolve } from "node:path"
import type { EventMap } from "../../instrument/EventMap.js"
import type { JobEventType } from "../../jobs/events/JobEvent.js"
import { detectJobsLayout } from "../../jobs/layouts.js"
import { detectWorkflowLayout } from "../../workflow/layout.js"
import { loadEventMapModule } from "../package/loadEventMap.js"
import { readPackageFacts } from "../package/packageFacts.js"
import { upstreamCoreSources } from "../package/upstreamCore.js"
import { CodemodInputError } from "../report/errors.js"
import { analyseCoverage, type PackageCoverageReport } from "./packageCoverage.js"

/**
 * Coverage of a jobs or workflow package by a map (`T` names its event types: the job types
 * unless told): the one in `mapModule` when given, else the
 * library's map for the package's layout. A workflow package is measured with the upstream core
 * it is built on (its adapters are core's services). Bad input (no such directory, a map module that does not load
 * or export a map) is a {@link CodemodInputError}.
 */
export const reportPackageCoverage = async <T extends string = JobEventType>(options: {
  readonly packageDir: string
  readonly mapModule?: string
  readonly map?: EventMap
}): Promise<PackageCoverageReport<T>> => {
  const dir = resolve(options.packageDir)
  const src = join(dir, "src")
  const found = await stat(src).catch(() => undefined)
  if (found === undefined || !found.isDirectory()) {
    throw new CodemodInputError({
      file: options.packageDir,
      expected: "a jobs or workflow package directory (with a src directory)",
      detail: "no such directory"
    })
  }
  let facts = await readPackageFacts(dir, src)
  const workflow = detectWorkflowLayout(facts.services.keys())
  const core = workflow === undefined ? undefined : upstreamCoreSources(dir)
  if (core !== undefined) facts = await readPackageFacts(dir, src, [core])
  const layout = workflow ?? detectJobsLayout(facts.services.keys())
  let map: EventMap = options.map ?? layout.map
  let name: string = options.map === undefined ? layout.mapExport : "the given map"
  if (options.mapModule !== undefined) {
    const loaded = await loadEventMapModule(options.mapModule)
    map = loaded.map
    name = `${relative(process.cwd(), resolve(options.mapModule)) || options.mapModule} (${loaded.exportName})`
  }
  return { ...analyseCoverage<T>(options.packageDir, facts, map), map: name, layout: layout.name }
}
