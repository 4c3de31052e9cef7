import type { Effect } from "effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"

/**
 * Runs in place an effect that is a plain `Effect.sync` or `Effect.succeed` (an `Exit.succeed`
 * or `Effect.void` included), as a clock read or an in-memory tracker's `emit` usually is.
 *
 * Why: in a jobs runtime each effect operation costs roughly a microsecond (the run loop of a
 * big, megamorphic program: see BENCHMARKS.md), and a traced call ran three for each clock read
 * and four for each emit, besides its own.
 * A `Sync` effect run by a fiber calls its function and nothing else, so calling it here, from
 * code the same fiber is running, is the same thing. It reads effect's primitive (`_op` and
 * `effect_instruction_i0`, the same in every 3.x); any other effect, or a shape this does not
 * know, gives {@link notInline} and the caller runs it as an effect. A throw is the caller's to
 * handle, as a defect of the effect.
 */
export const runInline = (effect: Effect.Effect<unknown, unknown, unknown>): unknown => {
  const primitive = effect as unknown as { readonly _op?: unknown; readonly effect_instruction_i0?: unknown }
  switch (primitive._op) {
    case "Sync":
      return typeof primitive.effect_instruction_i0 === "function"
        ? (primitive.effect_instruction_i0 as () => unknown)()
        : notInline
    case "Success":
      return primitive.effect_instruction_i0
    default:
      return notInline
  }
}

/** What {@link runInline} gives for an effect it cannot run in place. */
export const notInline: unique symbol = Symbol("notInline")

/**
 * The function a plain `Effect.sync`/`Effect.succeed` would run, for an effect made once and run
 * many times (a build's clock): `undefined` for any other effect.
 */
export const inlineReader = <A>(effect: Effect.Effect<A, unknown, unknown>): (() => A) | undefined => {
  const primitive = effect as unknown as { readonly _op?: unknown; readonly effect_instruction_i0?: unknown }
  if (primitive._op === "Sync" && typeof primitive.effect_instruction_i0 === "function")
    return primitive.effect_instruction_i0 as () => A
  if (primitive._op === "Success") {
    const value = primitive.effect_instruction_i0 as A
    return () => value
  }
  return undefined
}

/**
 * Sets `ref` on `fiber`, which must be the fiber running this code, in place: effect's fiber
 * runtime has the method (`Effect.locally` and `FiberRef.set` end in it) but the public
 * `RuntimeFiber` type does not name it. `undefined` when done; otherwise (a runtime without it)
 * the effect that sets it, for the caller to run first.
 */
export const setFiberRefNow = <A>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  ref: FiberRef.FiberRef<A>,
  value: A
): Effect.Effect<void> | undefined => {
  const runtime = fiber as unknown as { readonly setFiberRef?: (ref: FiberRef.FiberRef<A>, value: A) => void }
  if (typeof runtime.setFiberRef !== "function") return FiberRef.set(ref, value)
  runtime.setFiberRef(ref, value)
  return undefined
}
