import type { JobType } from "./events/JobEvent.js"

/**
 * What a traced call of a jobs runtime knows about the job it works for: the call context of the
 * jobs maps. Outer calls establish it for the calls they make (a handler knows the job's name;
 * the `AlarmService.schedule` it calls does not), and a call can teach its callers what it
 * learnt. Extra keys are free for an event map's own use.
 *
 * @category Instrumentation
 */
export interface JobContext {
  readonly instanceId?: string | undefined
  readonly jobType?: JobType | undefined
  readonly jobName?: string | undefined
  /** What started the work: a request action (`"start"`, `"add"`, ...) or `"alarm"`. */
  readonly trigger?: string | undefined
  readonly [extra: string]: unknown
}
