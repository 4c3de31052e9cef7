import { Deferred, Effect, Fiber, TestClock, TestContext } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { afterOnClock, setHostTimers } from "../../src/delivery/ClockTimer.js"
import { boundedFlush } from "../../src/delivery/SerialFlush.js"

// A flush's and a send's time bounds: a host timer under effect's default Clock, a sleeping
// fiber under any other (and when host timers are turned off). Both must keep the Clock's time.

const runTest = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.provide(effect, TestContext.TestContext))

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
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length
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
