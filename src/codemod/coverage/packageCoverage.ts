import { functionPhases, type EventMap } from "../../instrument/EventMap.js"
import type { RecipeRequirement } from "../../instrument/requirements.js"
import type { JobEventType } from "../../jobs/events/JobEvent.js"
import { formatPlace, type PackageFacts, type Place } from "../package/packageFacts.js"
import { recipeRequirement } from "./recipeRequirements.js"

/** Whether the map can emit one event type in this package, and from where or why not. */
export interface TypeCoverage {
  readonly covered: boolean
  /** `Service.method (file:line)` of each method whose recipe can emit it here. */
  readonly by: ReadonlyArray<string>
  /** Why it is not covered: what the package lacks, and where the event happens unseen. */
  readonly reason?: string
  /** The signal/error classes and request values the covering recipes rely on, where they are. */
  readonly relies?: ReadonlyArray<string>
  /** What the covering methods do not see, and where that happens. */
  readonly partly?: ReadonlyArray<string>
  /** The entry that would cover it, where one is possible. */
  readonly hint?: string
}

export interface PackageCoverage<T extends string = JobEventType> {
  readonly packageDir: string
  readonly covered: number
  readonly total: number
  /**
   * Every event type of the map's vocabulary, in its order. `T` names them for the reader: the
   * job types unless told (a workflow package's report is a `PackageCoverage<WorkflowEventType>`).
   */
  readonly types: { readonly [K in T]: TypeCoverage }
}

/** A package's coverage with the map and layout it was measured for. */
export interface PackageCoverageReport<T extends string = JobEventType> extends PackageCoverage<T> {
  /** The map analysed: a library map by name, or `<module> (<export>)`. */
  readonly map: string
  /** The package's layout (a jobs layout's name, or `workflow`). */
  readonly layout: string
}

interface SourceVerdict {
  readonly label: string
  readonly place: Place | undefined
  readonly missing: ReadonlyArray<string>
  readonly relies: ReadonlyArray<string>
  readonly partly: string | undefined
}

const places = (list: ReadonlyArray<Place>) => list.map(formatPlace).join(", ")

/** Checks one recipe's method and requirements against the package. */
const judgeSource = (
  facts: PackageFacts,
  map: EventMap,
  tagKey: string,
  method: string,
  requirement: RecipeRequirement | undefined
): SourceVerdict => {
  const entry = map.services[tagKey]!
  const label = `${entry.service}.${method}`
  const missing: Array<string> = []
  const relies: Array<string> = []
  const service = facts.services.get(tagKey)
  let place: Place | undefined
  if (service === undefined) {
    missing.push(`no service with tag key ${tagKey} in this package`)
  } else {
    place = service.members?.get(method)
    if (place === undefined) {
      missing.push(
        service.members === undefined
          ? `the shape of ${service.className} (${formatPlace(service.place)}) was not found, so its method ${method} could not be`
          : `${service.className} (${formatPlace(service.place)}) has no method ${method}`
      )
    }
  }
  if (requirement?.classes !== undefined && requirement.classes.length > 0) {
    const found = requirement.classes.flatMap((name) => {
      const at = facts.classes.get(name)
      return at === undefined ? [] : [`${name} (${formatPlace(at)})`]
    })
    if (found.length === 0) missing.push(`no class ${requirement.classes.join(" or ")} in this package`)
    relies.push(...found)
  }
  if (requirement?.values !== undefined) {
    const { where, property, anyOf } = requirement.values
    const matches = facts.literalTypes.filter(
      (type) =>
        Object.entries(where).every(([name, value]) => {
          const values = type.properties.get(name)
          return values !== undefined && values.length === 1 && values[0] === value
        }) && type.properties.has(property)
    )
    const found = matches.flatMap((type) =>
      (type.properties.get(property) ?? [])
        .filter((value) => anyOf.includes(value))
        .map((value) => ({ value, place: type.place }))
    )
    const subject = `${Object.values(where).join(" ")} ${property}`
    if (found.length === 0) {
      const allowed = [...new Set(matches.flatMap((type) => type.properties.get(property) ?? []))]
      missing.push(
        `no ${subject} ${anyOf.join(" or ")} in this package` +
          (allowed.length === 0
            ? ""
            : ` (its ${property}s: ${allowed.join(", ")}, ${places(matches.map((type) => type.place))})`)
      )
    }
    relies.push(...found.map(({ value, place }) => `${subject} ${value} (${formatPlace(place)})`))
  }
  for (const call of requirement?.calls ?? []) {
    const other = facts.services.get(call.tagKey)
    const at = other?.members?.get(call.method)
    const name = `${map.services[call.tagKey]?.service ?? other?.className ?? call.tagKey}.${call.method}`
    if (at === undefined) missing.push(`it learns from ${name}, which this package does not have`)
    else relies.push(`${name} (${formatPlace(at)})`)
  }
  // Where the event happens without this method: the reason it is missed, or what a method
  // that sees only some occurrences misses.
  const sites = requirement?.bypass === undefined ? [] : facts.callsOf(requirement.bypass)
  const inline = sites.length === 0 ? undefined : `${requirement!.bypass}(...) runs inline at ${places(sites)}`
  if (missing.length > 0 && inline !== undefined) missing.push(inline)
  const partly =
    requirement?.seesOnly === undefined
      ? undefined
      : `${label} sees only ${requirement.seesOnly}${inline === undefined ? "" : `; otherwise ${inline}`}`
  return { label, place, missing, relies, partly }
}

/** For every event type of the map's vocabulary: can `map` emit it in the package `facts` describe, through which methods, and if not, why. */
export const analyseCoverage = <T extends string = JobEventType>(
  packageDir: string,
  facts: PackageFacts,
  map: EventMap
): PackageCoverage<T> => {
  const eventTypes: ReadonlyArray<string> = map.vocabulary.types
  const verdicts = new Map<string, Array<SourceVerdict>>(eventTypes.map((type) => [type, []]))
  for (const [tagKey, entry] of Object.entries(map.services)) {
    for (const [method, events] of Object.entries(entry.methods)) {
      const types = new Set<string>()
      for (const phase of [events.before, events.success, events.failure])
        for (const type of Object.keys(phase ?? {})) types.add(type)
      for (const type of types) {
        verdicts.get(type)?.push(judgeSource(facts, map, tagKey, method, recipeRequirement(tagKey, method, events, type)))
      }
    }
  }
  // A function entry (the second seam, `trackExports`) emits where the package exports the
  // function it names.
  for (const [namespace, entries] of Object.entries(map.functions ?? {})) {
    for (const [name, entry] of Object.entries(entries)) {
      const place = facts.exportedFunctions.get(name)
      const verdict: SourceVerdict = {
        label: `${namespace}.${name}`,
        place,
        missing: place === undefined ? [`this package exports no function ${name}`] : [],
        relies: [],
        partly: undefined
      }
      const types = new Set(functionPhases(entry).flatMap((recipes) => Object.keys(recipes)))
      for (const type of types) verdicts.get(type)?.push(verdict)
    }
  }
  const types: Record<string, TypeCoverage> = {}
  for (const type of eventTypes) {
    const all = verdicts.get(type) ?? []
    const able = all.filter((verdict) => verdict.missing.length === 0)
    const blind = map.blindSpots?.[type]
    if (able.length > 0) {
      const partly = able.map((verdict) => verdict.partly)
      types[type] = {
        covered: true,
        by: able.map(
          (verdict) => `${verdict.label} (${verdict.place === undefined ? "?" : formatPlace(verdict.place)})`
        ),
        ...(able.some((verdict) => verdict.relies.length > 0)
          ? { relies: [...new Set(able.flatMap((verdict) => verdict.relies))] }
          : {}),
        // Only when no covering method sees every occurrence.
        ...(partly.every((note) => note !== undefined) ? { partly: partly as Array<string> } : {})
      }
      continue
    }
    const reasons = all.map((verdict) => `${verdict.label}: ${verdict.missing.join("; ")}`)
    if (blind !== undefined) {
      const sites = blind.at === undefined ? [] : facts.callsOf(blind.at)
      reasons.push(`${blind.reason}${sites.length === 0 ? "" : ` (${blind.at}(...) at ${places(sites)})`}`)
    }
    if (reasons.length === 0) reasons.push("no entry of the event map emits it")
    types[type] = {
      covered: false,
      by: [],
      reason: reasons.join("; "),
      ...(blind?.hint === undefined ? {} : { hint: blind.hint })
    }
  }
  const covered = eventTypes.filter((type) => types[type]!.covered).length
  return { packageDir, covered, total: eventTypes.length, types: types as PackageCoverage<T>["types"] }
}

/** `0` when every type is covered, `1` otherwise: the exit code of `coverage <dir>`. */
export const coverageExitCode = (report: PackageCoverage<string>): 0 | 1 => (report.covered === report.total ? 0 : 1)

/** The types a package's coverage leaves out, with why and the entry that would cover them. */
export const uncoveredTypes = (coverage: PackageCoverage<string>) =>
  Object.entries<TypeCoverage>(coverage.types)
    .filter(([, entry]) => !entry.covered)
    .map(([type, entry]) => ({
      type,
      reason: entry.reason ?? "",
      ...(entry.hint === undefined ? {} : { hint: entry.hint })
    }))
