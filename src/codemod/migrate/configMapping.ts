/**
 * How the fields of upstream core's `HttpBatchTrackerConfig` (what a hand-tracked release's
 * users pass to `createDurableJobs(definitions, { tracker })`) are read by this library's HTTP
 * batch tracker once the package is migrated. The config object is passed on as it is: every
 * field has the same name here, and two of them mean a little more or less.
 */
export interface ConfigFieldMapping {
  /** The field in upstream core's config. */
  readonly field: string
  /** The field of this library's `HttpBatchTrackerConfig` that reads it. */
  readonly to: string
  readonly how: "same" | "same name, other meaning"
  readonly note: string
}

export const trackerConfigMapping: ReadonlyArray<ConfigFieldMapping> = [
  {
    field: "endpoint",
    to: "endpoint",
    how: "same",
    note: "where batches are POSTed (an absolute http(s) URL, checked)"
  },
  { field: "env", to: "env", how: "same", note: "added to every event as it is sent" },
  { field: "serviceKey", to: "serviceKey", how: "same", note: "added to every event as it is sent" },
  {
    field: "batchSize",
    to: "batchSize",
    how: "same",
    note: "events per POST (default 100, as upstream's); a full batch is sent by the next flush, never inside the call that emits"
  },
  { field: "headers", to: "headers", how: "same", note: "extra request headers, passed through" },
  {
    field: "retry.maxAttempts",
    to: "retry.maxAttempts",
    how: "same name, other meaning",
    note: "upstream counts retries after the first POST (3: four POSTs); here it counts attempts, the first included (3: three POSTs)"
  },
  {
    field: "retry.initialDelayMs",
    to: "retry.initialDelayMs",
    how: "same name, other meaning",
    note: "the first backoff, doubled per retry as upstream's, here with jitter and capped by retry.maxDelayMs (5000 ms); absent, 500 ms here against upstream's 1000 ms"
  }
]
