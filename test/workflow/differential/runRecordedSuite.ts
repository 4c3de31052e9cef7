import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { repoRoot } from "../../support/fixtureCopy.js"
import { runNode, type ChildResult } from "../../support/copyChecks.js"

/** The events one test of the package's suite emitted, in order. */
export interface RecordedTest {
  /** The test file, relative to the package. */
  readonly file: string
  readonly test: string
  readonly events: ReadonlyArray<Record<string, unknown>>
}

/**
 * Runs the workflow package's own suite in `packageDir` (a copy under `root`, its core beside it)
 * in a nested vitest, one worker and no isolation, with the recording setup file; returns the
 * run and the events of each test, by `file > test`.
 */
export const runRecordedSuite = async (
  root: string,
  packageDir: string,
  options: { readonly migrated: boolean; readonly name: string }
): Promise<{ readonly run: ChildResult; readonly tests: ReadonlyMap<string, RecordedTest> }> => {
  const out = join(root, `${options.name}-events.jsonl`)
  writeFileSync(out, "")
  const config = join(root, `${options.name}.vitest.config.mjs`)
  const packageName = packageDir.slice(root.length + 1)
  writeFileSync(
    config,
    [
      `import { defineConfig } from "vitest/config"`,
      `export default defineConfig({`,
      `  resolve: { alias: [`,
      `    { find: /^@durable-effect\\/core$/, replacement: ${JSON.stringify(join(root, "core-tracked", "index.ts"))} },`,
      `    { find: /^durable-effect-tracking$/, replacement: ${JSON.stringify(join(repoRoot, "src/index.ts"))} }`,
      `  ] },`,
      `  test: {`,
      `    include: [${JSON.stringify(`${packageName}/test/**/*.test.ts`)}],`,
      `    setupFiles: [${JSON.stringify(join(repoRoot, "test/workflow/differential/recordEvents.setup.ts"))}],`,
      `    testTimeout: 120000, isolate: false, maxWorkers: 1,`,
      `    env: ${JSON.stringify({ DIFFERENTIAL_PACKAGE_DIR: packageDir, DIFFERENTIAL_OUT: out, DIFFERENTIAL_MIGRATED: options.migrated ? "1" : "0" })}`,
      `  }`,
      `})`,
      ``
    ].join("\n")
  )
  const run = await runNode(
    [join(repoRoot, "node_modules/vitest/vitest.mjs"), "run", "--config", config, "--root", root],
    root
  )
  const tests = new Map<string, RecordedTest>()
  for (const line of readFileSync(out, "utf8").split("\n")) {
    if (line.trim() === "") continue
    const test = JSON.parse(line) as RecordedTest
    tests.set(`${test.file} > ${test.test}`, test)
  }
  return { run, tests }
}
