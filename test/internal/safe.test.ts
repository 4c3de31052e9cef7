import { Effect, HashMap, Logger, LogLevel } from "effect"
import { describe, expect, it } from "vitest"
import { safeCall, safeRun, safeRunNow, safeSite } from "../../src/internal/safe.js"

interface Line {
  readonly level: string
  readonly message: unknown
  readonly annotations: Record<string, unknown>
}

const capture = () => {
  const lines: Array<Line> = []
  const logger = Logger.make(({ logLevel, message, annotations }) => {
    lines.push({ level: logLevel.label, message, annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
  })
  const run = <A>(effect: Effect.Effect<A>) =>
    Effect.runPromise(
      effect.pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
    )
  return { lines, run }
}

const secret = "Bearer s3cr3t"

describe("safeCall", () => {
  it("returns what the function returns, or the fallback when it throws; the first throw is logged once, annotated, without its cause", async () => {
    const site = safeSite("test/safe", "a recipe")
    const { lines, run } = capture()
    const results = await run(
      Effect.sync(() => [
        safeCall(site, () => 1, 0),
        safeCall(
          site,
          () => {
            throw new Error(secret)
          },
          0
        ),
        safeCall(
          site,
          () => {
            throw new Error(secret)
          },
          -1
        )
      ])
    )
    expect(results).toEqual([1, 0, -1])
    expect(lines).toHaveLength(1)
    expect(lines[0]!.level).toBe("DEBUG")
    expect(lines[0]!.annotations).toEqual({
      package: "durable-effect-tracking",
      module: "test/safe",
      call: "a recipe",
      failure: "throw"
    })
    expect(JSON.stringify(lines)).not.toContain("s3cr3t")
  })

  it("outside any fiber, still falls back (and says nothing)", () => {
    const site = safeSite("test/safe", "outside")
    expect(
      safeCall(
        site,
        () => {
          throw new Error("x")
        },
        "fallback"
      )
    ).toBe("fallback")
  })

  it("keeps the call going when the user's logger itself throws", async () => {
    const site = safeSite("test/safe", "with a throwing logger")
    const throwing = Logger.make(() => {
      throw new Error("logger down")
    })
    const result = await Effect.runPromise(
      Effect.sync(() =>
        safeCall(
          site,
          () => {
            throw new Error("x")
          },
          "fallback"
        )
      ).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, throwing)), Logger.withMinimumLogLevel(LogLevel.All))
    )
    expect(result).toBe("fallback")
  })
})

describe("safeRun", () => {
  it("falls back on a failure, a defect and a throw while making the effect, counting each; logs the first once", async () => {
    const site = safeSite("test/safe", "tracker.emit")
    const { lines, run } = capture()
    let failures = 0
    const count = () => void failures++
    const results = await run(
      Effect.all([
        safeRun(site, Effect.succeed("ok"), Effect.succeed("fallback"), count),
        safeRun(site, Effect.fail(secret), Effect.succeed("fallback"), count),
        safeRun(site, Effect.die(new Error(secret)), Effect.succeed("fallback"), count),
        safeRun(
          site,
          Effect.suspend((): Effect.Effect<string> => {
            throw new Error(secret)
          }),
          Effect.succeed("fallback"),
          count
        )
      ])
    )
    expect(results).toEqual(["ok", "fallback", "fallback", "fallback"])
    expect(failures).toBe(3)
    expect(lines.map((line) => line.annotations)).toEqual([
      { package: "durable-effect-tracking", module: "test/safe", call: "tracker.emit", failure: "failure" }
    ])
    expect(JSON.stringify(lines)).not.toContain("s3cr3t")
  })

  it("names a defect as such", async () => {
    const site = safeSite("test/safe", "storage.get")
    const { lines, run } = capture()
    await run(safeRun(site, Effect.die("boom"), Effect.void))
    expect(lines.map((line) => line.annotations.failure)).toEqual(["defect"])
  })
})

describe("safeRunNow", () => {
  it("runs a plain Effect.sync at once; any other effect comes back guarded, not yet run", async () => {
    const site = safeSite("test/safe", "tracker.emit")
    const { lines, run } = capture()
    const ran: Array<string> = []
    const results = await run(
      Effect.sync(() => {
        const now = safeRunNow(site, () => Effect.sync(() => void ran.push("sync")))
        const later = safeRunNow(site, () => Effect.promise(async () => void ran.push("async")))
        const failing = safeRunNow(site, () => Effect.fail(secret))
        return { now, later, failing, ranBefore: [...ran] }
      }).pipe(
        Effect.flatMap(({ now, later, failing, ranBefore }) =>
          Effect.map(Effect.all([later!, failing!]), (settled) => ({ now, ranBefore, settled }))
        )
      )
    )
    expect(results.now).toBeUndefined()
    expect(results.ranBefore).toEqual(["sync"])
    expect(ran).toEqual(["sync", "async"])
    // The failure fell back to nothing, and was logged once, as safeRun logs it.
    expect(results.settled).toEqual([undefined, undefined])
    expect(lines.map((line) => line.annotations.failure)).toEqual(["failure"])
    expect(JSON.stringify(lines)).not.toContain("s3cr3t")
  })

  it("falls back on a throw while making the effect or in its function, logged once as a defect", async () => {
    const site = safeSite("test/safe", "tracker.emit")
    const { lines, run } = capture()
    const results = await run(
      Effect.sync(() => [
        safeRunNow(site, () => {
          throw new Error(secret)
        }),
        safeRunNow(site, () =>
          Effect.sync(() => {
            throw new Error(secret)
          })
        )
      ])
    )
    expect(results).toEqual([undefined, undefined])
    expect(lines.map((line) => line.annotations.failure)).toEqual(["defect"])
    expect(JSON.stringify(lines)).not.toContain("s3cr3t")
  })
})
