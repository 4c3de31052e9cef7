#!/usr/bin/env node
// The peer ranges, tested: for the lowest and the newest versions that package.json's
// peerDependencies admit for effect and the OpenTelemetry API packages, this script
//
// 1. installs the packed package (from dist/, so `npm run build` first) with those versions
//    into a fresh project under the system temp directory, and type-checks a consumer of all
//    three entries (strict, skipLibCheck false; moduleResolution bundler and node16, the latter
//    with an ESM and a CommonJS file);
// 2. runs the built package there: withTracking over a layer with the in-memory tracker (events
//    asserted), Effect's private shapes that src/internal/effectInternals.ts reads, and the
//    OpenTelemetry tracker;
// 3. runs test/internal/effectInternals.test.ts (the shapes, the fast paths, a traced call with
//    them on and off) from source with `effect` resolved to that installed version.
//
// Needs the npm registry (or a warm npm cache). Exits non-zero, naming the versions and the step,
// when anything fails; removes its temp directory either way.
// Usage: node scripts/peer-range.mjs  (npm run test:peers builds first).

import { execFile } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const repoRoot = fileURLToPath(new URL("..", import.meta.url))
const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"))
const peers = manifest.peerDependencies
const dev = manifest.devDependencies
const started = Date.now()

// npm run from npm passes its own settings down (the project's prefix among them): the
// consumer's npm must see its own project.
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|npm_command$|INIT_CWD$)/i.test(key)
  )
)

class StepFailed extends Error {}

const run = (command, args, cwd, what) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: childEnv, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout)
      else reject(new StepFailed(`${what} failed (exit ${error.code}):\n${stdout}${stderr}`))
    })
  })

/** The versions `range` admits on the registry (no prereleases), lowest first. */
const admitted = async (name, range) => {
  const out = await run("npm", ["view", `${name}@${range}`, "version", "--json"], repoRoot, `npm view ${name}@${range}`)
  const parsed = JSON.parse(out)
  const versions = (Array.isArray(parsed) ? parsed : [parsed]).filter((v) => !v.includes("-"))
  const key = (v) => v.split(".").map(Number)
  versions.sort((a, b) => {
    const [x, y] = [key(a), key(b)]
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
  })
  if (versions.length === 0) throw new StepFailed(`no published version of ${name} satisfies ${range}`)
  return versions
}

const consumerFiles = {
  // Every entry, its error classes constructed, and @ts-expect-error controls: if the types
  // were `any`, those lines would be errors too (TS2578), so the check sees real types.
  "uses.ts": `import { Context, Effect, Layer } from "effect"
import {
  InMemoryTracker,
  InvalidEventMapError,
  InvalidTrackerConfigError,
  JobEventBatchDecodeError,
  emitEvent,
  jobEvents,
  makeJobEvent,
  serviceEvents,
  vocabularyGate,
  withTracking,
  type JobEvent
} from "durable-effect-tracking"
import { OtelLogsTracker } from "durable-effect-tracking/otel"
import { CodemodInputError, ExitCode } from "durable-effect-tracking/codemod"

class Worker extends Context.Tag("consumer/Worker")<Worker, { run(job: string): Effect.Effect<number> }>() {}
const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(jobEvents) })
export const layer: Layer.Layer<Worker> = withTracking(
  Layer.succeed(Worker, { run: () => Effect.succeed(1) }),
  {
    eventMap: serviceEvents(jobEvents, Worker, "Worker", {
      run: { context: ([jobName]) => ({ jobType: "task", jobName }), before: { "execution.started": () => ({}) } }
    })
  }
).pipe(Layer.provide(InMemoryTracker.layer(memory)))
export const events: Effect.Effect<ReadonlyArray<JobEvent>> = emitEvent(
  makeJobEvent({ type: "job.created", instanceId: "do-1", jobType: "task", jobName: "probe" })
).pipe(Effect.zipRight(memory.handle.getEvents()), Effect.provide(InMemoryTracker.layer(memory)))
export const errors = [
  new InvalidTrackerConfigError({ issues: ["x"] }),
  new InvalidEventMapError({ problems: ["x"] }),
  new JobEventBatchDecodeError({ problems: [] }),
  new CodemodInputError({ file: "f", expected: "e" })
] as const
export const tags: ReadonlyArray<string> = errors.map((error) => error._tag)
export const otel = OtelLogsTracker.layer({ env: "test" })
export const ok: number = ExitCode.ok
// @ts-expect-error issues is required
export const missing = new InvalidTrackerConfigError({})
// @ts-expect-error a number is not a string
export const wrong: string = ExitCode.ok
`,
  "uses.cts": `import tracking = require("durable-effect-tracking")
import otel = require("durable-effect-tracking/otel")
export const error: { readonly _tag: "InvalidTrackerConfigError" } = new tracking.InvalidTrackerConfigError({ issues: [] })
export const tracker = otel.OtelLogsTracker.make({ env: "test" })
// @ts-expect-error problems is required
export const missing = new tracking.InvalidEventMapError({})
`,
  // The built package at run time.
  "runtime.mjs": `import assert from "node:assert/strict"
import { createRequire } from "node:module"
import { Context, Effect, Exit, FiberRef, Layer, ModuleVersion } from "effect"
import { InMemoryTracker, jobEvents, serviceEvents, summarizeFailure, withTracking } from "durable-effect-tracking"
import { OtelLogsTracker } from "durable-effect-tracking/otel"

const check = async (name, body) => {
  try {
    await body()
  } catch (error) {
    throw new Error(name + ": " + (error?.stack ?? error))
  }
}

// The private shapes src/internal/effectInternals.ts reads (its fast paths), as in its test.
await check("Effect's private shapes", async () => {
  const thunk = () => 1
  assert.equal(Effect.sync(thunk)._op, "Sync")
  assert.equal(Effect.sync(thunk).effect_instruction_i0, thunk)
  for (const [effect, held] of [[Effect.succeed(2), 2], [Exit.succeed(3), 3], [Effect.void, undefined]]) {
    assert.equal(effect._op, "Success")
    assert.equal(effect.effect_instruction_i0, held)
  }
  const ref = FiberRef.unsafeMake("initial")
  const seen = await Effect.runPromise(
    Effect.withFiberRuntime((fiber) => {
      assert.equal(typeof fiber.setFiberRef, "function")
      fiber.setFiberRef(ref, "set")
      return FiberRef.get(ref)
    })
  )
  assert.equal(seen, "set")
  class A extends Context.Tag("A")() {}
  class B extends Context.Tag("B")() {}
  const a = Layer.succeed(A, 1)
  const b = Layer.scoped(B, Effect.succeed(2))
  assert.equal(a._op_layer, "FromEffect")
  assert.equal(Layer.effect(A, Effect.succeed(1))._op_layer, "FromEffect")
  assert.ok(Effect.isEffect(a.effect))
  assert.equal(b._op_layer, "Scoped")
  assert.ok(Effect.isEffect(b.effect))
  const merged = Layer.mergeAll(a, b)
  // Effect 3.19.0 predates the MergeAll node: a merged layer takes the fallback there.
  assert.equal(merged._op_layer, ModuleVersion.getCurrentVersion() === "3.19.0" ? "Suspend" : "MergeAll")
  if (merged._op_layer === "MergeAll") assert.deepEqual(merged.layers, [a, b])
})

// A traced call through the built package: a layer of plain nodes (the fast paths' case).
class Instance extends Context.Tag("consumer/Instance")() {}
class Worker extends Context.Tag("consumer/Worker")() {}
const eventMap = {
  ...serviceEvents(jobEvents, Worker, "Worker", {
    run: {
      context: ([jobName]) => ({ jobType: "task", jobName }),
      before: { "execution.started": () => ({}) },
      success: { "execution.succeeded": ({ durationMs }) => ({ durationMs }) },
      failure: { "execution.failed": (call) => ({ durationMs: call.durationMs, error: summarizeFailure(call), failure: call.kind }) }
    }
  }),
  ambient: { "consumer/Instance": (service) => ({ instanceId: service.instanceId }) }
}
const tracedCall = async (tracking) => {
  const memory = InMemoryTracker.make()
  const base = Layer.mergeAll(tracking(memory), Layer.succeed(Instance, { instanceId: "do-1" }))
  const worker = Layer.succeed(Worker, { run: (job) => (job === "bad" ? Effect.fail("no") : Effect.succeed(job.length)) })
  const layer = withTracking(worker, { eventMap }).pipe(Layer.provideMerge(base))
  const results = await Effect.runPromise(
    Effect.gen(function* () {
      const w = yield* Worker
      return [yield* w.run("digest"), yield* Effect.flip(w.run("bad"))]
    }).pipe(Effect.provide(layer))
  )
  return { results, events: await Effect.runPromise(memory.handle.getEvents()) }
}
await check("withTracking with the in-memory tracker", async () => {
  const { results, events } = await tracedCall((memory) => InMemoryTracker.layer(memory))
  assert.deepEqual(results, [6, "no"])
  assert.deepEqual(
    events.map((event) => [event.type, event.instanceId, event.jobName]),
    [
      ["execution.started", "do-1", "digest"],
      ["execution.succeeded", "do-1", "digest"],
      ["execution.started", "do-1", "bad"],
      ["execution.failed", "do-1", "bad"]
    ]
  )
})

await check("the OpenTelemetry tracker", async () => {
  const records = []
  const loggerProvider = { getLogger: () => ({ emit: (record) => records.push(record) }) }
  const { events } = await tracedCall(() => OtelLogsTracker.layer({ env: "test", loggerProvider }))
  assert.equal(events.length, 0)
  assert.deepEqual(
    records.map((record) => record.eventName),
    ["execution.started", "execution.succeeded", "execution.started", "execution.failed"]
  )
})

// The CommonJS build loads and gives the same classes' behaviour.
await check("the CommonJS entries", async () => {
  const require = createRequire(import.meta.url)
  const cjs = require("durable-effect-tracking")
  assert.equal(new cjs.InvalidTrackerConfigError({ issues: ["x"] })._tag, "InvalidTrackerConfigError")
  assert.equal(typeof require("durable-effect-tracking/otel").OtelLogsTracker.make, "function")
})
console.log("runtime checks: ok")
`
}

const compilerOptions = {
  target: "es2022",
  lib: ["es2022"],
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  types: ["node"]
}
const resolutions = [
  { name: "bundler", options: { module: "esnext", moduleResolution: "bundler" }, files: ["uses.ts"] },
  { name: "node16", options: { module: "node16", moduleResolution: "node16" }, files: ["uses.ts", "uses.cts"] }
]

/** Runs test/internal/effectInternals.test.ts from source with `effect` resolved in `consumer`. */
const runInternalsTests = async (consumer) => {
  const resolver = join(consumer, "resolve.mjs")
  writeFileSync(resolver, "export const resolve = (specifier) => import.meta.resolve(specifier)\n")
  const { resolve } = await import(pathToFileURL(resolver).href)
  const { startVitest } = await import("vitest/node")
  const resolved = new Set()
  const effectUnderTest = {
    name: "effect-under-test",
    enforce: "pre",
    resolveId(id) {
      if (id !== "effect" && !id.startsWith("effect/")) return undefined
      const path = fileURLToPath(resolve(id))
      resolved.add(path)
      return path
    }
  }
  const vitest = await startVitest(
    "test",
    ["test/internal/effectInternals.test.ts"],
    { root: repoRoot, run: true, watch: false, reporters: ["dot"] },
    { plugins: [effectUnderTest] }
  )
  const failed = vitest.state.getCountOfFailedTests()
  const files = vitest.state.getFiles()
  await vitest.close()
  if (failed > 0 || files.length === 0 || files.some((file) => file.result?.state !== "pass"))
    throw new StepFailed(`test/internal/effectInternals.test.ts failed (${failed} test(s))`)
  if (![...resolved].some((path) => path.startsWith(consumer)))
    throw new StepFailed("effectInternals.test.ts did not load effect from the version under test")
}

const main = async () => {
  if (!existsSync(join(repoRoot, "dist", "index.d.ts")))
    throw new StepFailed("dist/ is missing: run `npm run build` first (or `npm run test:peers`)")
  const versionsOf = async (name) => {
    const all = await admitted(name, peers[name])
    return { lowest: all[0], newest: all.at(-1) }
  }
  const [effect, api, apiLogs] = await Promise.all(
    ["effect", "@opentelemetry/api", "@opentelemetry/api-logs"].map(versionsOf)
  )
  const sets = ["lowest", "newest"].map((end) => ({
    effect: effect[end],
    "@opentelemetry/api": api[end],
    "@opentelemetry/api-logs": apiLogs[end]
  }))

  const work = mkdtempSync(join(tmpdir(), "det-peers-"))
  try {
    const packed = await run("npm", ["pack", "--json", "--pack-destination", work], repoRoot, "npm pack")
    const tarball = join(work, JSON.parse(packed)[0].filename)
    for (const [index, set] of sets.entries()) {
      const label = Object.entries(set)
        .map(([name, version]) => `${name}@${version}`)
        .join(" ")
      const at = Date.now()
      const step = async (what, body) => {
        try {
          return await body()
        } catch (error) {
          if (error instanceof StepFailed) throw new StepFailed(`[${label}] ${what}: ${error.message}`)
          throw error
        }
      }
      const consumer = join(work, `consumer-${index}`)
      mkdirSync(consumer)
      writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
      for (const [file, text] of Object.entries(consumerFiles)) writeFileSync(join(consumer, file), text)
      await step("install", () =>
        run(
          "npm",
          [
            "install",
            "--prefer-offline",
            "--no-audit",
            "--no-fund",
            "--save-exact",
            tarball,
            ...Object.entries(set).map(([name, version]) => `${name}@${version}`),
            `typescript@${dev.typescript}`,
            `@types/node@${dev["@types/node"]}`
          ],
          consumer,
          "npm install"
        )
      )
      // The consumer resolves the package's own peers to the versions under test, not copies.
      const installed = JSON.parse(await run("npm", ["ls", "--all", "--json"], consumer, "npm ls"))
      const nested = installed.dependencies["durable-effect-tracking"].dependencies ?? {}
      for (const name of Object.keys(set)) {
        const got = installed.dependencies[name]?.version
        if (got !== set[name] || (nested[name] !== undefined && nested[name].version !== set[name]))
          throw new StepFailed(`[${label}] install: ${name} is ${got}, not ${set[name]}`)
      }
      for (const { name, options, files } of resolutions) {
        const config = join(consumer, `tsconfig.${name}.json`)
        writeFileSync(config, JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, files }))
        await step(`type-check (moduleResolution ${name})`, () =>
          run(
            process.execPath,
            [join(consumer, "node_modules", "typescript", "bin", "tsc"), "-p", config],
            consumer,
            "tsc"
          )
        )
      }
      await step("runtime checks of the built package", () =>
        run(process.execPath, [join(consumer, "runtime.mjs")], consumer, "node runtime.mjs")
      )
      await step("effectInternals.test.ts", () => runInternalsTests(consumer))
      console.log(`peer range: ${label}: ok (${((Date.now() - at) / 1000).toFixed(0)} s)`)
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  console.log(`peer range: ok in ${((Date.now() - started) / 1000).toFixed(0)} s`)
}

main().catch((error) => {
  console.error(`peer range: FAILED\n${error instanceof StepFailed ? error.message : (error?.stack ?? error)}`)
  process.exit(1)
})
