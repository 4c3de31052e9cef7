/**
 * `npm run bench`: every benchmark once, a table on stdout, bench/results.json. Names given as
 * arguments run only those (and write nothing): `npm run bench -- off on`. With `--write`, the
 * benchmarks named replace their entries in bench/results.json (the others are kept, and the
 * file says which entries came from which run). `--smoke` runs them once at tiny counts.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { cpus, freemem, loadavg, totalmem, type } from "node:os"
import { fileURLToPath } from "node:url"
import { benchmarks } from "./benchmarks/index.js"
import type { BenchmarkResult } from "./stats.js"

const machine = () => ({
  node: process.version,
  v8: process.versions.v8,
  os: `${type()} ${process.platform}/${process.arch}`,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  freeMemoryGiB: Number((freemem() / 2 ** 30).toFixed(1)),
  loadAverage1m: Number(loadavg()[0]!.toFixed(2))
})

const formatResult = (result: BenchmarkResult): string =>
  result.ratio !== undefined ? `${result.ratio.toFixed(3)} ${result.unit}` : `${result.value} ${result.unit}`

const table = (results: ReadonlyArray<BenchmarkResult>): string => {
  const rows = [
    ["benchmark", "result", "target", "met"],
    ...results.map((r) => [r.name, formatResult(r), r.target, r.met === null ? "-" : r.met ? "yes" : "NO"])
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const line = (row: ReadonlyArray<string>) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")
  return [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n")
}

const resultsFile = fileURLToPath(new URL("./results.json", import.meta.url))

interface ResultsFile {
  readonly machine: Record<string, unknown>
  readonly date: string
  readonly totalSeconds: number
  readonly benchmarks: ReadonlyArray<BenchmarkResult>
  /** Later runs of some benchmarks only (`--write`), each replacing those benchmarks' entries. */
  readonly partialRuns?: ReadonlyArray<{
    readonly date: string
    readonly machine: Record<string, unknown>
    readonly benchmarks: ReadonlyArray<string>
  }>
}

/** The file with the entries of `results` replaced (or added, in run order). */
const merged = (
  file: ResultsFile,
  results: ReadonlyArray<BenchmarkResult>,
  run: NonNullable<ResultsFile["partialRuns"]>[number]
): ResultsFile => {
  const fresh = new Map(results.map((result) => [result.name, result]))
  const kept = file.benchmarks.map((result) => fresh.get(result.name) ?? result)
  const added = results.filter((result) => !file.benchmarks.some((old) => old.name === result.name))
  return { ...file, benchmarks: [...kept, ...added], partialRuns: [...(file.partialRuns ?? []), run] }
}

const main = async () => {
  const flags = process.argv.slice(2).filter((arg) => arg.startsWith("--"))
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith("--"))
  const unknownFlags = flags.filter((flag) => flag !== "--write" && flag !== "--smoke")
  if (unknownFlags.length > 0) {
    console.error(`unknown option(s): ${unknownFlags.join(", ")}; known: --write, --smoke`)
    process.exitCode = 2
    return
  }
  const scale = flags.includes("--smoke") ? "smoke" : "full"
  const unknown = wanted.filter((name) => !benchmarks.some((b) => b.name === name))
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${benchmarks.map((b) => b.name).join(", ")}`)
    process.exitCode = 2
    return
  }
  const selected = wanted.length === 0 ? benchmarks : benchmarks.filter((b) => wanted.includes(b.name))
  const before = machine()
  const started = performance.now()
  const results: Array<BenchmarkResult> = []
  for (const benchmark of selected) {
    const t0 = performance.now()
    process.stderr.write(`${benchmark.name}... `)
    const result = await benchmark.run(scale)
    process.stderr.write(`${formatResult(result)} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`)
    results.push(result)
  }
  const totalSeconds = (performance.now() - started) / 1000
  console.log(table(results))
  for (const result of results) console.log(`${result.name}: ${JSON.stringify(result.detail)}`)
  console.log(`total ${totalSeconds.toFixed(0)} s`)
  if (scale === "smoke") return
  const machineNow = { ...before, loadAverage1mAtEnd: Number(loadavg()[0]!.toFixed(2)) }
  const date = new Date().toISOString()
  let output: ResultsFile | undefined
  if (wanted.length === 0) {
    output = { machine: machineNow, date, totalSeconds: Number(totalSeconds.toFixed(1)), benchmarks: results }
  } else if (flags.includes("--write")) {
    const file: ResultsFile = existsSync(resultsFile)
      ? (JSON.parse(readFileSync(resultsFile, "utf8")) as ResultsFile)
      : { machine: machineNow, date, totalSeconds: 0, benchmarks: [] }
    output = merged(file, results, { date, machine: machineNow, benchmarks: results.map((r) => r.name) })
  }
  if (output !== undefined) writeFileSync(resultsFile, JSON.stringify(output, null, 2) + "\n")
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
