/**
 * The layers of a jobs package the codemod knows, by exported name, with the tag keys of the
 * services each provides. A layer is wrapped only when the event map has entries for one of
 * its services, so a map without, say, the dispatcher leaves `DispatcherLayer` alone.
 */
const jobs = (name: string) => `@durable-effect/jobs/${name}`

export const knownServiceLayers: ReadonlyMap<string, ReadonlyArray<string>> = new Map([
  ["RuntimeServicesLayer", [jobs("MetadataService"), jobs("AlarmService"), jobs("IdempotencyService")]],
  ["MetadataServiceLayer", [jobs("MetadataService")]],
  ["AlarmServiceLayer", [jobs("AlarmService")]],
  ["IdempotencyServiceLayer", [jobs("IdempotencyService")]],
  ["CleanupServiceLayer", [jobs("CleanupService")]],
  ["RetryExecutorLayer", [jobs("RetryExecutor")]],
  ["JobExecutionServiceLayer", [jobs("JobExecutionService")]],
  [
    "JobHandlersLayer",
    [jobs("ContinuousHandler"), jobs("DebounceHandler"), jobs("TaskHandler"), jobs("WorkerPoolHandler")]
  ],
  ["ContinuousHandlerLayer", [jobs("ContinuousHandler")]],
  ["DebounceHandlerLayer", [jobs("DebounceHandler")]],
  ["TaskHandlerLayer", [jobs("TaskHandler")]],
  ["WorkerPoolHandlerLayer", [jobs("WorkerPoolHandler")]],
  ["DispatcherLayer", [jobs("Dispatcher")]]
])

/** The services of the layers named in the issue: what the codemod wraps with no map at hand. */
export const defaultWrappedServiceKeys: ReadonlySet<string> = new Set(
  [
    "RuntimeServicesLayer",
    "CleanupServiceLayer",
    "RetryExecutorLayer",
    "JobExecutionServiceLayer",
    "JobHandlersLayer",
    "DispatcherLayer"
  ].flatMap((name) => knownServiceLayers.get(name) ?? [])
)
