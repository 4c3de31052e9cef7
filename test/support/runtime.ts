import { expect } from "vitest"
import { bundleWorker } from "../../examples/runtime/bundle.js"
import type { EventCollector, ReceivedEvent } from "../../examples/runtime/collector.js"
import { copyJobsPackage } from "../../examples/runtime/fixture.js"
import type { RunningWorker } from "../../examples/runtime/miniflare.js"
import type { ScenarioInstance } from "../../examples/runtime/scenario.js"
import type { JobEventWire } from "../../src/jobs/events/JobEvent.js"
import { runShared } from "./runShared.js"
import { waitUntil } from "./wait.js"
import { checkEventSequence } from "../../src/jobs/events/eventSequence.js"

// The runtime harness for tests that run the jobs fixture in workerd: the demo's own pieces
// (Miniflare, the worker, the scenario) reached through here, and what the tests build on them
// (shared bundles, expected event stories). Tests of the demo itself (its report) import the
// demo directly.
export { startMiniflare, startWorker, type RunningWorker, type TimedCall } from "../../examples/runtime/miniflare.js"
export { instance, runScenario, scenarioInstances, type ScenarioInstance } from "../../examples/runtime/scenario.js"

/** Worker bundles over a codemodded copy of the fixture and over an untouched one. */
export interface Bundles {
  readonly tracked: string
  /** Empty unless asked for. */
  readonly untracked: string
}

const bundleCopy = async (codemod: boolean, entry?: string): Promise<string> => {
  const copy = await copyJobsPackage({ codemod })
  try {
    return await bundleWorker(copy, entry)
  } finally {
    // The bundle is self-contained: the copy is not needed any more.
    copy.remove()
  }
}

/** The bundles, built once per test run and shared by the files that need them (see runShared). */
export const sharedBundles = async (
  options: { readonly untracked: boolean } = { untracked: true }
): Promise<Bundles> => ({
  tracked: await runShared("worker-tracked.js", () => bundleCopy(true)),
  untracked: options.untracked ? await runShared("worker-untracked.js", () => bundleCopy(false)) : ""
})

/**
 * The tracked bundle with the test-only pause hook at each storage call
 * (test/support/workers/wipe-pause-worker.ts), shared like the others.
 */
export const sharedPausingBundle = (): Promise<string> =>
  runShared("worker-tracked-pausing.js", () => bundleCopy(true, "test/support/workers/wipe-pause-worker.ts"))

/** Types joined by spaces, and a pattern over them: `one(...)` once, `some(min, ...)` repeated. */
export const one = (...types: ReadonlyArray<string>): string =>
  types.map((type) => `${type.replace(/\./g, "\\.")} `).join("")
export const some = (min: number, ...types: ReadonlyArray<string>): string => `(?:${one(...types)}){${min},}`
export const sequence = (...parts: ReadonlyArray<string>): RegExp => new RegExp(`^${parts.join("")}$`)
export const typesOf = (events: ReadonlyArray<JobEventWire>): string => events.map((event) => `${event.type} `).join("")

/** What a job instance's events must be, in order. */
export interface ExpectedInstance {
  readonly instance: ScenarioInstance
  readonly types: RegExp
}

/** The accepted events of one instance, in arrival order. */
export const eventsOf = (collector: EventCollector, instanceId: string): Array<JobEventWire> =>
  collector
    .events()
    .filter((received: ReceivedEvent) => received.event.instanceId === instanceId)
    .map((received) => received.event)

/** True once every instance's events, in arrival order, match its expected sequence. */
export const allArrived = async (
  collector: EventCollector,
  worker: RunningWorker,
  expected: ReadonlyArray<ExpectedInstance>
): Promise<true | undefined> => {
  for (const { instance, types } of expected) {
    if (!types.test(typesOf(eventsOf(collector, await worker.instanceId(instance.instanceName))))) return undefined
  }
  return true
}

/**
 * Waits until every instance's story has arrived (or, bounded, for a story that is not coming);
 * then {@link expectStories} says what is missing, if anything is.
 */
export const waitForStories = (
  collector: EventCollector,
  worker: RunningWorker,
  expected: ReadonlyArray<ExpectedInstance>,
  /**
   * Called between looks while events are missing. A flush whose request timed out (a busy
   * machine can make any short timeout expire) keeps its events for the object's next call:
   * a call is what delivers them, as it would be for a live object.
   */
  prod?: () => Promise<unknown>
): Promise<unknown> =>
  waitUntil("every instance's events", async () => {
    const arrived = await allArrived(collector, worker, expected)
    if (arrived === undefined && prod !== undefined) await prod()
    return arrived
  }).catch(() => undefined)

/**
 * Checks every instance's story as the collector has it: the expected types in order, the
 * right instance id, job type and name on each event, arrival order = eventId (UUIDv7) order,
 * times never going back, and the tracker's `env` and `serviceKey`.
 */
export const expectStories = async (
  collector: EventCollector,
  worker: RunningWorker,
  expected: ReadonlyArray<ExpectedInstance>,
  deployment: { readonly env: string; readonly serviceKey: string }
): Promise<void> => {
  expect(collector.invalidBodies).toEqual([])
  const instanceIds = new Set<string>()
  for (const { instance, types } of expected) {
    const instanceId = await worker.instanceId(instance.instanceName)
    instanceIds.add(instanceId)
    const events = eventsOf(collector, instanceId)
    expect(typesOf(events), instance.instanceName).toMatch(types)
    for (const event of events) {
      expect(event, instance.instanceName).toMatchObject({
        instanceId,
        jobType: instance.jobType,
        jobName: instance.jobName,
        env: deployment.env,
        serviceKey: deployment.serviceKey
      })
    }
    const ids = events.map((event) => event.eventId)
    expect(ids, `${instance.instanceName}: arrival order is eventId order`).toEqual([...ids].sort())
    const times = events.map((event) => Date.parse(event.timestamp))
    expect(times, `${instance.instanceName}: times never go back`).toEqual([...times].sort((a, b) => a - b))
    expect(checkEventSequence(events), `${instance.instanceName}: the documented causal order`).toEqual([])
  }
  // Nothing from instances the scenario did not touch.
  expect(collector.events().filter((received) => !instanceIds.has(received.event.instanceId))).toEqual([])
}

/** A job response with its times (fields ending in `At`) replaced, for comparing two runs. */
export const withoutTimes = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutTimes)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      /At$/.test(key) && typeof field === "number" ? "<time>" : withoutTimes(field)
    ])
  )
}
