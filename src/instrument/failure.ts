import * as Cause from "effect/Cause"
import * as Option from "effect/Option"
import { maxErrorMessageLength, maxErrorStackLength } from "../event/eventBounds.js"
import type { ErrorSummary, FailureKind } from "../event/ErrorSummary.js"

// Defined with the events, so that trackers can size their limits by them.
export { maxErrorMessageLength, maxErrorStackLength }

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
 * What `summarizeError` adds beyond message and tag (the stack, on request).
 *
 * @category Instrumentation
 */
export interface SummarizeErrorOptions {
  /** Also carry the error's stack (cut at {@link maxErrorStackLength}). Off unless a user opts in. */
  readonly stack?: boolean
}

const cut = (text: string, max: number): string => {
  if (text.length <= max) return text
  // Never split a surrogate pair: the cut text stays valid UTF-16.
  let end = max - 1
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${text.slice(0, end)}…`
}

const named = (error: object): string | undefined => {
  const record = error as { readonly _tag?: unknown; readonly name?: unknown }
  if (typeof record._tag === "string") return record._tag
  return typeof record.name === "string" && record.name !== "" ? record.name : undefined
}

const messageOf = (error: unknown, tag: string | undefined): string => {
  if (typeof error === "string") return error
  if (typeof error === "object" && error !== null) {
    const message = (error as { readonly message?: unknown }).message
    if (typeof message === "string" && message !== "") return message
    return tag ?? "Unknown error"
  }
  return String(error)
}

/**
 * A failure as events carry it: its message (cut at {@link maxErrorMessageLength}), its `_tag`
 * (or, for an error without one, its `name`), and the same of the first error in its `cause`,
 * never the error object (which may hold job input or state). A stack only when asked for.
 *
 * @category Instrumentation
 */
export const summarizeError = (error: unknown, options?: SummarizeErrorOptions): ErrorSummary => {
  const tag = typeof error === "object" && error !== null ? named(error) : undefined
  const summary: { message: string; tag?: string; cause?: { message: string; tag?: string }; stack?: string } = {
    message: cut(messageOf(error, tag), maxErrorMessageLength)
  }
  if (tag !== undefined) summary.tag = tag
  if (typeof error === "object" && error !== null) {
    const cause = (error as { readonly cause?: unknown }).cause
    if (cause !== undefined && cause !== null) {
      const causeTag = typeof cause === "object" ? named(cause) : undefined
      summary.cause = {
        message: cut(messageOf(cause, causeTag), maxErrorMessageLength),
        ...(causeTag === undefined ? {} : { tag: causeTag })
      }
    }
    const stack = (error as { readonly stack?: unknown }).stack
    if (options?.stack === true && typeof stack === "string") summary.stack = cut(stack, maxErrorStackLength)
  }
  return summary
}

/**
 * The summary of a failed call, whatever way it failed.
 *
 * @category Instrumentation
 */
export const summarizeFailure = (
  info: {
    readonly kind: FailureKind
    readonly error: unknown
    readonly defect: unknown
  },
  options?: SummarizeErrorOptions
): ErrorSummary =>
  info.kind === "failure"
    ? summarizeError(info.error, options)
    : info.kind === "defect"
      ? summarizeError(info.defect, options)
      : { message: "interrupted", tag: "Interrupted" }
