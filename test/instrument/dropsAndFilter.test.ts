import { Context, Effect, Layer, Logger } from "effect"
import { describe, expect, it } from "vitest"
import {
  eventMapProblems,
  filterEventMap,
  serviceEvents,
  validateEventMap,
  droppedForLackOfContext,
  withTracking,
  defaultJobsEventMap,
  inlineJobsEventMap,
  JobEventTypes,
  InMemoryTracker,
  jobEvents
} from "durable-effect-tracking"
import { InstanceLayer, toyEventMap } from "./support.js"

// A custom service whose entry gives no job context: its events cannot be completed.
class Mailer extends Context.Tag("test/drops/Mailer")<Mailer, { send(to: string): Effect.Effect<void> }>() {}
const MailerLayer = Layer.succeed(Mailer, { send: () => Effect.void })
const mailerEvents = serviceEvents(jobEvents, Mailer, "Mailer", {
  send: { success: { "task.event.processed": () => ({ outcome: "success" as const }) } }
})

const captureWarnings = () => {
  const warnings: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => {
    if (logLevel._tag === "Warning") warnings.push(Array.isArray(message) ? message.join(" ") : String(message))
  })
  return { warnings, layer: Logger.replace(Logger.defaultLogger, logger) }
}

describe("events dropped for lack of job context", () => {
  it("are counted per Service.method, and the first drop of each logs one warning naming what was missing and the entry to add", async () => {
    const memory = InMemoryTracker.make()
    const tracked = withTracking(MailerLayer, { eventMap: { ...mailerEvents, ambient: toyEventMap.ambient } }).pipe(
      Layer.provide(Layer.mergeAll(InMemoryTracker.layer(memory), InstanceLayer))
    )
    const { warnings, layer: logging } = captureWarnings()
    const before = droppedForLackOfContext().get("Mailer.send") ?? 0
    const sendThrice = Effect.flatMap(Mailer, (mailer) =>
      Effect.all([mailer.send("a"), mailer.send("b"), mailer.send("c")])
    )
    await Effect.runPromise(sendThrice.pipe(Effect.provide(tracked), Effect.provide(logging)))

    expect(await Effect.runPromise(memory.handle.getEvents())).toEqual([])
    expect(droppedForLackOfContext().get("Mailer.send")).toBe(before + 3)
    // The first drop of this file's service: one warning for the three.
    expect(before).toBe(0)
    const mine = warnings.filter((warning) => warning.includes("Mailer.send"))
    expect(mine).toHaveLength(1)
    // The instance id is known (ambient); the job type and name are not.
    expect(mine[0]).toContain('"task.event.processed"')
    expect(mine[0]).toContain("jobType, jobName")
    expect(mine[0]).not.toContain("instanceId")
    expect(mine[0]).toContain("`context` on Mailer.send")
  })

  it("an entry with a context emits instead of dropping", async () => {
    const memory = InMemoryTracker.make()
    const withContext = serviceEvents(jobEvents, Mailer, "Mailer", {
      send: {
        context: () => ({ jobType: "task", jobName: "mailer" }),
        success: { "task.event.processed": () => ({ outcome: "success" as const }) }
      }
    })
    const tracked = withTracking(MailerLayer, { eventMap: { ...withContext, ambient: toyEventMap.ambient } }).pipe(
      Layer.provide(Layer.mergeAll(InMemoryTracker.layer(memory), InstanceLayer))
    )
    await Effect.runPromise(Effect.flatMap(Mailer, (mailer) => mailer.send("a")).pipe(Effect.provide(tracked)))
    expect((await Effect.runPromise(memory.handle.getEvents())).map((event) => event.type)).toEqual([
      "task.event.processed"
    ])
  })
})

describe("filterEventMap never returns a map withTracking rejects", () => {
  const maps = { toy: toyEventMap, default: defaultJobsEventMap, inline: inlineJobsEventMap }
  it.each(Object.keys(maps))("%s map: every single type kept, and none, gives a sound map", (name) => {
    const map = maps[name as keyof typeof maps]
    for (const keep of [...JobEventTypes.map((type) => (t: string) => t === type), () => false]) {
      const narrowed = filterEventMap(map, keep)
      expect(eventMapProblems(narrowed)).toEqual([])
      expect(() => withTracking(Layer.empty, { eventMap: narrowed })).not.toThrow()
    }
  })

  it("an entry left with nothing to emit keeps its context and learning, or is dropped with its service", () => {
    const narrowed = filterEventMap(toyEventMap, (type) => type === "task.event.processed")
    // Outer.run and Outer.wake establish context: kept, without recipes.
    expect(Object.keys(narrowed.services["test/Outer"]!.methods).sort()).toEqual(["run", "wake"])
    expect(narrowed.services["test/Outer"]!.methods["run"]!.before).toEqual({})
    // Inner.lookup only learns: kept; Inner.step still emits.
    expect(Object.keys(narrowed.services["test/Inner"]!.methods).sort()).toEqual(["lookup", "step"])
    // A service whose only entry emitted a dropped type goes entirely.
    const mailerOnly = filterEventMap(mailerEvents, (type) => type !== "task.event.processed")
    expect(mailerOnly.services).toEqual({})
    expect(validateEventMap(mailerOnly)).toBe(mailerOnly)
  })
})
