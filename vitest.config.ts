import { fileURLToPath } from "node:url"
import { configDefaults, defineConfig, type Plugin } from "vitest/config"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// Which core a fixture's `@durable-effect/core` is. The fixtures of the hand-tracked releases
// take the release's core (its events and trackers); every other importer, the pre-tracking
// core. Keyed by a directory in the importer's path, so a copy of a fixture (in a temp
// directory, under the same name) resolves as the original does. One row per fixture.
const coreOf: ReadonlyArray<{ readonly importer: RegExp; readonly core: string }> = [
  { importer: /[\\/]core-tracked[\\/]/, core: here("./test/fixtures/core-tracked/index.ts") },
  { importer: /[\\/]jobs-tracked[\\/]/, core: here("./test/fixtures/core-tracked/index.ts") },
  { importer: /[\\/]workflow-tracked[\\/]/, core: here("./test/fixtures/core-tracked/index.ts") }
]
const defaultCore = here("./test/fixtures/core/index.ts")

// The slowest end-to-end files (packed-tarball consumer, signals to child processes, the codemod
// and migrate on copies of the workflow package and their suites, migrate --events full on a copy of the jobs
// package and its suite, hard kills of workerd, wrangler and the demos
// against the collector, the per-event benchmark in workerd): `npm run test:slow` runs them, and
// `npm test` leaves them out (TEST_FILES=quick) to stay well inside its 10 minutes. CI runs
// both. With TEST_FILES unset, every file runs, so `vitest run <file>` finds any of them.
const slowFiles = [
  "test/package/consumer.test.ts",
  "test/codemod/interruption.test.ts",
  "test/codemod/workflowCodemod.test.ts",
  "test/e2e/hardKill.test.ts",
  "test/e2e/outbox.test.ts",
  "test/collector/demoToCollector.test.ts",
  "test/collector/wranglerDeploy.test.ts",
  "test/examples/workflowDemo.test.ts",
  "test/codemod/migrate/migrateWorkflow.test.ts",
  "test/codemod/migrate/migrateFull.test.ts",
  "test/bench/perEventWorkerd.test.ts"
]
// Its own script (npm run test:workflow-differential): the workflow package's suite run twice,
// hand-tracked and migrated, compared event by event; left out of quick and slow (CI runs it
// after them).
const differentialFiles = ["test/workflow/differential/workflowDifferential.test.ts"]
const testFiles = process.env.TEST_FILES
if (testFiles !== undefined && testFiles !== "quick" && testFiles !== "slow" && testFiles !== "workflow-differential") {
  throw new Error(
    `TEST_FILES is '${testFiles}': it is quick (all but the slow files), slow (only those), workflow-differential (only that one) or unset (all)`
  )
}

// A plain alias cannot look at the importer, hence a resolver (ahead of the others).
const fixtureCore: Plugin = {
  name: "fixture-core",
  enforce: "pre",
  resolveId: (source, importer) =>
    source === "@durable-effect/core"
      ? (coreOf.find((row) => importer !== undefined && row.importer.test(importer))?.core ?? defaultCore)
      : null
}

export default defineConfig({
  plugins: [fixtureCore],
  resolve: {
    // Fixtures import their core as a package (resolved by `fixtureCore` above), and tests (and
    // codemodded copies of the fixture) import this library by its published name: both
    // resolve to source here.
    alias: [
      { find: /^durable-effect-tracking\/codemod$/, replacement: here("./src/codemod/index.ts") },
      { find: /^durable-effect-tracking\/otel$/, replacement: here("./src/sinks/otel/index.ts") },
      { find: /^durable-effect-tracking$/, replacement: here("./src/index.ts") }
    ]
  },
  test: {
    include:
      testFiles === "slow"
        ? slowFiles
        : testFiles === "workflow-differential"
          ? differentialFiles
          : ["test/**/*.test.ts"],
    exclude: [...configDefaults.exclude, ...(testFiles === "quick" ? [...slowFiles, ...differentialFiles] : [])],
    // Every temp file of the run under one directory; the run fails if a test leaves one behind.
    globalSetup: ["./test/support/globalSetup.ts"],
    // Hang guards, not speed limits: a busy machine may only make a test slower, never fail it
    // (on 2 cores shared 14 ways, a test that takes 10 s alone took 140 s).
    testTimeout: 600_000,
    hookTimeout: 600_000
  }
})
