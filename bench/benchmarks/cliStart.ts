import { execFile } from "node:child_process"
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { build } from "esbuild"
import { repoRoot } from "../../test/support/fixtureCopy.js"
import { compareInterleavedMany, median, round, type BenchmarkResult, type Side } from "../stats.js"
import type { Scale } from "./scale.js"

const runNode = (args: ReadonlyArray<string>): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: repoRoot, timeout: 60_000 }, (error, _stdout, stderr) =>
      error === null ? resolve() : reject(new Error(`node ${args.join(" ")} failed: ${error.message}\n${stderr}`))
    )
  })

/**
 * The CLI as tsup builds it for `bin` (ESM, code split, packages left to node_modules), laid out
 * like the published package: dist/cli/main.js with package.json two levels up.
 */
const bundleCli = async (root: string): Promise<string> => {
  await build({
    entryPoints: { "cli/main": join(repoRoot, "src/cli/main.ts") },
    outdir: join(root, "dist"),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "silent"
  })
  copyFileSync(join(repoRoot, "package.json"), join(root, "package.json"))
  symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir")
  return join(root, "dist/cli/main.js")
}

/**
 * Wall time of the built CLI answering `--help`, `--version` and `coverage` (which must not load
 * the codemod's ts-morph), each in its own process, interleaved with a bare `node -e 0` start:
 * the value is `--help`'s median in seconds; the extra over a bare node start is in the detail,
 * as on a loaded machine the start of node itself dominates.
 */
export const cliStart = async (scale: Scale): Promise<BenchmarkResult> => {
  const root = mkdtempSync(join(tmpdir(), "det-cli-start-"))
  try {
    const cli = await bundleCli(root)
    const side = (name: string, args: ReadonlyArray<string>): Side => ({ name, run: () => runNode(args) })
    const [help, version, coverage, effect] = await compareInterleavedMany(
      side("node -e 0", ["-e", "0"]),
      [
        side("--help", [cli, "--help"]),
        side("--version", [cli, "--version"]),
        side("coverage", [cli, "coverage"]),
        // What coverage's default map costs to load: effect itself (the codemod's ts-morph it does not load).
        side("import effect", ["--input-type=module", "-e", 'await import("effect")'])
      ],
      scale === "smoke"
        ? { warmup: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 }
        : { warmup: 1, minRounds: 10, maxRounds: 10, budgetMs: 0 }
    )
    const ms = (samples: ReadonlyArray<number>) => Math.round(median(samples))
    const seconds = median(help!.subject) / 1000
    return {
      name: "cli-start",
      value: round(seconds),
      unit: "s (--help, median)",
      target: "<= 0.3",
      met: seconds <= 0.3,
      detail: {
        rounds: help!.rounds,
        medianMs: {
          nodeBare: ms(help!.baseline),
          help: ms(help!.subject),
          version: ms(version!.subject),
          coverage: ms(coverage!.subject),
          importEffectAlone: ms(effect!.subject)
        },
        overBareNodeMs: {
          help: ms(help!.subject) - ms(help!.baseline),
          version: ms(version!.subject) - ms(help!.baseline),
          coverage: ms(coverage!.subject) - ms(help!.baseline)
        },
        ratioToBareNode: { help: round(help!.ratio), version: round(version!.ratio), coverage: round(coverage!.ratio) }
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
