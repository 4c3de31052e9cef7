/**
 * Exit codes of the codemod, shared by the API and the CLI. A module of its own, free of
 * imports, so that the CLI can name them without loading the codemod (and ts-morph); not beside
 * the errors in errors.ts either, whose effect/Data would add about 0.1 s to every `--help`.
 */
export const ExitCode = {
  /** Done, or nothing to do; with `check`: already wired. */
  ok: 0,
  /** `check` only: the codemod would change files. */
  wouldChange: 1,
  /** Bad input or a refusal (new type errors, uncommitted changes, read-only files): nothing written. */
  error: 2,
  /** The package provides an EventTracker layer of its own: reported, nothing changed. */
  trackedByHand: 3,
  /**
   * The package emits events by hand (upstream core's `emitEvent`): `codemod` changes nothing
   * and points to `migrate`, which removes the emits and rewires the tracker.
   */
  useMigrate: 4,
  /** Interrupted by SIGINT during the write phase (128 + the signal's number, as shells report it). */
  interruptedBySigint: 130,
  /** Interrupted by SIGTERM during the write phase. */
  interruptedBySigterm: 143
} as const

/** The signals the codemod honours while writing. */
export type InterruptSignal = "SIGINT" | "SIGTERM"

/** 128 + the signal's number, as a shell reports a process ended by it. */
export const interruptExitCode = (signal: InterruptSignal): number =>
  signal === "SIGINT" ? ExitCode.interruptedBySigint : ExitCode.interruptedBySigterm
