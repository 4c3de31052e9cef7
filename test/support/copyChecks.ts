import { execFile } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { promisify } from "node:util"
import { repoRoot, type FixtureCopy } from "./fixtureCopy.js"

// The two slow checks of a rewritten fixture copy, started side by side: tsc with the copy's own
// tsconfig, and the copy's own suite in a nested vitest (its JSON report is the result).

const exec = promisify(execFile)

/** Hang guard only: a busy machine may make the nested tsc and vitest runs take minutes. */
export const childTimeoutMs = 600_000

export interface ChildResult {
  readonly code: number
  readonly output: string
}

export const runNode = (args: ReadonlyArray<string>, cwd: string): Promise<ChildResult> =>
  exec(process.execPath, [...args], {
    cwd,
    timeout: childTimeoutMs,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === "number" ? error.code : 1,
      output: `${error.stdout ?? ""}${error.stderr ?? ""}`
    })
  )

/** What the tests read of vitest's JSON report (`--reporter=json`). */
export interface VitestJsonReport {
  readonly success: boolean
  readonly numTotalTests: number
  readonly numPassedTests: number
  readonly numFailedTests: number
  readonly numPendingTests: number
  readonly numTodoTests: number
  readonly testResults: ReadonlyArray<{
    readonly name: string
    readonly assertionResults: ReadonlyArray<{ readonly fullName: string; readonly status: string }>
  }>
}

/** One test of a copy's suite, as its JSON report gives it; `file` relative to the package's `test/`. */
export interface SuiteTest {
  readonly file: string
  readonly name: string
  readonly status: string
}

/** The copy's suite once it ended: its JSON report, and every test in it. */
export const suiteResults = async (
  checks: CopyChecks,
  copy: FixtureCopy
): Promise<{ readonly report: VitestJsonReport; readonly tests: ReadonlyArray<SuiteTest> }> => {
  await checks.suite
  const report = JSON.parse(readFileSync(checks.reportPath, "utf8")) as VitestJsonReport
  const tests = report.testResults.flatMap((file) =>
    file.assertionResults.map((test) => ({
      file: relative(join(copy.packageDir, "test"), file.name),
      name: test.fullName,
      status: test.status
    }))
  )
  return { report, tests }
}

export interface CopyChecks {
  readonly typeCheck: Promise<ChildResult>
  readonly suite: Promise<ChildResult>
  /** Where the suite's JSON report is written (inside the copy's temp directory, removed with it). */
  readonly reportPath: string
}

/**
 * Starts tsc and the copy's own tests. `core` is the directory of the copy's core beside the
 * package (`core`, `core-tracked`); `test` is the nested vitest's `test` options, as source.
 */
export const startCopyChecks = (
  copy: FixtureCopy,
  options: { readonly core: string; readonly test: string }
): CopyChecks => {
  const reportPath = join(copy.root, "vitest-report.json")
  const packageName = copy.packageDir.slice(copy.root.length + 1)
  const typeCheck = runNode(
    [join(repoRoot, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", join(copy.packageDir, "tsconfig.json")],
    copy.root
  )
  writeFileSync(
    join(copy.root, "vitest.config.mjs"),
    [
      `import { defineConfig } from "vitest/config"`,
      `export default defineConfig({`,
      `  resolve: { alias: [`,
      `    { find: /^@durable-effect\\/core$/, replacement: ${JSON.stringify(join(copy.root, options.core, "index.ts"))} },`,
      `    { find: /^durable-effect-tracking$/, replacement: ${JSON.stringify(join(repoRoot, "src/index.ts"))} }`,
      `  ] },`,
      `  test: { include: [${JSON.stringify(`${packageName}/test/**/*.test.ts`)}], ${options.test} }`,
      `})`,
      ``
    ].join("\n")
  )
  const suite = runNode(
    [
      join(repoRoot, "node_modules/vitest/vitest.mjs"),
      "run",
      "--config",
      join(copy.root, "vitest.config.mjs"),
      "--root",
      copy.root,
      "--reporter=json",
      `--outputFile=${reportPath}`
    ],
    copy.root
  )
  return { typeCheck, suite, reportPath }
}
