import { Deferred, Effect, Fiber, LogLevel, TestClock, TestContext } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { afterOnClock, setHostTimers } from "../../src/delivery/ClockTimer.js"
import { boundedFlush, boundedPromise } from "../../src/delivery/SerialFlush.js"
import { safeSite } from "../../src/internal/safe.js"
import { captureLogs } from "../support/logCapture.js"

// A flush's and a send's time bounds: a host timer under effect's default Clock, a sleeping
// fiber under any other (and when host timers are turned off). Both must keep the Clock's time.

const runTest = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.provide(effect, TestContext.TestContext))

// The host timers pending now: a bounded wait must leave none of its own behind.
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

describe("afterOnClock", () => {
  afterEach(() => setHostTimers(true))

  it("under a TestClock, runs the task when the clock passes the time, not before", async () => {
    const ran = await runTest(
      Effect.gen(function* () {
        let ran = 0
        yield* afterOnClock(1_000, () => void ran++)
        yield* TestClock.adjust(999)
        const before = ran
        yield* TestClock.adjust(1)
        return [before, ran]
      })
    )
    expect(ran).toEqual([0, 1])
  })

  it("under a TestClock, a cancelled task never runs", async () => {
    const ran = await runTest(
      Effect.gen(function* () {
        let ran = 0
        const cancel = yield* afterOnClock(1_000, () => void ran++)
        yield* TestClock.adjust(10)
        cancel()
        yield* TestClock.adjust(10_000)
        return ran
      })
    )
    expect(ran).toBe(0)
  })

  for (const hostTimers of [true, false]) {
    it(`under the default Clock (host timers ${hostTimers ? "on" : "off"}), runs the task once its time has passed`, async () => {
      setHostTimers(hostTimers)
      const started = Date.now()
      const firedAt = await Effect.runPromise(
        Effect.gen(function* () {
          const fired = yield* Deferred.make<number>()
          yield* afterOnClock(20, () => Deferred.unsafeDone(fired, Effect.succeed(Date.now())))
          return yield* Deferred.await(fired)
        })
      )
      expect(firedAt - started).toBeGreaterThanOrEqual(19)
    })

    it(`under the default Clock (host timers ${hostTimers ? "on" : "off"}), a cancelled task never runs`, async () => {
      setHostTimers(hostTimers)
      let ran = 0
      const cancel = await Effect.runPromise(afterOnClock(5, () => void ran++))
      cancel()
      // A later timer has run: the cancelled one would have run before it.
      await Effect.runPromise(
        Effect.gen(function* () {
          const later = yield* Deferred.make<void>()
          yield* afterOnClock(30, () => Deferred.unsafeDone(later, Effect.void))
          yield* Deferred.await(later)
        })
      )
      expect(ran).toBe(0)
    })
  }
})

describe("boundedFlush", () => {
  it("under a TestClock, interrupts a flush that outlasts its bound, at the bound, from an uninterruptible caller", async () => {
    const result = await runTest(
      Effect.gen(function* () {
        let finalised = false
        const hanging = Effect.never.pipe(Effect.ensuring(Effect.sync(() => void (finalised = true))))
        const caller = yield* Effect.fork(Effect.uninterruptible(boundedFlush(5_000, hanging)))
        yield* TestClock.adjust(4_999)
        const earlyExit = caller.unsafePoll()
        yield* TestClock.adjust(1)
        yield* Fiber.join(caller)
        return { early: earlyExit === null, finalised }
      })
    )
    expect(result).toEqual({ early: true, finalised: true })
  })

  it("under the default Clock, leaves no timer behind once the flush ends", async () => {
    const before = timers()
    let ran = false
    await Effect.runPromise(
      boundedFlush(
        60_000,
        Effect.sync(() => void (ran = true))
      )
    )
    expect(ran).toBe(true)
    expect(timers()).toBe(before)
  })

  it("under the default Clock, interrupts a flush that outlasts its bound", async () => {
    let finalised = false
    const hanging = Effect.never.pipe(Effect.ensuring(Effect.sync(() => void (finalised = true))))
    await Effect.runPromise(Effect.uninterruptible(boundedFlush(20, hanging)))
    expect(finalised).toBe(true)
  })
})

describe("boundedPromise", () => {
  /** A promise settled from the test, and how often it was started. */
  const controlled = () => {
    const state = { started: 0, resolve: () => undefined as void, reject: () => undefined as void }
    const start = () => {
      state.started++
      return new Promise<void>((resolve, reject) => {
        state.resolve = resolve
        state.reject = () => reject(new Error("export failed"))
      })
    }
    return { state, start }
  }

  /** Waits on the TestClock from time 0, the promise settled by `settle` at `settleAtMs`; when the wait ended. */
  const waitEndsAt = (
    timeoutMs: number,
    settleAtMs: number | undefined,
    settle: "resolve" | "reject",
    uninterruptible = false
  ) =>
    runTest(
      Effect.gen(function* () {
        const { state, start } = controlled()
        const wait = boundedPromise(timeoutMs, safeSite("test/boundedPromise", "forceFlush"), start)
        const waiting = yield* Effect.fork(
          Effect.zipRight(
            uninterruptible ? Effect.uninterruptible(wait) : wait,
            Effect.clockWith((clock) => clock.currentTimeMillis)
          )
        )
        if (settleAtMs !== undefined) {
          yield* TestClock.adjust(settleAtMs)
          state[settle]()
        }
        const endedAt = yield* Effect.raceFirst(
          Fiber.join(waiting),
          Effect.zipRight(TestClock.adjust(10 * timeoutMs), Fiber.join(waiting))
        )
        return { endedAt, started: state.started }
      })
    )

  it("waits for the promise, not longer", async () => {
    // The promise settles at 100 ms, its bound is 500: the wait ends at 100.
    expect(await waitEndsAt(500, 100, "resolve")).toEqual({ endedAt: 100, started: 1 })
  })

  it("ends at its bound when the promise never settles, also for an uninterruptible caller", async () => {
    expect(await waitEndsAt(500, undefined, "resolve")).toEqual({ endedAt: 500, started: 1 })
    expect(await waitEndsAt(500, undefined, "resolve", true)).toEqual({ endedAt: 500, started: 1 })
  })

  it("never fails: a rejection ends the wait as its settling does", async () => {
    expect(await waitEndsAt(500, 100, "reject")).toEqual({ endedAt: 100, started: 1 })
  })

  it("a throw or a rejection goes on without the flush; the first at a site is logged, at debug level, once", async () => {
    const site = safeSite("test/boundedPromise", "forceFlush")
    const logs = captureLogs(LogLevel.Debug)
    const throwing = () => {
      throw new Error("no provider")
    }
    const rejecting = () => Promise.reject(new Error("export failed"))
    await Effect.runPromise(
      logs.provide(
        Effect.all([
          boundedPromise(1_000, site, throwing),
          boundedPromise(1_000, site, rejecting),
          boundedPromise(1_000, site, throwing)
        ])
      )
    )
    expect(logs.lines.map((line) => [line.level, line.annotations.call, line.annotations.failure])).toEqual([
      ["DEBUG", "forceFlush", "failure"]
    ])
  })

  it("under the default Clock, leaves no timer behind once the promise settles", async () => {
    const before = timers()
    let started = 0
    await Effect.runPromise(
      boundedPromise(60_000, safeSite("test/boundedPromise", "forceFlush"), () => {
        started++
        return new Promise<void>((resolve) => setImmediate(resolve))
      })
    )
    expect({ started, timers: timers() }).toEqual({ started: 1, timers: before })
  })

  it("something that is not a promise ends the wait at once, with no timer set", async () => {
    const before = timers()
    await Effect.runPromise(boundedPromise(60_000, safeSite("test/boundedPromise", "forceFlush"), () => undefined))
    expect(timers()).toBe(before)
  })
})
