import { Cause, Option } from "effect"
import type { ErrorSummary, FailureKind } from "../tracker/JobEvent.js"

/** How a non-successful exit ended; typed failures win over defects, defects over interruption. */
export const classifyCause = <E>(
  cause: Cause.Cause<E>
): { readonly kind: FailureKind; readonly error: E | undefined; readonly defect: unknown } => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return { kind: "failure", error: failure.value, defect: undefined }
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) return { kind: "defect", error: undefined, defect: defect.value }
  return { kind: "interrupted", error: undefined, defect: undefined }
}

/**
 * A failure as events carry it: its message and tag, never the error object (which may hold
 * job input or state).
 */
export const summarizeError = (error: unknown): ErrorSummary => {
  if (typeof error === "object" && error !== null) {
    const record = error as { readonly _tag?: unknown; readonly message?: unknown }
    const tag = typeof record._tag === "string" ? record._tag : undefined
    const message =
      typeof record.message === "string" && record.message !== ""
        ? record.message
        : (tag ?? (error instanceof Error ? error.name : "Unknown error"))
    return tag === undefined ? { message } : { message, tag }
  }
  if (typeof error === "string") return { message: error }
  return { message: String(error) }
}

/** The summary of a failed call, whatever way it failed. */
export const summarizeFailure = (info: {
  readonly kind: FailureKind
  readonly error: unknown
  readonly defect: unknown
}): ErrorSummary =>
  info.kind === "failure"
    ? summarizeError(info.error)
    : info.kind === "defect"
      ? summarizeError(info.defect)
      : { message: "interrupted", tag: "Interrupted" }
