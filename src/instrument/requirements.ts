import type { AnyVocabulary, EventTypeOf } from "../event/Vocabulary.js"

/**
 * What a recipe relies on besides the method it sits on: data a static reading of a package
 * checks (`durable-effect-tracking coverage <dir>`), so that coverage is a fact about that
 * package, not about the map alone. Nothing here runs at run time.
 *
 * @category Instrumentation
 */
export interface RecipeRequirement {
  /**
   * Error or signal classes the recipe tells apart, by class name or `_tag`: at least one must
   * exist in the package, or the recipe can never match.
   */
  readonly classes?: ReadonlyArray<string>
  /**
   * Values the method's input must be able to carry: some type in the package whose properties
   * named in `where` are those string literals, and whose `property` allows one of `anyOf`
   * (e.g. a request type with `type: "continuous"` whose `action` may be `"stop"`).
   */
  readonly values?: {
    readonly where: Readonly<Record<string, string>>
    readonly property: string
    readonly anyOf: ReadonlyArray<string>
  }
  /** Other service methods the recipe learns from, by tag key and method: each must exist. */
  readonly calls?: ReadonlyArray<{ readonly tagKey: string; readonly method: string }>
  /** The method sees only some occurrences of the event: which ones. */
  readonly seesOnly?: string
  /**
   * The call (its callee as written, e.g. `def.execute`) where the event happens without
   * passing this method; coverage names each such place in the package.
   */
  readonly bypass?: string
}

/**
 * What the recipes of one method entry rely on, by event type: read by static coverage only.
 *
 * @category Instrumentation
 */
export type RecipeRequirements<V = AnyVocabulary> = { readonly [T in EventTypeOf<V>]?: RecipeRequirement }

/**
 * An event type a map knowingly cannot see in the layout it is made for.
 *
 * @category Instrumentation
 */
export interface BlindSpot {
  readonly reason: string
  /** The call (callee as written) where it happens unseen, for coverage to locate. */
  readonly at?: string
  /** The entry that would cover it, where one is possible. */
  readonly hint?: string
}

/**
 * Event types a map cannot see at any service boundary of a layout, by type, with where it
 * happens instead: static coverage reports them as not covered.
 *
 * @category Instrumentation
 */
export type BlindSpots<V = AnyVocabulary> = { readonly [T in EventTypeOf<V>]?: BlindSpot }

/**
 * Requirements of a map's recipes, by tag key, method and event type.
 *
 * @category Instrumentation
 */
export type MapRequirements<V = AnyVocabulary> = {
  readonly [tagKey: string]: { readonly [method: string]: RecipeRequirements<V> }
}
