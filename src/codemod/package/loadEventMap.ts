import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, extname, join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { eventMapProblems, type EventMap } from "../../instrument/EventMap.js"
import { jobEvents } from "../../jobs/events/jobEvents.js"
import { CodemodInputError } from "../report/errors.js"

export interface LoadedEventMap {
  readonly map: EventMap
  /** The export the map was read from. */
  readonly exportName: string
}

const typeScript = new Set([".ts", ".mts", ".cts", ".tsx"])

/**
 * Loads a module that exports an event map: `trackingEventMap` (what the codemod scaffolds),
 * else the default export, else the one export that is a sound map. A `.js` module is imported
 * as it is. A `.ts` module (the package's own `src/tracking.ts`) is loaded with tsx, resolved
 * from the module's package (or the current directory): the package's tsconfig, paths included,
 * applies. Without tsx a Node that strips types itself (22.18 and later) is tried.
 */
export const loadEventMapModule = async (modulePath: string): Promise<LoadedEventMap> => {
  const path = resolve(modulePath)
  if (!existsSync(path))
    throw new CodemodInputError({
      file: modulePath,
      expected: "a module exporting an event map",
      detail: "no such file"
    })
  let loaded: Record<string, unknown>
  try {
    loaded = typeScript.has(extname(path)) ? await importTypeScript(path) : await import(pathToFileURL(path).href)
  } catch (error) {
    if (error instanceof CodemodInputError) throw error
    throw new CodemodInputError({
      file: modulePath,
      expected: "a module exporting an event map",
      detail: `it could not be loaded: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`
    })
  }
  const candidates = ["trackingEventMap", "default", ...Object.keys(loaded)]
  for (const name of candidates) {
    const listed = jobsMapOfList(loaded[name])
    const value = listed === undefined ? asJobsMap(loaded[name]) : listed.map
    if (value !== undefined && eventMapProblems(value as EventMap).length === 0)
      return { map: value as EventMap, exportName: listed === undefined ? name : `${name}[${listed.index}]` }
  }
  const named = asJobsMap(loaded["trackingEventMap"] ?? loaded["default"])
  throw new CodemodInputError({
    file: modulePath,
    expected: "a module exporting an event map (as trackingEventMap, as its default export, or as its only map)",
    detail:
      named === undefined
        ? `its exports: ${Object.keys(loaded).join(", ") || "none"}`
        : eventMapProblems(named as EventMap).join("; ")
  })
}

/**
 * A list of maps (several formats side by side, as `migrate --events both` scaffolds): package
 * coverage measures job events, so the list's first map of the jobs vocabulary, and its place
 * in the list; `undefined` for anything but a list.
 */
const jobsMapOfList = (value: unknown): { readonly map: unknown; readonly index: number } | undefined => {
  if (!Array.isArray(value)) return undefined
  const maps = value.map(asJobsMap)
  const index = maps.findIndex(
    (map: unknown) =>
      (map as Partial<EventMap> | null)?.vocabulary?.name === jobEvents.name &&
      eventMapProblems(map as EventMap).length === 0
  )
  return { map: maps[index], index }
}

/**
 * A map written as plain data before maps carried their vocabulary (a `.js` module's object
 * literal) is read as what it was then: a map of job events. Anything else is left as it is.
 */
const asJobsMap = (value: unknown): unknown =>
  typeof value === "object" && value !== null && "services" in value && !("vocabulary" in value)
    ? { vocabulary: jobEvents, ...value }
    : value

const importTypeScript = async (path: string): Promise<Record<string, unknown>> => {
  const tsx = await findTsx(path)
  if (tsx !== undefined) {
    const tsconfig = nearest(dirname(path), "tsconfig.json")
    return tsx.tsImport(pathToFileURL(path).href, {
      parentURL: pathToFileURL(path).href,
      ...(tsconfig === undefined ? {} : { tsconfig })
    })
  }
  try {
    return await import(pathToFileURL(path).href)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error
    throw new CodemodInputError({
      file: path,
      expected: "a module this Node can load",
      detail:
        "loading a .ts module needs tsx (npm install --save-dev tsx in the package) or Node 22.18 or later; or point --map at compiled JavaScript"
    })
  }
}

interface TsxApi {
  readonly tsImport: (
    specifier: string,
    options: { readonly parentURL: string; readonly tsconfig?: string }
  ) => Promise<Record<string, unknown>>
}

const findTsx = async (path: string): Promise<TsxApi | undefined> => {
  for (const from of [dirname(path), process.cwd()]) {
    try {
      const resolved = createRequire(join(from, "noop.js")).resolve("tsx/esm/api")
      // The CommonJS entry: `exports` resolves `require` conditions here.
      return (await import(pathToFileURL(resolved.replace(/index\.cjs$/, "index.mjs")).href)) as TsxApi
    } catch {
      // Not installed there.
    }
  }
  return undefined
}

const nearest = (dir: string, name: string): string | undefined => {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, name)
    if (existsSync(candidate)) return candidate
    if (dirname(current) === current) return undefined
  }
}
