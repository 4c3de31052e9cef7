/**
 * Every read of Effect's private shapes, in one place. The rest of the library never looks at
 * `_op`, `effect_instruction_i0`, `_op_layer` or a fiber's `setFiberRef`: it calls the
 * functions here, each of which checks the shape it relies on and falls back to public Effect
 * API when the shape is not there (another Effect version, a wrapped value).
 *
 * Why read them at all: a jobs runtime rebuilds its layers on every call, and in its run loop
 * each effect operation costs about a microsecond (see BENCHMARKS.md). Running a plain
 * `Effect.sync` in place, setting a fiber ref in place and wrapping a layer without a node of its
 * own cut a traced call's overhead by several operations.
 *
 * The shapes (the same in every Effect 3.x the peer range admits, but for 5, from 3.19.1 on;
 * test/internal/effectInternals.test.ts fails by name when the installed Effect changes one, and
 * `npm run test:peers` runs it on the lowest and the newest admitted Effect):
 *
 * 1. `Effect.sync(f)` is a primitive `{ _op: "Sync", effect_instruction_i0: f }`.
 *    Used by {@link runInline} and {@link inlineReader}: `f` is called in place.
 *    Fallback: the effect is run as an effect by the caller.
 * 2. `Effect.succeed(a)` (and `Exit.succeed(a)`, `Effect.void`) is `{ _op: "Success",
 *    effect_instruction_i0: a }`. Used by the same two: `a` is read in place.
 *    Fallback: as 1.
 * 3. The running fiber (`Effect.withFiberRuntime`'s argument) has `setFiberRef(ref, value)`,
 *    what `FiberRef.set` and `Effect.locally` end in. Used by {@link setFiberRefNow}.
 *    Fallback: the `FiberRef.set` effect, for the caller to run first.
 * 4. `Layer.effect`/`Layer.succeed`/`Layer.effectContext` give a node `{ _op_layer:
 *    "FromEffect", effect }` and `Layer.scoped`/`Layer.scopedContext` give `{ _op_layer:
 *    "Scoped", effect }`, `effect` building the layer's context. Used by {@link mapBuiltNodes}:
 *    the node is remade as one of the same kind over `effect` then `f`.
 *    Fallback: `undefined`, and the caller wraps the layer in a `Layer.flatMap` node of its own.
 * 5. `Layer.mergeAll(...layers)` (and `Layer.merge`) gives `{ _op_layer: "MergeAll", layers }`.
 *    Used by {@link mapBuiltNodes}: remade as `Layer.mergeAll` of the remade children.
 *    Fallback: as 4, for the whole layer. Effect 3.19.0 has no such node (its `mergeAll` is a
 *    lazily built chain of `merge`s): there a merged layer always takes the fallback.
 *
 * {@link setFastPaths}`(false)` turns every read off, so that tests can show the fallbacks give
 * the same events (nothing else calls it).
 */

import { Effect, Layer, type Context } from "effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"

let fastPaths = true

/** For tests only: `false` makes every function here take its fallback, as if no shape matched. */
export const setFastPaths = (enabled: boolean): void => {
  fastPaths = enabled
}

// Shapes 1 and 2: an effect primitive, read only through these fields.
interface Primitive {
  readonly _op?: unknown
  readonly effect_instruction_i0?: unknown
}

const primitiveOf = (effect: Effect.Effect<unknown, unknown, unknown>): Primitive | undefined =>
  fastPaths ? (effect as unknown as Primitive) : undefined

/**
 * Runs in place an effect that is a plain `Effect.sync` or `Effect.succeed` (an `Exit.succeed`
 * or `Effect.void` included), as a clock read or an in-memory tracker's `emit` usually is.
 * A `Sync` effect run by a fiber calls its function and nothing else, so calling it here, from
 * code the same fiber is running, is the same thing. Any other effect, or a shape this does not
 * know, gives {@link notInline} and the caller runs it as an effect. A throw is the caller's to
 * handle, as a defect of the effect.
 */
export const runInline = (effect: Effect.Effect<unknown, unknown, unknown>): unknown => {
  const primitive = primitiveOf(effect)
  switch (primitive?._op) {
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
  const primitive = primitiveOf(effect)
  if (primitive?._op === "Sync" && typeof primitive.effect_instruction_i0 === "function")
    return primitive.effect_instruction_i0 as () => A
  if (primitive?._op === "Success") {
    const value = primitive.effect_instruction_i0 as A
    return () => value
  }
  return undefined
}

/**
 * Sets `ref` on `fiber`, which must be the fiber running this code, in place (shape 3: the
 * public `RuntimeFiber` type does not name the method). `undefined` when done; otherwise the
 * effect that sets it, for the caller to run first.
 */
export const setFiberRefNow = <A>(
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  ref: FiberRef.FiberRef<A>,
  value: A
): Effect.Effect<void> | undefined => {
  const runtime = fiber as unknown as { readonly setFiberRef?: (ref: FiberRef.FiberRef<A>, value: A) => void }
  if (!fastPaths || typeof runtime.setFiberRef !== "function") return FiberRef.set(ref, value)
  runtime.setFiberRef(ref, value)
  return undefined
}

/**
 * A layer made by `Layer.effect`/`Layer.succeed`/`Layer.scoped` (or `Layer.mergeAll` of such
 * layers) remade without a node of its own (shapes 4 and 5): each of its nodes becomes one of
 * the same kind, whose effect builds the services and then passes them through `f`, in place (one
 * `Effect.map`: a jobs runtime rebuilds its layers on every call, and every layer node costs a
 * memo entry, a deferred and a scope per build; an effect operation costs about a microsecond there).
 * `f` runs on the fiber that builds the node, whose context is the node's input. Other layers
 * give `undefined`: the caller wraps them in a node of its own.
 *
 * The result is a new layer, built once per build when used once, as a composition uses it;
 * `f` sees one node's services at a time (not those of its siblings in a `mergeAll`).
 */
export const mapBuiltNodes = <ROut, E, RIn>(
  layer: Layer.Layer<ROut, E, RIn>,
  f: (built: Context.Context<unknown>) => Context.Context<unknown>
): Layer.Layer<ROut, E, RIn> | undefined =>
  fastPaths && isKnownNode(layer) ? (remade(layer, f) as Layer.Layer<ROut, E, RIn>) : undefined

type LayerNode =
  | {
      readonly _op_layer: "FromEffect" | "Scoped"
      readonly effect: Effect.Effect<Context.Context<unknown>, unknown, unknown>
    }
  | { readonly _op_layer: "MergeAll"; readonly layers: ReadonlyArray<LayerNode> }

const isKnownNode = (layer: unknown): layer is LayerNode => {
  const node = layer as Partial<Record<"_op_layer" | "effect" | "layers", unknown>>
  switch (node._op_layer) {
    case "FromEffect":
    case "Scoped":
      return Effect.isEffect(node.effect)
    case "MergeAll":
      return Array.isArray(node.layers) && node.layers.every(isKnownNode)
    default:
      return false
  }
}

const remade = (
  node: LayerNode,
  f: (built: Context.Context<unknown>) => Context.Context<unknown>
): Layer.Layer<unknown, unknown, unknown> => {
  switch (node._op_layer) {
    case "MergeAll":
      return Layer.mergeAll(
        ...(node.layers.map((child) => remade(child, f)) as [Layer.Layer<unknown, unknown, unknown>])
      )
    case "FromEffect":
      return Layer.effectContext(Effect.map(node.effect, f))
    case "Scoped":
      return Layer.scopedContext(Effect.map(node.effect, f))
  }
}
