import { Effect, HashMap, List, Logger, LogLevel } from "effect"

/** A log line as a test reads it: level, message and annotations, no formatting. */
export interface CapturedLog {
  readonly level: string
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
}

/**
 * A logger that keeps every line it is given (at or above `minimum`, Info by default as
 * Effect's own default), and the effect wrapper that installs it.
 */
export const captureLogs = (minimum: LogLevel.LogLevel = LogLevel.Info) => {
  const lines: Array<CapturedLog> = []
  const logger = Logger.make(({ logLevel, message, annotations }) => {
    const text = List.isList(message)
      ? List.toArray(message).join(" ")
      : Array.isArray(message)
        ? message.join(" ")
        : String(message)
    lines.push({
      level: logLevel.label,
      message: text,
      annotations: Object.fromEntries(HashMap.toEntries(annotations))
    })
  })
  const provide = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(minimum))
  return { lines, provide }
}
