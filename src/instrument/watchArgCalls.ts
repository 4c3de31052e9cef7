/**
 * `watchArgCalls`: a method entry's `learnOnArgCall`, carrying the code that watches the calls,
 * so that a Worker whose maps watch no argument's member bundles none of it.
 */
import type { AnyVocabulary } from "../event/Vocabulary.js"
import type { ArgCallLessons } from "./EventMap.js"
import { attempt } from "./trackService.js"

/**
 * What functions the method's arguments carry teach when the method calls them, by argument index
 * and member name, for a method entry's `learnOnArgCall`.
 *
 * @example
 * ```ts
 * import { Context, type Effect } from "effect"
 * import { defineVocabulary, serviceEvents, watchArgCalls } from "durable-effect-tracking"
 *
 * type Ran = { readonly eventId: string; readonly timestamp: string; readonly type: "job.ran"; readonly job: string }
 * export const runnerEvents = defineVocabulary<Ran, "job">({ name: "runner", types: ["job.ran"], context: ["job"] })
 *
 * // The runner is handed `{ prepare(job) }` and calls it with the job it is about to run.
 * type Step = { readonly prepare: (job: string) => void }
 * export class Runner extends Context.Tag("app/Runner")<Runner, { run(step: Step): Effect.Effect<void> }>() {}
 * export const runs = serviceEvents(runnerEvents, Runner, "Runner", {
 *   run: {
 *     learnOnArgCall: watchArgCalls({ 0: { prepare: ([job]) => ({ job: String(job) }) } }),
 *     success: { "job.ran": () => ({}) }
 *   }
 * })
 * ```
 *
 * @category Instrumentation
 */
export const watchArgCalls = <V extends AnyVocabulary = AnyVocabulary>(
  byIndex: ArgCallLessons<V>["byIndex"]
): ArgCallLessons<V> => ({
  byIndex,
  watch: (args, learn) => watch(byIndex, args, learn),
  problems: (where) => problems(byIndex, where)
})

/**
 * Argument objects whose members the entry watches are handed on as copies (same prototype, same
 * own properties) with each watched member calling the original exactly as given, after teaching
 * what it was called with.
 */
const watch = (
  byIndex: ArgCallLessons["byIndex"],
  args: Array<unknown>,
  learn: (lesson: Readonly<Record<string, unknown>> | undefined) => void
): Array<unknown> =>
  args.map((arg, index) => {
    const members = byIndex[index]
    if (members === undefined || typeof arg !== "object" || arg === null) return arg
    let copy: Record<string, unknown> | undefined
    for (const member in members) {
      const original: unknown = Reflect.get(arg, member)
      if (typeof original !== "function") continue
      const lesson = members[member]!
      copy ??= Object.create(Object.getPrototypeOf(arg), Object.getOwnPropertyDescriptors(arg)) as Record<
        string,
        unknown
      >
      Object.defineProperty(copy, member, {
        configurable: true,
        enumerable: true,
        writable: true,
        value: function (this: unknown, ...callArgs: Array<unknown>): unknown {
          learn(attempt(() => lesson(callArgs)))
          return (original as (...a: Array<unknown>) => unknown).apply(this, callArgs)
        }
      })
    }
    return copy ?? arg
  })

const problems = (byIndex: unknown, where: string): Array<string> => {
  if (typeof byIndex !== "object" || byIndex === null)
    return [`${where}: \`learnOnArgCall\` must be a record of members by argument index`]
  const found: Array<string> = []
  for (const [index, members] of Object.entries(byIndex))
    for (const [member, lesson] of Object.entries((members ?? {}) as object))
      if (typeof lesson !== "function")
        found.push(`${where}: \`learnOnArgCall\` for argument ${index}'s ${member} must be a function`)
  return found
}
