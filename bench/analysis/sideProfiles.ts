/**
 * The fixture workload's sides profiled in one process: the CPU profiler is started and stopped
 * around each sample of each side, in interleaved rounds, so every side's profile comes from the
 * same minutes of load (issue 28, third round). Prints self time per workload by package (or by
 * file of this repository) for each side, and the functions whose time differs most from the
 * first side's. Not part of `npm run bench`:
 *   node --import tsx bench/analysis/sideProfiles.ts [seconds] [side...]
 * Sides: plain, off, noop, in-memory, in-memory-spans, http, otel, queue (default: plain in-memory). The times include the
 * profiler's own overhead (in "(native / V8)"); compare the sides' shares, not absolute times.
 */
import { Session } from "node:inspector/promises"
import { placeOf, type Profile } from "../profileSummary.js"
import { runWorkload, sideNamed } from "../workload.js"

const workloadsPerSample = 3
const warmup = 20

interface SideTimes {
  readonly byPlace: Map<string, number>
  readonly byFunction: Map<string, number>
  workloads: number
}

const add = (into: Map<string, number>, key: string, value: number) => into.set(key, (into.get(key) ?? 0) + value)

const record = (times: SideTimes, profile: Profile): void => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame
    if (frame === undefined) return
    const delta = (profile.timeDeltas[i] ?? 0) / 1000
    const place = placeOf(frame.url)
    add(times.byPlace, frame.functionName === "(garbage collector)" ? "(garbage collector)" : place, delta)
    const file = frame.url.split("/").slice(-1)[0] ?? ""
    const position = `${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`
    add(times.byFunction, `${frame.functionName || "(anonymous)"} ${place} ${position}`, delta)
  })
}

const perWorkload = (times: SideTimes, key: string, of: "byPlace" | "byFunction") =>
  (times[of].get(key) ?? 0) / times.workloads

const main = async () => {
  const [seconds = "60", ...given] = process.argv.slice(2)
  const names = given.length > 0 ? given : ["plain", "in-memory"]
  const runtimes = Object.fromEntries(names.map((name) => [name, sideNamed(name)]))
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 100 })
  for (let i = 0; i < warmup; i++) for (const name of names) await runWorkload(runtimes[name]!)
  const sides = new Map<string, SideTimes>(
    names.map((name) => [name, { byPlace: new Map(), byFunction: new Map(), workloads: 0 }])
  )
  const ends = Date.now() + Number(seconds) * 1000
  let rounds = 0
  while (Date.now() < ends) {
    // Each round in another order, so that no side always follows the same one.
    const order = rounds % 2 === 0 ? names : [...names].reverse()
    for (const name of order) {
      await session.post("Profiler.start")
      for (let i = 0; i < workloadsPerSample; i++) await runWorkload(runtimes[name]!)
      const { profile } = await session.post("Profiler.stop")
      const times = sides.get(name)!
      record(times, profile as unknown as Profile)
      times.workloads += workloadsPerSample
    }
    rounds++
  }
  session.disconnect()
  const first = sides.get(names[0]!)!
  const table = (of: "byPlace" | "byFunction", rows: ReadonlyArray<string>) => {
    for (const key of rows) {
      const values = names.map((name) => perWorkload(sides.get(name)!, key, of))
      const differences = values.slice(1).map((value) => (value - values[0]!).toFixed(2).padStart(8))
      console.log(`${values.map((value) => value.toFixed(2).padStart(8)).join("")}${differences.join("")}  ${key}`)
    }
  }
  console.log(
    `${rounds} rounds, ${first.workloads} workloads per side; ms per workload: ${names.join(", ")}, then each minus ${names[0]}`
  )
  const places = [...new Set(names.flatMap((name) => [...sides.get(name)!.byPlace.keys()]))]
  table(
    "byPlace",
    places.sort((a, b) => perWorkload(first, b, "byPlace") - perWorkload(first, a, "byPlace"))
  )
  if (names.length < 2) return
  const last = sides.get(names[names.length - 1]!)!
  const functions = [...new Set([...first.byFunction.keys(), ...last.byFunction.keys()])]
  const change = (key: string) => Math.abs(perWorkload(last, key, "byFunction") - perWorkload(first, key, "byFunction"))
  console.log(`\nfunctions whose time differs most between ${names[0]} and ${names[names.length - 1]}:`)
  table("byFunction", functions.sort((a, b) => change(b) - change(a)).slice(0, 30))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
