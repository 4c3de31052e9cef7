/**
 * What a recipe gives for a workflow or upstream job event: the type's own fields, the context
 * keys optional (a recipe may know them better), never what the builder fills (id, timestamp,
 * the constant `source`). Type-checked by `npm run typecheck` (and `tsc`), not run by vitest.
 */
import { expectTypeOf } from "vitest"
import type { UpstreamJobEvents, WorkflowEvents } from "durable-effect-tracking"
// Not yet on the public entry: the vocabulary branch exports it.
import type { RecipeFieldsOf } from "../../../src/event/Vocabulary.js"

/** The keys a value of `T` must have. */
type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T]

type StepCompleted = RecipeFieldsOf<WorkflowEvents, "step.completed">
expectTypeOf<RequiredKeys<StepCompleted>>().toEqualTypeOf<"stepName" | "attempt" | "durationMs" | "cached">()
expectTypeOf<StepCompleted>().toHaveProperty("workflowId")
expectTypeOf<StepCompleted>().not.toHaveProperty("eventId")
expectTypeOf<StepCompleted>().not.toHaveProperty("source")
expectTypeOf<StepCompleted>().not.toHaveProperty("type")
const completed: StepCompleted = { stepName: "charge", attempt: 1, durationMs: 40, cached: false }
void completed
// @ts-expect-error: `cached` is the type's own field, required
const withoutCached: StepCompleted = { stepName: "charge", attempt: 1, durationMs: 40 }
void withoutCached

type WorkflowResumed = RecipeFieldsOf<WorkflowEvents, "workflow.resumed">
expectTypeOf<RequiredKeys<WorkflowResumed>>().toEqualTypeOf<never>()
expectTypeOf<WorkflowResumed>().toHaveProperty("executionId")

type JobFailed = RecipeFieldsOf<UpstreamJobEvents, "job.failed">
expectTypeOf<RequiredKeys<JobFailed>>().toEqualTypeOf<"error" | "runCount" | "attempt" | "willRetry">()
expectTypeOf<JobFailed>().toHaveProperty("id")
expectTypeOf<JobFailed>().toHaveProperty("preExecutionState")
expectTypeOf<JobFailed>().not.toHaveProperty("source")
const failed: JobFailed = { error: { message: "boom" }, runCount: 1, attempt: 1, willRetry: false }
void failed
// @ts-expect-error: upstream's retry reasons are max_attempts and max_duration
const exhausted: RecipeFieldsOf<UpstreamJobEvents, "job.retryExhausted"> = { attempts: 3, reason: "gave_up" }
void exhausted
