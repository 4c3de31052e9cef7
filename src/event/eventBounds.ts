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
