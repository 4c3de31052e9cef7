import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect, Schema } from "effect"

/**
 * A jobs package (the hand-tracked release or a migrated copy of it), loaded by path, and a
 * continuous job of it that counts its runs: what a Worker of the package's users would write.
 * The test file mocks `cloudflare:workers` (the engine's base class).
 */
export const loadCounterJobs = async (packageDir: string) => {
  const load = (path: string) => import(pathToFileURL(join(packageDir, path)).href)
  const { createDurableJobs } = await load("src/factory.ts")
  const { Continuous } = await load("src/definitions/index.ts")
  const counter: unknown = Continuous.make({
    stateSchema: Schema.Struct({ count: Schema.Number }),
    schedule: Continuous.every("1 hour"),
    execute: (ctx: { updateState: (f: (s: { count: number }) => { count: number }) => void }) =>
      Effect.sync(() => ctx.updateState((state) => ({ count: state.count + 1 })))
  })
  return {
    createDurableJobs: createDurableJobs as (
      definitions: Record<string, unknown>,
      options: { readonly tracker: Record<string, unknown> }
    ) => { readonly Jobs: new (state: unknown, env: unknown) => { call(request: unknown): Promise<unknown> } },
    counter
  }
}
