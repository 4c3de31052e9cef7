import { TaggedError } from "../internal/taggedError.js"

/**
 * A tracker configuration that cannot work. Thrown when the tracker or its layer is created,
 * so a bad deployment fails at start-up rather than silently losing events. The issues name
 * fields and rules only: never header values or the endpoint (either may hold a secret).
 *
 * @category Trackers
 */
export class InvalidTrackerConfigError extends TaggedError("InvalidTrackerConfigError")<{
  readonly issues: ReadonlyArray<string>
  /** Which tracker the configuration is for; default "HTTP". */
  readonly tracker?: string
}> {
  override get message(): string {
    return `Invalid ${this.tracker ?? "HTTP"} tracker configuration: ${this.issues.join("; ")}`
  }
}
