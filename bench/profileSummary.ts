/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the top functions by self time, and self
 * time by package (or by file, for this repository's own code). Used for BENCHMARKS.md:
 *   node --import tsx bench/profileSummary.ts <file.cpuprofile> [top]
 */
import { readFileSync } from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
    readonly columnNumber: number
  }
}
export interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** Where a function lives: its package, or its file in this repository. */
export const placeOf = (url: string): string => {
  if (url === "") return "(native / V8)"
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg !== null) return pkg[1]!
  if (url.startsWith("node:")) return "node:" + url.slice(5).split("/")[0]
  const own = /\/(src|test|bench)\/(.*)$/.exec(url)
  return own !== null ? `${own[1]}/${own[2]}` : url
}

export const summarise = (profile: Profile, top = 15): string => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfByFunction = new Map<string, number>()
  const selfByPlace = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)
    const delta = profile.timeDeltas[i] ?? 0
    if (node === undefined) return
    total += delta
    const { functionName, url, lineNumber } = node.callFrame
    const file = url.split("/").slice(-1)[0] ?? ""
    const fn = `${functionName || "(anonymous)"} ${placeOf(url)}${url === "" ? "" : ` ${file}:${lineNumber + 1}`}`
    selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + delta)
    const place = placeOf(url)
    selfByPlace.set(place, (selfByPlace.get(place) ?? 0) + delta)
  })
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, us]) =>
          `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`
      )
  return [
    `total sampled: ${(total / 1000).toFixed(0)} ms`,
    "self time by package / file:",
    ...rows(selfByPlace),
    "top functions by self time:",
    ...rows(selfByFunction)
  ].join("\n")
}

if (process.argv[1] !== undefined && /profileSummary\.ts$/.test(process.argv[1])) {
  const [file, top] = process.argv.slice(2)
  if (file === undefined) {
    console.error("usage: node --import tsx bench/profileSummary.ts <file.cpuprofile> [top]")
    process.exit(2)
  }
  console.log(summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, top === undefined ? 15 : Number(top)))
}
