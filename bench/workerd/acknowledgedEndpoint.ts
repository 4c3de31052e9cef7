/**
 * The endpoint that acknowledgingFetchWorker.ts's `fetch` answers 200 at once, with no network.
 * A module of its own, so the bench (in Node) reads it without loading the Worker.
 */
export const acknowledgedEndpoint = "https://collector.invalid/events"
