/**
 * The CLI's own argument parser: flags of a command, with "did you mean" for a mistyped one.
 * (Node's parseArgs reports unknown options in words written for programmers, without a
 * suggestion.)
 */

export interface FlagSpec {
  readonly type: "boolean" | "string"
  readonly short?: string
  /** For a string flag: what its value is, in the help text (`<spec>`). */
  readonly valueName?: string
  readonly description: string
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>

export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>
  readonly positionals: ReadonlyArray<string>
}

/** A mistake in the command line: the message says what, and `suggestion` what was probably meant. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly suggestion?: string
  ) {
    super(suggestion === undefined ? message : `${message}; did you mean '${suggestion}'?`)
  }
}

export const parseArgs = (args: ReadonlyArray<string>, specs: FlagSpecs): ParsedArgs => {
  const flags: Record<string, string | boolean | undefined> = {}
  const positionals: Array<string> = []
  const byShort = new Map(
    Object.entries(specs).flatMap(([name, spec]) => (spec.short === undefined ? [] : [[spec.short, name] as const]))
  )
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!
    if (arg === "--") {
      positionals.push(...args.slice(index + 1))
      break
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg)
      continue
    }
    const long = arg.startsWith("--")
    const [written, inlineValue] =
      long && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined]
    const name = long ? written.slice(2) : byShort.get(written.slice(1))
    const spec = name === undefined ? undefined : specs[name]
    if (name === undefined || spec === undefined) {
      throw new UsageError(`unknown option '${written}'`, suggestFlag(written, specs))
    }
    if (spec.type === "boolean") {
      if (inlineValue !== undefined) throw new UsageError(`option '--${name}' takes no value`)
      flags[name] = true
      continue
    }
    const value = inlineValue ?? args[index + 1]
    if (value === undefined || (inlineValue === undefined && value.startsWith("-"))) {
      throw new UsageError(`option '--${name}' needs a value (${spec.valueName ?? "<value>"})`)
    }
    if (inlineValue === undefined) index++
    flags[name] = value
  }
  return { flags, positionals }
}

/** The known name closest to `wanted`, when it is close enough to be a typo. */
export const closest = (wanted: string, candidates: ReadonlyArray<string>): string | undefined => {
  let best: { readonly name: string; readonly distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate)
    if (best === undefined || distance < best.distance) best = { name: candidate, distance }
  }
  if (best === undefined) return undefined
  const prefix = best.name.startsWith(wanted) || wanted.startsWith(best.name)
  return best.distance <= Math.max(2, Math.floor(best.name.length / 3)) || prefix ? best.name : undefined
}

const suggestFlag = (written: string, specs: FlagSpecs): string | undefined => {
  const bare = written.replace(/^-+/, "")
  const name = closest(bare, Object.keys(specs))
  return name === undefined ? undefined : `--${name}`
}

/** Levenshtein distance: insertions, deletions and substitutions. */
const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** The options part of a command's help, from its flag specs. */
export const flagsHelp = (specs: FlagSpecs): string => {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const left = `${spec.short === undefined ? "" : `-${spec.short}, `}--${name}${spec.type === "string" ? ` ${spec.valueName ?? "<value>"}` : ""}`
    return [left, spec.description] as const
  })
  const width = Math.max(...rows.map(([left]) => left.length)) + 2
  return rows.map(([left, description]) => `  ${left.padEnd(width)}${description}\n`).join("")
}
