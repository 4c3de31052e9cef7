/**
 * Interleaved sampling and the statistics every comparison reports. Both sides of a comparison
 * run in the same process, alternating (ABAB..., with the order flipped every round so neither
 * side always runs first), and are compared by the ratio of their medians.
 */

export const median = (values: ReadonlyArray<number>): number => quantile(values, 0.5)

export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.ceil(position)
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low)
}

/**
 * The median over rounds of `subject`'s sample minus `base`'s in the same round. On a loaded
 * machine this holds still where the difference of the medians does not (each round's load is
 * shared by its sides).
 */
export const pairedDifference = (subject: ReadonlyArray<number>, base: ReadonlyArray<number>): number =>
  median(subject.map((value, round) => value - base[round]!))

/** One side of a comparison: what it costs to run `run` once, measured in ms. */
export interface Side {
  readonly name: string
  /** Untimed, before every timed run (and every warm-up run). */
  readonly setup?: () => void | Promise<void>
  readonly run: () => void | Promise<void>
  /**
   * The side's own clock, in ms, read before and after each run instead of the comparison's
   * (the CPU time of the process the side runs in, when that is not this one).
   */
  readonly clock?: () => number
  /**
   * `true`: each sample runs from where this side's previous run (timed or warm-up) ended, not
   * from its own start, so that what the side's process does after its run returns (a Worker's
   * flush after its response, a timer that fires later) counts in its next sample instead of
   * falling between samples. Only for a side with its own `clock` (another process's CPU): on
   * this process's clock it would count the other sides' runs. Its `setup`, if it has one, is
   * then counted too.
   */
  readonly fromLastSample?: boolean
}

export interface ComparisonOptions {
  /** Untimed runs of each side first, so that both are compiled and warm. */
  readonly warmup: number
  /** Rounds at least, each one timed run per side, whatever the time budget. */
  readonly minRounds: number
  /** Rounds at most. */
  readonly maxRounds: number
  /** Stop after this many ms of sampling once `minRounds` are done. */
  readonly budgetMs: number
  /**
   * What a sample measures: wall time (default), or the CPU time this process spent (user +
   * system, all its threads), which other processes on a busy machine do not inflate.
   */
  readonly clock?: "wall" | "cpu"
}

export interface Comparison {
  /** The sides' samples in ms, in the order run. */
  readonly baseline: ReadonlyArray<number>
  readonly subject: ReadonlyArray<number>
  /** median(subject) / median(baseline). */
  readonly ratio: number
  /** The 25th and 75th percentiles of the per-round ratios: how much rounds disagree. */
  readonly spread: readonly [number, number]
  readonly rounds: number
}

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

// Where each `fromLastSample` side's previous run ended, on its own clock.
const lastEnded = new WeakMap<Side, number>()

const timeOnce = async (side: Side, clock: "wall" | "cpu" = "wall"): Promise<number> => {
  await side.setup?.()
  const now = side.clock ?? (clock === "cpu" ? cpuMs : () => performance.now())
  const fromLast = side.fromLastSample === true && side.clock !== undefined
  const started = (fromLast ? lastEnded.get(side) : undefined) ?? now()
  await side.run()
  const ended = now()
  if (fromLast) lastEnded.set(side, ended)
  return ended - started
}

/**
 * Runs `baseline` and each subject in turn, one timed run each per round, rotating the order
 * every round, and compares each subject's median with the baseline's.
 */
export const compareInterleavedMany = async (
  baseline: Side,
  subjects: ReadonlyArray<Side>,
  options: ComparisonOptions
): Promise<ReadonlyArray<Comparison>> => {
  const sides = [baseline, ...subjects]
  for (let i = 0; i < options.warmup; i++) for (const side of sides) await timeOnce(side, options.clock)
  const samples = sides.map(() => [] as Array<number>)
  const started = performance.now()
  let round = 0
  while (round < options.maxRounds && (round < options.minRounds || performance.now() - started < options.budgetMs)) {
    for (let k = 0; k < sides.length; k++) {
      const index = (k + round) % sides.length
      samples[index]!.push(await timeOnce(sides[index]!, options.clock))
    }
    round++
  }
  return comparisonsOf(samples)
}

/**
 * Each subject's samples (`samples[1]`...) compared with the baseline's (`samples[0]`), paired by
 * round: what {@link compareInterleavedMany} gives, for samples gathered in several runs of it.
 */
export const comparisonsOf = (samples: ReadonlyArray<ReadonlyArray<number>>): ReadonlyArray<Comparison> => {
  const a = samples[0]!
  return samples.slice(1).map((b) => {
    const perRound = a.map((ms, i) => b[i]! / ms)
    return {
      baseline: a,
      subject: b,
      ratio: median(b) / median(a),
      spread: [quantile(perRound, 0.25), quantile(perRound, 0.75)] as const,
      rounds: a.length
    }
  })
}

/** Runs `baseline` and `subject` alternately (AB, BA, ...) and compares their medians. */
export const compareInterleaved = async (
  baseline: Side,
  subject: Side,
  options: ComparisonOptions
): Promise<Comparison> => (await compareInterleavedMany(baseline, [subject], options))[0]!

/** One row of the results: a ratio (or a plain value) against its target. */
export interface BenchmarkResult {
  readonly name: string
  readonly ratio?: number
  readonly value?: number
  readonly unit: string
  /** Human-readable, e.g. "<= 1.02". */
  readonly target: string
  /** `null` when there is no target (reported only). */
  readonly met: boolean | null
  /** How the number came about: medians, spread, counts. */
  readonly detail: Record<string, unknown>
}

export const round = (value: number, digits = 3): number => Number(value.toFixed(digits))
