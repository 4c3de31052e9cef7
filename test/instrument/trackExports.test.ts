import { Context, Effect, Exit, Layer } from "effect"
import { describe, expect, it } from "vitest"
import {
  defineVocabulary,
  describeCoverage,
  droppedForLackOfContext,
  eventMapProblems,
  extendEventMap,
  filterEventMap,
  functionEvents,
  InMemoryTracker,
  omitEventFields,
  serviceEvents,
  trackExports,
  withTracking,
  type EventTrackerService,
  vocabularyGate
} from "durable-effect-tracking"
import { EventTracker } from "../../src/tracker/EventTracker.js"

// A package of one's own exporting a combinator: `Tasks.run(name, work)` reads its attempt from a
// store in its context, then runs the work. Events of one's own, about one owner.

type Base = { readonly eventId: string; readonly timestamp: string; readonly owner: string; readonly runId?: string }
type TaskEvent = Base &
  (
    | { readonly type: "task.started"; readonly task: string; readonly attempt: number }
    | { readonly type: "task.failed"; readonly task: string; readonly attempt: number; readonly error: string }
    | { readonly type: "task.done"; readonly task: string; readonly value: number; readonly attempt: number }
    | { readonly type: "task.asked"; readonly task: string }
    | { readonly type: "owner.entered" }
  )

const taskEvents = defineVocabulary<TaskEvent, "owner">({
  name: "tasks",
  types: ["task.started", "task.failed", "task.done", "task.asked", "owner.entered"],
  context: ["owner"],
  optionalContext: ["runId"]
})

interface StoreShape {
  read(key: string): Effect.Effect<number | undefined>
  write(key: string, value: number): Effect.Effect<void>
}
class Store extends Context.Tag("test/TaskStore")<Store, StoreShape>() {}

const storeLayer = (entries: Record<string, number>) =>
  Layer.succeed(Store, {
    read: (key) => Effect.sync(() => entries[key]),
    write: (key, value) => Effect.sync(() => void (entries[key] = value))
  })

const run = (name: string, work: Effect.Effect<number, string>): Effect.Effect<number, string, Store> =>
  Effect.gen(function* () {
    const store = yield* Store
    const attempt = (yield* store.read(`attempt:${name}`)) ?? 1
    yield* store.write(`attempt:${name}`, attempt + 1)
    return yield* work
  })

const Tasks = { run, label: "tasks", twice: (n: number) => n * 2 }

const tasksMap = functionEvents(taskEvents, Tasks, "Tasks", {
  run: {
    before: { "task.asked": ({ args: [task] }) => ({ task }) },
    watch: {
      "test/TaskStore": {
        read: {
          learn: ({ call }) => ({ attempt: (call.result as number | undefined) ?? 1 }),
          success: {
            "task.started": ({ args: [task], call }) => ({ task, attempt: (call.result as number | undefined) ?? 1 })
          }
        }
      }
    },
    success: {
      "task.done": ({ args: [task], result, observed }) => ({
        task,
        value: result,
        attempt: observed.attempt as number
      })
    },
    failure: {
      "task.failed": ({ args: [task], error, observed }) => ({
        task,
        attempt: observed.attempt as number,
        error: String(error)
      })
    }
  }
})

// The enclosing traced call: a service method whose entry establishes the owner.
interface OwnersShape {
  within<A, E, R>(owner: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R>
}
class Owners extends Context.Tag("test/Owners")<Owners, OwnersShape>() {}
const ownersMap = serviceEvents(taskEvents, Owners, "Owners", {
  within: {
    context: ([owner]) => ({ owner, runId: `run-of-${owner}` }),
    before: { "owner.entered": () => ({}) }
  }
})
const eventMap = extendEventMap(ownersMap, tasksMap)
const OwnersLive = withTracking(Layer.succeed(Owners, { within: (_owner, effect) => effect }), { eventMap })

const TrackedTasks = trackExports(Tasks, { eventMap, namespace: "Tasks" })

/** Runs `program` with a recording tracker (or the one given), the owners service and a store. */
const recorded = async <A, E>(
  program: (owners: OwnersShape) => Effect.Effect<A, E, Store>,
  options: { readonly store?: Record<string, number>; readonly tracker?: EventTrackerService } = {}
) => {
  const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(taskEvents) })
  const tracker = Layer.succeed(EventTracker, options.tracker ?? memory.service)
  const exit = await Effect.runPromise(
    Effect.exit(Effect.flatMap(Owners, program)).pipe(
      Effect.provide(Layer.mergeAll(OwnersLive, storeLayer(options.store ?? {})).pipe(Layer.provideMerge(tracker)))
    )
  )
  const events = await Effect.runPromise(memory.handle.getEvents())
  const plain = events.map(({ eventId: _id, timestamp: _t, ...event }) => event)
  return { exit, events: plain }
}

describe("trackExports: an exported combinator traced by a function map", () => {
  it("emits before, from a watched call and on success, with fields from arguments, outcome and observation, in order", async () => {
    const { exit, events } = await recorded(
      (owners) => owners.within("ada", TrackedTasks.run("index", Effect.succeed(7))),
      { store: { "attempt:index": 3 } }
    )
    expect(exit).toEqual(Exit.succeed(7))
    expect(events).toEqual([
      { type: "owner.entered", owner: "ada", runId: "run-of-ada" },
      { type: "task.asked", task: "index", owner: "ada", runId: "run-of-ada" },
      { type: "task.started", task: "index", attempt: 3, owner: "ada", runId: "run-of-ada" },
      { type: "task.done", task: "index", value: 7, attempt: 3, owner: "ada", runId: "run-of-ada" }
    ])
  })

  it("emits on failure with the error, and the failure is the function's own", async () => {
    const { exit, events } = await recorded((owners) =>
      owners.within("bob", TrackedTasks.run("mail", Effect.fail("smtp down")))
    )
    expect(exit).toEqual(Exit.fail("smtp down"))
    expect(events.map((event) => event.type)).toEqual(["owner.entered", "task.asked", "task.started", "task.failed"])
    expect(events[3]).toEqual({
      type: "task.failed",
      task: "mail",
      attempt: 1,
      error: "smtp down",
      owner: "bob",
      runId: "run-of-bob"
    })
  })

  it("sees watched services only inside the function's effect, and runs them as they are", async () => {
    const store: Record<string, number> = {}
    const { events } = await recorded(
      (owners) =>
        owners.within(
          "cy",
          Effect.gen(function* () {
            // A read of the same store outside the combinator: not this call's, no event.
            yield* Effect.flatMap(Store, (s) => s.read("attempt:x"))
            return yield* TrackedTasks.run("x", Effect.succeed(1))
          })
        ),
      { store }
    )
    expect(events.filter((event) => event.type === "task.started")).toHaveLength(1)
    expect(store).toEqual({ "attempt:x": 2 })
  })

  it("adds what the map's ambient services tell to a caller's context that lacks it", async () => {
    const ownerOnly = serviceEvents(taskEvents, Owners, "Owners", { within: { context: ([owner]) => ({ owner }) } })
    const map = extendEventMap(tasksMap, ownerOnly, {
      vocabulary: taskEvents,
      services: {},
      ambient: { "test/TaskStore": () => ({ runId: "run-of-the-store" }) }
    })
    const tasks = trackExports(Tasks, { eventMap: map, namespace: "Tasks" })
    const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(taskEvents) })
    const tracker = Layer.succeed(EventTracker, memory.service)
    // The owners' layer is built without the store: its calls' context has no runId.
    const owners = withTracking(Layer.succeed(Owners, { within: (_owner, effect) => effect }), { eventMap: map })
    await Effect.runPromise(
      Effect.flatMap(Owners, (o) => o.within("eve", tasks.run("audit", Effect.succeed(1)))).pipe(
        Effect.provide(Layer.mergeAll(owners, storeLayer({})).pipe(Layer.provideMerge(tracker)))
      )
    )
    const events = await Effect.runPromise(memory.handle.getEvents())
    expect(events.map((event) => [event.type, event.owner, event.runId])).toEqual([
      ["task.asked", "eve", "run-of-the-store"],
      ["task.started", "eve", "run-of-the-store"],
      ["task.done", "eve", "run-of-the-store"]
    ])
  })

  it("omitEventFields leaves the named fields out of function entries' events too, watched ones included", async () => {
    const map = omitEventFields(eventMap, ["attempt", "value"])
    const owners = withTracking(Layer.succeed(Owners, { within: (_owner, effect) => effect }), { eventMap: map })
    const tasks = trackExports(Tasks, { eventMap: map, namespace: "Tasks" })
    const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(taskEvents) })
    const tracker = Layer.succeed(EventTracker, memory.service)
    const result = await Effect.runPromise(
      Effect.flatMap(Owners, (o) => o.within("flo", tasks.run("sum", Effect.succeed(5)))).pipe(
        Effect.provide(Layer.mergeAll(owners, storeLayer({})).pipe(Layer.provideMerge(tracker)))
      )
    )
    expect(result).toBe(5)
    const events = await Effect.runPromise(memory.handle.getEvents())
    expect(events.map(({ eventId: _id, timestamp: _t, ...event }) => event)).toEqual([
      { type: "owner.entered", owner: "flo", runId: "run-of-flo" },
      { type: "task.asked", task: "sum", owner: "flo", runId: "run-of-flo" },
      { type: "task.started", task: "sum", owner: "flo", runId: "run-of-flo" },
      { type: "task.done", task: "sum", owner: "flo", runId: "run-of-flo" }
    ])
  })

  it("drops and counts the events of a call no traced call gives the context they need", async () => {
    const before = droppedForLackOfContext().get("Tasks.run") ?? 0
    const { exit, events } = await recorded(() => TrackedTasks.run("orphan", Effect.succeed(2)))
    expect(exit).toEqual(Exit.succeed(2))
    expect(events).toEqual([])
    // task.asked, task.started and task.done, each without an owner.
    expect(droppedForLackOfContext().get("Tasks.run")).toBe(before + 3)
  })

  it("a recipe that throws, a tracker that throws or fails: the function's results are unchanged", async () => {
    const throwingMap = extendEventMap(
      eventMap,
      functionEvents(taskEvents, Tasks, "Tasks", {
        run: {
          success: {
            "task.done": () => {
              throw new Error("recipe bug")
            }
          },
          failure: {
            "task.failed": () => {
              throw new Error("recipe bug")
            }
          }
        }
      })
    )
    const Throwing = trackExports(Tasks, { eventMap: throwingMap, namespace: "Tasks" })
    const throwingTracker: EventTrackerService = {
      emit: () => {
        throw new Error("tracker bug")
      },
      flush: () => Effect.void,
      pending: () => Effect.succeed(0)
    }
    const failingTracker: EventTrackerService = {
      emit: () => Effect.die("tracker down"),
      flush: () => Effect.void,
      pending: () => Effect.succeed(0)
    }
    for (const tasks of [Throwing, TrackedTasks]) {
      for (const tracker of [undefined, throwingTracker, failingTracker]) {
        const ok = await recorded(
          (owners) => owners.within("d", tasks.run("t", Effect.succeed(5))),
          tracker ? { tracker } : {}
        )
        expect(ok.exit).toEqual(Exit.succeed(5))
        const failed = await recorded(
          (owners) => owners.within("d", tasks.run("t", Effect.fail("no"))),
          tracker ? { tracker } : {}
        )
        expect(failed.exit).toEqual(Exit.fail("no"))
      }
    }
  })

  it("tracking off returns the very same exports; unmapped members stay the same values", () => {
    expect(trackExports(Tasks, { eventMap, namespace: "Tasks", enabled: false })).toBe(Tasks)
    expect(trackExports(Tasks, { eventMap, namespace: "Elsewhere" })).toBe(Tasks)
    expect(TrackedTasks).not.toBe(Tasks)
    expect(TrackedTasks.run).not.toBe(Tasks.run)
    expect(TrackedTasks.twice).toBe(Tasks.twice)
    expect(TrackedTasks.label).toBe("tasks")
  })

  it("with no tracker in the effect's context, the call's effect is the function's own", async () => {
    const work = Effect.succeed(3)
    const exit = await Effect.runPromise(
      Effect.exit(TrackedTasks.run("quiet", work).pipe(Effect.provide(storeLayer({}))))
    )
    expect(exit).toEqual(Exit.succeed(3))
  })

  it("coverage lists function entries, watched calls included; filtering and checking know them", () => {
    const coverage = describeCoverage(eventMap)
    expect(coverage.events).toEqual([
      { type: "task.started", sources: ["Tasks.run"] },
      { type: "task.failed", sources: ["Tasks.run"] },
      { type: "task.done", sources: ["Tasks.run"] },
      { type: "task.asked", sources: ["Tasks.run"] },
      { type: "owner.entered", sources: ["Owners.within"] }
    ])
    const narrowed = filterEventMap(eventMap, (type) => type !== "task.started")
    expect(describeCoverage(narrowed).missing).toEqual(["task.started"])
    expect(describeCoverage(filterEventMap(eventMap, (type) => type === "owner.entered")).produced).toBe(1)
    expect(
      eventMapProblems({
        ...eventMap,
        functions: { Tasks: { run: { success: { "task.lost": () => ({}) }, watch: { x: { read: { learn: 3 } } } } } }
      } as never)
    ).toEqual([
      'Tasks.run: `success` names "task.lost", which is not a tasks event type',
      "Tasks.run: `watch` x.read: `learn` must be a function"
    ])
  })

  it("trackExports refuses a map whose function entries are malformed; withTracking, which wraps services only, takes it", () => {
    const broken = { ...eventMap, functions: { Tasks: { run: { before: { "task.lost": () => ({}) } } } } } as never
    expect(() => trackExports(Tasks, { eventMap: broken, namespace: "Tasks" })).toThrow(
      expect.objectContaining({
        _tag: "InvalidEventMapError",
        problems: ['Tasks.run: `before` names "task.lost", which is not a tasks event type']
      })
    )
    expect(() =>
      withTracking(Layer.succeed(Owners, { within: (_owner, effect) => effect }), { eventMap: broken })
    ).not.toThrow()
  })
})
