import { Context, Effect, Exit, Layer } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import {
  defineVocabulary,
  describeCoverage,
  eventMapProblems,
  extendEventMap,
  filterEventMap,
  InMemoryTracker,
  omitEventFields,
  reachedEvents,
  serviceEventsByKey,
  withTracking,
  type EventMap,
  vocabularyGate
} from "durable-effect-tracking"
import { setFastPaths } from "../../src/internal/effectInternals.js"

// A package of one's own whose runner takes each job's definition from a catalog service's value
// (`catalog.jobs[name]`) and calls its `run`: no service method call shows that `run` ran. The
// map's `reached` entries follow the path to it.

type Base = { readonly eventId: string; readonly timestamp: string; readonly owner: string }
type JobEvent = Base &
  (
    | { readonly type: "job.ran"; readonly input: number; readonly value: number }
    | { readonly type: "job.failed"; readonly input: number; readonly failure: string }
    | { readonly type: "runner.done"; readonly reached: boolean }
  )

const ownJobs = defineVocabulary<JobEvent, "owner">({
  name: "own-jobs",
  types: ["job.ran", "job.failed", "runner.done"],
  context: ["owner"]
})

interface Definition {
  readonly label: string
  run(n: number): Effect.Effect<number, string>
  describe(): string
}
interface CatalogShape {
  readonly catalog: { readonly jobs: Record<string, Definition> }
}
class Catalog extends Context.Tag("test/Catalog")<Catalog, CatalogShape>() {}

interface RunnerShape {
  go(name: string, n: number): Effect.Effect<number, string>
  /** What the runner's build took from the catalog: to compare with the value itself. */
  readonly seen: CatalogShape
}
class Runner extends Context.Tag("test/Runner")<Runner, RunnerShape>() {}

const describeJob = () => "a job"
const catalogValue: CatalogShape = {
  catalog: {
    jobs: {
      double: {
        label: "double",
        run: (n) => (n < 0 ? Effect.fail(`negative ${n}`) : Effect.succeed(n * 2)),
        describe: describeJob
      }
    }
  }
}

// The runner reads the catalog while it is built, as a jobs handler reads its registry.
const RunnerLayer = Layer.effect(
  Runner,
  Effect.gen(function* () {
    const seen = yield* Catalog
    return {
      seen,
      go: (name, n) => Effect.suspend(() => seen.catalog.jobs[name]!.run(n))
    }
  })
)

const runnerEntries = serviceEventsByKey<RunnerShape>()(ownJobs, "test/Runner", "Runner", {
  go: {
    context: ([name]) => ({ owner: name }),
    success: { "runner.done": ({ context }) => ({ reached: context["ranWith"] !== undefined }) },
    failure: { "runner.done": ({ context }) => ({ reached: context["ranWith"] !== undefined }) }
  }
})

const runEntry = {
  // What a run teaches its callers, before the runner's own recipes read it.
  learn: (_value: number, [n]: [number]) => ({ ranWith: n }),
  learnOnFailure: (_outcome: unknown, [n]: [number]) => ({ ranWith: n }),
  success: { "job.ran": ({ args: [n], result }: { args: [number]; result: number }) => ({ input: n, value: result }) },
  failure: {
    "job.failed": ({ args: [n], error }: { args: [number]; error: string | undefined }) => ({
      input: n,
      failure: String(error)
    })
  }
}

const reachedMap = extendEventMap(
  runnerEntries,
  reachedEvents(ownJobs, "test/Catalog", "Catalog", { "catalog.jobs.*.run": runEntry })
)

/** Runs `body` over the runner wrapped with `map`, the catalog and (unless `tracked` is false) a tracker under it. */
const runWith = async <A, E>(map: EventMap, body: Effect.Effect<A, E, Runner>, tracked = true) => {
  const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(ownJobs) })
  const catalogLayer = Layer.succeed(Catalog, catalogValue)
  const under = tracked ? Layer.merge(catalogLayer, InMemoryTracker.layer(memory)) : catalogLayer
  const layer = withTracking(RunnerLayer, { eventMap: map }).pipe(Layer.provide(under))
  const exit = await Effect.runPromiseExit(body.pipe(Effect.provide(layer)))
  const events = (await Effect.runPromise(memory.handle.getEvents())) as ReadonlyArray<Record<string, unknown>>
  return { exit, events: events.map(({ eventId: _id, timestamp: _at, ...rest }) => rest) }
}

describe("reached entries: functions found at a path in a service's value", () => {
  afterEach(() => setFastPaths(true))

  it("trace a function the layer takes from the value: its args, result and failure; what it teaches reaches its callers", async () => {
    const { exit, events } = await runWith(
      reachedMap,
      Effect.gen(function* () {
        const runner = yield* Runner
        const value = yield* runner.go("double", 4)
        const failed = yield* Effect.exit(runner.go("double", -1))
        return { value, failed }
      })
    )
    expect(exit).toEqual(Exit.succeed({ value: 8, failed: Exit.fail("negative -1") }))
    expect(events).toEqual([
      { type: "job.ran", owner: "double", input: 4, value: 8 },
      { type: "runner.done", owner: "double", reached: true },
      { type: "job.failed", owner: "double", input: -1, failure: "negative -1" },
      { type: "runner.done", owner: "double", reached: true }
    ])
  })

  it("the same events when effect's layer internals are not read (the public-API fallback)", async () => {
    setFastPaths(false)
    const { events } = await runWith(
      reachedMap,
      Effect.flatMap(Runner, (runner) => runner.go("double", 2))
    )
    expect(events.map((event) => event["type"])).toEqual(["job.ran", "runner.done"])
    expect(events[1]).toEqual({ type: "runner.done", owner: "double", reached: true })
  })

  it("leaves the rest of the value as it is: other members, a function off the paths, a value read twice", async () => {
    const { exit } = await runWith(
      reachedMap,
      Effect.map(Runner, ({ seen }) => {
        const job = seen.catalog.jobs["double"]!
        return {
          viewed: seen !== catalogValue && job !== catalogValue.catalog.jobs["double"],
          sameView: seen.catalog.jobs["double"] === job && job.run === job.run,
          label: job.label,
          offPath: job.describe === describeJob,
          keys: Object.keys(seen.catalog.jobs),
          unknown: seen.catalog.jobs["missing"]
        }
      })
    )
    expect(exit).toEqual(
      Exit.succeed({
        viewed: true,
        sameView: true,
        label: "double",
        offPath: true,
        keys: ["double"],
        unknown: undefined
      })
    )
  })

  it("without a tracker, or without reached entries, the build reads the service's value itself", async () => {
    const seen = (map: EventMap, tracked = true) =>
      runWith(
        map,
        Effect.map(Runner, (runner) => runner.seen === catalogValue),
        tracked
      )
    expect((await seen(reachedMap, false)).exit).toEqual(Exit.succeed(true))
    expect((await seen(runnerEntries)).exit).toEqual(Exit.succeed(true))
    expect((await seen(reachedMap)).exit).toEqual(Exit.succeed(false))
  })

  it("are checked, merged, filtered and reported as method entries are", () => {
    const broken = reachedEvents(ownJobs, "test/Catalog", "Catalog", { "catalog..run": { learn: () => ({}) } })
    expect(eventMapProblems(broken)).toEqual(["reached Catalog.catalog..run: a path names each key, joined by dots"])
    expect(() => withTracking(RunnerLayer, { eventMap: broken })).toThrow(/a path names each key/)
    const handWritten: EventMap = { ...runnerEntries, reached: { services: {} } as never }
    expect(eventMapProblems(handWritten)).toEqual(["`reached` must be as `reachedEvents` makes it"])

    // A later entry for the same path wins; other paths are kept.
    const later = reachedEvents(ownJobs, "test/Catalog", "Catalog", { "catalog.jobs.*.run": { learn: () => ({}) } })
    const other = reachedEvents(ownJobs, "test/Catalog", "Catalog", { "catalog.other": { learn: () => ({}) } })
    const merged = extendEventMap(reachedMap, later, other).reached!.services["test/Catalog"]!.methods
    expect(Object.keys(merged)).toEqual(["catalog.jobs.*.run", "catalog.other"])
    expect(merged["catalog.jobs.*.run"]).toBe(later.reached!.services["test/Catalog"]!.methods["catalog.jobs.*.run"])

    expect(describeCoverage(reachedMap).events).toEqual([
      { type: "job.ran", sources: ["Catalog.catalog.jobs.*.run"] },
      { type: "job.failed", sources: ["Catalog.catalog.jobs.*.run"] },
      { type: "runner.done", sources: ["Runner.go"] }
    ])
    // Without its events the entry still teaches; with nothing left to do it goes.
    const onlyDone = filterEventMap(reachedMap, (type) => type === "runner.done")
    expect(Object.keys(onlyDone.reached!.services["test/Catalog"]!.methods["catalog.jobs.*.run"]!.success!)).toEqual([])
    const { learn: _learn, learnOnFailure: _learnOnFailure, ...onlyEmits } = runEntry
    const emitting = extendEventMap(
      runnerEntries,
      reachedEvents(ownJobs, "test/Catalog", "Catalog", { "catalog.jobs.*.run": onlyEmits })
    )
    expect(filterEventMap(emitting, (type) => type === "runner.done").reached).toBeUndefined()
  })

  it("readBefore: a read of the value's owner before the call, learnt; one that fails teaches nothing and changes nothing", async () => {
    let reads = 0
    const reading = (fails: boolean) =>
      extendEventMap(
        runnerEntries,
        reachedEvents(ownJobs, "test/Catalog", "Catalog", {
          "catalog.jobs.*.run": {
            readBefore: (job: Definition, [n]: [number]) =>
              Effect.suspend(() => {
                reads++
                return fails ? Effect.die(new Error("unreadable")) : Effect.succeed({ ranWith: `${job.label}(${n})` })
              })
          }
        })
      )
    const go = Effect.flatMap(Runner, (runner) => runner.go("double", 5))
    const read = await runWith(reading(false), go)
    expect(read.exit).toEqual(Exit.succeed(10))
    expect(read.events).toEqual([{ type: "runner.done", owner: "double", reached: true }])
    const failed = await runWith(reading(true), go)
    expect(failed.exit).toEqual(Exit.succeed(10))
    expect(failed.events).toEqual([{ type: "runner.done", owner: "double", reached: false }])
    expect(reads).toBe(2)
  })

  it("omitEventFields leaves the named fields out of their events", async () => {
    const { events } = await runWith(
      omitEventFields(reachedMap, ["value"]),
      Effect.flatMap(Runner, (runner) => runner.go("double", 3))
    )
    expect(events[0]).toEqual({ type: "job.ran", owner: "double", input: 3 })
  })
})
