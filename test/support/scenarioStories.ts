import { type ExpectedInstance, one, scenarioInstances as s, sequence, some } from "./runtime.js"
import { flakyStory } from "./steady.js"

/**
 * The events of each instance of the demo's scenario (runScenario) under the default map, in
 * order (see docs/events.md and the golden tests).
 */
export const scenarioStories: ReadonlyArray<ExpectedInstance> = [
  {
    instance: s.heartbeat,
    types: sequence(
      one("job.created", "job.started", "execution.started", "execution.succeeded", "alarm.scheduled"),
      one("alarm.fired", "execution.started", "execution.succeeded", "alarm.scheduled"),
      one("alarm.fired", "execution.started", "execution.succeeded", "alarm.scheduled"),
      one("alarm.cancelled", "job.terminated")
    )
  },
  { instance: s.flaky, types: flakyStory },
  {
    instance: s.ticker,
    types: sequence(
      one("job.created", "job.started"),
      some(3, "execution.started", "execution.succeeded", "alarm.scheduled"),
      one("execution.started", "alarm.cancelled", "execution.succeeded", "job.terminated")
    )
  },
  {
    instance: s.clicks,
    types: sequence(
      one("job.created", "job.started", "alarm.scheduled", "debounce.event.added", "debounce.event.added"),
      // The third click reaches maxEvents: the flush runs inside `add`, after the click it follows.
      one(
        "debounce.event.added",
        "debounce.flush.triggered",
        "execution.started",
        "execution.succeeded",
        "job.completed",
        "alarm.cancelled"
      ),
      one("job.created", "job.started", "alarm.scheduled", "debounce.event.added"),
      one(
        "alarm.fired",
        "debounce.flush.triggered",
        "execution.started",
        "execution.succeeded",
        "job.completed",
        "alarm.cancelled"
      )
    )
  },
  {
    instance: s.cleared,
    types: sequence(
      one(
        "job.created",
        "job.started",
        "alarm.scheduled",
        "debounce.event.added",
        "alarm.cancelled",
        "debounce.cleared"
      )
    )
  },
  {
    instance: s.orders,
    types: sequence(
      one(
        "job.created",
        "job.started",
        "task.event.received",
        "execution.started",
        "execution.succeeded",
        "task.event.processed",
        "task.idle"
      ),
      one("task.event.received", "execution.started", "alarm.scheduled", "execution.succeeded", "task.event.processed"),
      // The alarm's run leaves the schedule alone: no service tells whether the task is idle.
      one("alarm.fired", "execution.started", "execution.succeeded")
    )
  },
  {
    instance: s.mailer,
    types: sequence(
      one("job.created", "job.started", "alarm.scheduled"),
      one("alarm.fired", "execution.started", "execution.succeeded", "alarm.scheduled"),
      one("alarm.fired", "execution.started", "execution.succeeded")
    )
  }
]
