import { execFile } from "node:child_process"
import { join } from "node:path"
import { build } from "esbuild"
import { copyFixture, repoRoot } from "../../test/support/fixtureCopy.js"
import { runCodemod } from "../../src/codemod/index.js"
import { compareInterleaved, median, round, type BenchmarkResult, type Side } from "../stats.js"
import type { Scale } from "./scale.js"

/** Runs node with `args`; fails unless it exits with one of `expectedCodes`. */
const runNode = (args: ReadonlyArray<string>, expectedCodes: ReadonlyArray<number> = [0]): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: repoRoot, timeout: 180_000, maxBuffer: 16 * 2 ** 20 },
      (error, _stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : undefined
        if (code !== undefined && expectedCodes.includes(code)) resolve()
        else reject(new Error(`node ${args.join(" ")} failed: ${error?.message}\n${stderr}`))
      }
    )
  })

/**
 * The CLI as the package ships it (what tsup builds for `bin`: one ESM file, packages left to
 * node_modules), written next to the fixture copy, whose node_modules link resolves them.
 */
const bundleCli = async (dir: string): Promise<string> => {
  const outfile = join(dir, "cli.mjs")
  await build({
    entryPoints: [join(repoRoot, "src/cli/main.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "silent"
  })
  return outfile
}

/**
 * Wall time of the codemod on a copy of the fixture (as a user runs it: the built CLI in its own
 * process, `--dry-run`, which plans and type-checks the rewritten files and writes nothing) vs
 * `tsc --noEmit` on the same package, interleaved. The smoke scale runs the cheap variants
 * (`--check`, which skips the type-check, and `tsc --listFilesOnly`) so the test stays fast.
 */
export const codemod = async (scale: Scale): Promise<BenchmarkResult> => {
  const fixture = copyFixture()
  try {
    const smoke = scale === "smoke"
    const cli = await bundleCli(fixture.root)
    const tsc = join(repoRoot, "node_modules/typescript/bin/tsc")
    const codemodSide: Side = {
      name: "codemod --dry-run",
      // --check answers 1 ("would change"): the expected outcome on an unwired package.
      run: () => runNode([cli, "codemod", smoke ? "--check" : "--dry-run", fixture.packageDir], smoke ? [1] : [0])
    }
    const tscSide: Side = {
      name: "tsc --noEmit",
      run: () => runNode([tsc, "--noEmit", "-p", fixture.packageDir, ...(smoke ? ["--listFilesOnly"] : [])])
    }
    const result = await compareInterleaved(
      tscSide,
      codemodSide,
      smoke
        ? { warmup: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 }
        : { warmup: 0, minRounds: 3, maxRounds: 3, budgetMs: 0 }
    )
    // The codemod's own work, without a process start or loading TypeScript: in this process, warm.
    let inProcessMs: number | undefined
    if (!smoke) {
      await runCodemod({ packageDir: fixture.packageDir, mode: "dry-run" })
      const started = performance.now()
      const outcome = await runCodemod({ packageDir: fixture.packageDir, mode: "dry-run" })
      inProcessMs = performance.now() - started
      if (outcome.exitCode !== 0 || (outcome.plan.diagnostics?.length ?? 0) > 0) {
        throw new Error(
          `codemod: the dry run did not succeed cleanly (exit ${outcome.exitCode}, ${outcome.plan.diagnostics?.length} type errors)`
        )
      }
    }
    return {
      name: "codemod",
      ratio: round(result.ratio),
      unit: "× tsc --noEmit",
      target: "<= 1.0",
      met: result.ratio <= 1,
      detail: {
        rounds: result.rounds,
        medianMs: { tsc: Math.round(median(result.baseline)), codemod: Math.round(median(result.subject)) },
        samplesMs: { tsc: result.baseline.map(Math.round), codemod: result.subject.map(Math.round) },
        ...(inProcessMs === undefined ? {} : { codemodInProcessWarmMs: Math.round(inProcessMs) })
      }
    }
  } finally {
    fixture.remove()
  }
}
