import type { EventMap, MethodEvents } from "../../instrument/EventMap.js"
import type { MapRequirements, RecipeRequirement } from "../../instrument/requirements.js"
import { defaultJobsEventMap } from "../../jobs/defaultJobsEventMap.js"
import { defaultJobsEventMapRequirements } from "../../jobs/requirements.js"

/**
 * The library's maps whose requirements are kept apart from them (a Worker bundles the map, and
 * only coverage reads what its recipes rely on), each with its requirements.
 */
const keptApart: ReadonlyArray<readonly [EventMap, MapRequirements]> = [
  [defaultJobsEventMap, defaultJobsEventMapRequirements]
]

const placeOf = (tagKey: string, method: string, type: string): string => `${tagKey}\0${method}\0${type}`

const recipesOf = (events: MethodEvents, type: string): Array<unknown> =>
  [events.before, events.success, events.failure].flatMap((phase) =>
    phase !== undefined && Object.hasOwn(phase, type) ? [(phase as Record<string, unknown>)[type]] : []
  )

// By tag key, method and type: the library's recipes there and what they rely on.
const kept = new Map<string, { readonly recipes: ReadonlySet<unknown>; readonly requirement: RecipeRequirement }>()
for (const [map, requirements] of keptApart) {
  for (const [tagKey, byMethod] of Object.entries(requirements)) {
    for (const [method, byType] of Object.entries(byMethod)) {
      const events = map.services[tagKey]?.methods[method]
      if (events === undefined) continue
      for (const [type, requirement] of Object.entries(byType)) {
        if (requirement !== undefined)
          kept.set(placeOf(tagKey, method, type), { recipes: new Set(recipesOf(events, type)), requirement })
      }
    }
  }
}

/**
 * What the recipes for `type` of one method entry rely on: what the entry says (`requires`), or
 * else, where a recipe is one of a library map's own, at the same method, what that map's
 * requirements say of it (a map made from `defaultJobsEventMap` keeps them with its recipes).
 */
export const recipeRequirement = (
  tagKey: string,
  method: string,
  events: MethodEvents,
  type: string
): RecipeRequirement | undefined => {
  const own = events.requires?.[type as never] as RecipeRequirement | undefined
  if (own !== undefined) return own
  const library = kept.get(placeOf(tagKey, method, type))
  return library !== undefined && recipesOf(events, type).some((recipe) => library.recipes.has(recipe))
    ? library.requirement
    : undefined
}
