import { Effect, Layer, type Context } from "effect"

/**
 * A jobs runtime rebuilds its layers on every call, and every layer node costs a memo entry, a
 * deferred and a scope per build. A layer made by `Layer.effect`/`Layer.succeed`/`Layer.scoped`
 * (or `Layer.mergeAll` of such layers) can be changed without a node of its own: each of its
 * nodes is remade as one of the same kind, whose effect builds the services and then passes
 * them through `f`. Other layers give `undefined`: the caller wraps them in a node of its own.
 *
 * The result is a new layer, built once per build when used once, as a composition uses it;
 * `f` sees one node's services at a time (not those of its siblings in a `mergeAll`).
 */
export const mapBuiltNodes = <ROut, E, RIn>(
  layer: Layer.Layer<ROut, E, RIn>,
  f: (built: Context.Context<unknown>) => Effect.Effect<Context.Context<unknown>, never, unknown>
): Layer.Layer<ROut, E, RIn> | undefined =>
  sameShape(layer) ? (remade(layer, f) as Layer.Layer<ROut, E, RIn>) : undefined

// The layer nodes of effect (the same in every 3.x) that are remade; see `mapBuiltNodes`.
type LayerNode =
  | {
      readonly _op_layer: "FromEffect" | "Scoped"
      readonly effect: Effect.Effect<Context.Context<unknown>, unknown, unknown>
    }
  | { readonly _op_layer: "MergeAll"; readonly layers: ReadonlyArray<LayerNode> }

const sameShape = (layer: unknown): layer is LayerNode => {
  const node = layer as Partial<Record<"_op_layer" | "effect" | "layers", unknown>>
  switch (node._op_layer) {
    case "FromEffect":
    case "Scoped":
      return Effect.isEffect(node.effect)
    case "MergeAll":
      return Array.isArray(node.layers) && node.layers.every(sameShape)
    default:
      return false
  }
}

const remade = (
  node: LayerNode,
  f: (built: Context.Context<unknown>) => Effect.Effect<Context.Context<unknown>, never, unknown>
): Layer.Layer<unknown, unknown, unknown> => {
  switch (node._op_layer) {
    case "MergeAll":
      return Layer.mergeAll(
        ...(node.layers.map((child) => remade(child, f)) as [Layer.Layer<unknown, unknown, unknown>])
      )
    case "FromEffect":
      return Layer.effectContext(Effect.flatMap(node.effect, f))
    case "Scoped":
      return Layer.scopedContext(Effect.flatMap(node.effect, f))
  }
}
