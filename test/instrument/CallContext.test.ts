import { jobEvents } from "durable-effect-tracking"
import { Deferred, Effect, Fiber } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { currentFrame, frameOf } from "../../src/instrument/CallContext.js"
import { EventBuilder, traceFully, type TrackingRuntime } from "../../src/instrument/trackService.js"
import { setFastPaths } from "../../src/internal/effectInternals.js"

// A traced call that establishes `jobName` for the calls it makes, and emits nothing.
const traced = traceFully("Toy.step", { context: ([jobName]: [string]) => ({ jobName }) }, false)
const runtime: TrackingRuntime = {
  tracker: undefined,
  events: new EventBuilder(jobEvents),
  ambient: { instanceId: "instance-1" },
  now: Effect.succeed(0)
}
const step = <A, E>(jobName: string, body: Effect.Effect<A, E>) =>
  traced(runtime, body, [jobName]) as Effect.Effect<A, E>

// The job name the running fiber's innermost traced call knows.
const known = Effect.withFiberRuntime((fiber) => Effect.succeed(frameOf(fiber, currentFrame)?.context.jobName))

afterEach(() => setFastPaths(true))

// Runs `first`, signals, and waits for `second` (on another fiber) to answer before going on.
const handshake = () =>
  Effect.all([Deferred.make<void>(), Deferred.make<unknown>()]).pipe(
    Effect.map(([moved, read]) => ({
      signal: Deferred.succeed(moved, undefined),
      awaitRead: Deferred.await(read),
      // The other fiber, once signalled: what it knows, handed back.
      readAfterSignal: Deferred.await(moved).pipe(
        Effect.zipRight(known),
        Effect.tap((name) => Deferred.succeed(read, name))
      )
    }))
  )

describe.each([true, false])("a fiber's frames (fast paths %s)", (fast) => {
  it("a forked fiber sees its parent's frame as it was at the fork, not the parent's later ones", async () => {
    setFastPaths(fast)
    const seen = await Effect.runPromise(
      step(
        "outer",
        Effect.gen(function* () {
          const { signal, awaitRead, readAfterSignal } = yield* handshake()
          const child = yield* Effect.fork(readAfterSignal)
          // The child reads its frame while the parent runs its inner call.
          const inParentsInner = yield* step("inner", signal.pipe(Effect.zipRight(awaitRead), Effect.zipRight(known)))
          return { inParentsInner, inChild: yield* Fiber.join(child) }
        })
      )
    )
    expect(seen).toEqual({ inParentsInner: "inner", inChild: "outer" })
  })

  it("a fiber forked while no call runs sees none of its parent's later calls", async () => {
    setFastPaths(fast)
    const seen = await Effect.runPromise(
      Effect.gen(function* () {
        // A first call gives the parent its cell; the child is forked after it ended.
        yield* step("first", Effect.void)
        const { signal, awaitRead, readAfterSignal } = yield* handshake()
        const child = yield* Effect.fork(readAfterSignal)
        const inParent = yield* step("later", signal.pipe(Effect.zipRight(awaitRead), Effect.zipRight(known)))
        return { inParent, inChild: yield* Fiber.join(child) }
      })
    )
    expect(seen).toEqual({ inParent: "later", inChild: undefined })
  })

  it("a fiber forked by one forked while no call ran sees none of the first fiber's later calls", async () => {
    setFastPaths(fast)
    const seen = await Effect.runPromise(
      Effect.gen(function* () {
        yield* step("first", Effect.void)
        const [moved, read] = yield* Effect.all([Deferred.make<void>(), Deferred.make<unknown>()])
        // The child waits until the parent is inside its later call, then forks a grandchild.
        const child = yield* Effect.fork(
          Deferred.await(moved).pipe(
            Effect.zipRight(Effect.flatMap(Effect.fork(known), Fiber.join)),
            Effect.tap((name) => Deferred.succeed(read, name))
          )
        )
        const inParent = yield* step(
          "later",
          Deferred.succeed(moved, undefined).pipe(Effect.zipRight(Deferred.await(read)), Effect.zipRight(known))
        )
        return { inParent, inGrandchild: yield* Fiber.join(child) }
      })
    )
    expect(seen).toEqual({ inParent: "later", inGrandchild: undefined })
  })

  it("a joined fiber leaves its parent's frame alone, and the frame goes back when a call ends", async () => {
    setFastPaths(fast)
    const seen = await Effect.runPromise(
      Effect.gen(function* () {
        const inParent = yield* step(
          "outer",
          Effect.gen(function* () {
            const joined = yield* Effect.zipRight(Fiber.join(yield* Effect.fork(step("joined", known))), known)
            const interrupted = yield* Effect.zipRight(
              Fiber.interrupt(yield* Effect.fork(step("interrupted", Effect.never))),
              known
            )
            return { joined, interrupted }
          })
        )
        return { ...inParent, after: yield* known }
      })
    )
    expect(seen).toEqual({ joined: "outer", interrupted: "outer", after: undefined })
  })

  it("a fiber handed another's fiber refs (not by a fork) reads no frame, and makes a cell of its own for its calls", async () => {
    setFastPaths(fast)
    const seen = await Effect.runPromise(
      step(
        "outer",
        Effect.gen(function* () {
          const refs = yield* Effect.getFiberRefs
          const { signal, awaitRead, readAfterSignal } = yield* handshake()
          const child = yield* Effect.fork(
            Effect.setFiberRefs(refs).pipe(
              Effect.zipRight(known),
              Effect.flatMap((before) =>
                step("child", signal.pipe(Effect.zipRight(awaitRead), Effect.zipRight(known))).pipe(
                  Effect.map((inCall) => ({ before, inCall }))
                )
              )
            )
          )
          // The parent reads its frame while the child runs its call.
          yield* readAfterSignal
          return { inParent: yield* awaitRead, inChild: yield* Fiber.join(child) }
        })
      )
    )
    expect(seen).toEqual({ inParent: "outer", inChild: { before: undefined, inCall: "child" } })
  })
})
