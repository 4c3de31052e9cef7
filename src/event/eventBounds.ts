/**
 * The bounds instrumentation keeps an error summary within, in any vocabulary: what a
 * vocabulary's largest event is built from, so that trackers can size their byte limits by them.
 * Here, in the events' room, so that sinks can check their limits without importing the
 * instrumentation.
 */

/**
 * The longest error message an event carries, in characters; a longer one is cut and ends in "…".
 *
 * @category Instrumentation
 */
export const maxErrorMessageLength = 1024
/**
 * The longest stack an event carries when stacks are asked for, in characters.
 *
 * @category Instrumentation
 */
export const maxErrorStackLength = 4096

/**
 * A name as long as a largest event counts it: 64 characters. A Durable Object id is 64 hex
 * digits; tags (an error's `_tag` or `name`), types and job names are identifiers, shorter in
 * practice.
 */
export const largestName = "n".repeat(64)

const atCap = (length: number): string => `${"x".repeat(length - 1)}…`

/**
 * An error summary at its caps, as a vocabulary's largest event counts it: message, cause and
 * the opt-in stack cut at their caps (ending in "…"), tags of {@link largestName}'s length. With
 * ASCII text.
 */
export const errorSummaryAtCaps = {
  message: atCap(maxErrorMessageLength),
  tag: largestName,
  cause: { message: atCap(maxErrorMessageLength), tag: largestName },
  stack: atCap(maxErrorStackLength)
} as const
