import { build, type Plugin } from "esbuild"
import { existsSync } from "node:fs"
import { join, relative, resolve, sep } from "node:path"
import type { JobsPackageCopy } from "./fixture.js"
import { inRepo } from "./paths.js"

const fixtureJobs = inRepo("test/fixtures/jobs")

/** The TypeScript file an import names (`x.js`, `x`, `x/index`), or the path as it is. */
export const asTsFile = (path: string): string => {
  for (const candidate of [path, path.replace(/\.js$/, ".ts"), `${path}.ts`, join(path, "index.ts")]) {
    if (existsSync(candidate) && !candidate.endsWith(sep) && /\.ts$/.test(candidate)) return candidate
  }
  return path
}

/**
 * Points the Worker entry's imports of the fixture at the copy, `@durable-effect/core` at the
 * copy's core, and `durable-effect-tracking` at this library's source, as a user's bundler
 * would resolve the published packages.
 */
const redirect = (copy: JobsPackageCopy): Plugin => ({
  name: "jobs-package-copy",
  setup(b) {
    b.onResolve({ filter: /^@durable-effect\/core$/ }, () => ({ path: join(copy.coreDir, "index.ts") }))
    b.onResolve({ filter: /^durable-effect-tracking$/ }, () => ({ path: inRepo("src/index.ts") }))
    b.onResolve({ filter: /fixtures\/jobs\// }, (args) => {
      const target = resolve(args.resolveDir, args.path)
      const inFixture = relative(fixtureJobs, target)
      if (inFixture.startsWith("..")) return undefined
      return { path: asTsFile(join(copy.jobsDir, inFixture)) }
    })
  }
})

/**
 * Bundles an entry of this repository (and what it imports, as `plugins` resolve it) into one
 * ES module for workerd: neutral platform (a Node built-in would fail the build),
 * `cloudflare:workers` left to the runtime, packages (effect) from this repository.
 */
export const bundleEntry = async (entry: string, plugins: ReadonlyArray<Plugin>): Promise<string> => {
  const result = await build({
    entryPoints: [inRepo(entry)],
    bundle: true,
    write: false,
    platform: "neutral",
    format: "esm",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:workers"],
    // A fixture's copy lives in the temp directory: packages come from this repository.
    nodePaths: [inRepo("node_modules")],
    plugins: [...plugins],
    logLevel: "silent"
  })
  return result.outputFiles[0]!.text
}

/**
 * Bundles examples/runtime/worker.ts (or another entry that imports it, given relative to the
 * repository) over a copy of the jobs package.
 */
export const bundleWorker = (copy: JobsPackageCopy, entry = "examples/runtime/worker.ts"): Promise<string> =>
  bundleEntry(entry, [redirect(copy)])
