import { execFile } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { documentedFiles, snippetsOf } from "../support/snippets.js"

/**
 * The package as a user gets it: built, packed, and installed from the tarball into a fresh
 * project with only the packages a user installs (effect, typescript, @types/node; all in the
 * npm cache since `npm ci`). Nothing here resolves through this repository's node_modules.
 */
const repoRoot = fileURLToPath(new URL("../..", import.meta.url))
const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>
}
const minutes = (n: number) => n * 60_000

interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

// npm, run from `npm test`, passes its own settings down (the project's prefix among them):
// the consumer's npm must see its own project.
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|npm_command$|INIT_CWD$)/i.test(key)
  )
)

const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Ran> =>
  new Promise((resolve) => {
    // Children's temp files (tsx's compile cache in the build, npm's) go under this test's own
    // directory, removed with it.
    const temp = join(work, "tmp")
    mkdirSync(temp, { recursive: true })
    execFile(
      command,
      [...args],
      { cwd, env: { ...childEnv, TMPDIR: temp }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        resolve({ code, stdout, stderr })
      }
    )
  })

const expectOk = (ran: Ran, what: string) => {
  if (ran.code !== 0) throw new Error(`${what} exited ${ran.code}\n${ran.stdout}\n${ran.stderr}`)
}

let work: string
let consumer: string

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "det-consumer-"))
  expectOk(await run("npm", ["run", "build"], repoRoot), "npm run build")
  const packed = await run("npm", ["pack", "--json", "--pack-destination", work], repoRoot)
  expectOk(packed, "npm pack")
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }]
  consumer = join(work, "consumer")
  mkdirSync(consumer)
  writeFileSync(
    join(consumer, "package.json"),
    `${JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2)}\n`
  )
  const dev = manifest.devDependencies
  expectOk(
    await run(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        join(work, filename),
        `effect@${dev.effect}`,
        `typescript@${dev.typescript}`,
        `@types/node@${dev["@types/node"]}`
      ],
      consumer
    ),
    "npm install"
  )
}, minutes(20))

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true })
})

const bin = () => join(consumer, "node_modules", ".bin", "durable-effect-tracking")

/** Runs the consumer's own tsc on `files` (relative to the consumer) with `options`; returns the exit code and output. */
const typeCheck = (name: string, options: Record<string, unknown>, files: ReadonlyArray<string>): Promise<Ran> => {
  const config = join(consumer, `tsconfig.${name}.json`)
  writeFileSync(
    config,
    JSON.stringify({
      compilerOptions: { target: "es2022", lib: ["es2022"], strict: true, noEmit: true, types: ["node"], ...options },
      files
    })
  )
  return run(process.execPath, [join(consumer, "node_modules", "typescript", "bin", "tsc"), "-p", config], consumer)
}

const resolutions = {
  node10: { module: "commonjs", moduleResolution: "node10" },
  bundler: { module: "esnext", moduleResolution: "bundler" }
} as const

describe("a project that installs the packed package", () => {
  it(
    "gets neither ts-morph nor diff (the codemod's toolchain is an optional peer)",
    async () => {
      expect(existsSync(join(consumer, "node_modules", "durable-effect-tracking", "package.json"))).toBe(true)
      const tree = await run("npm", ["ls", "--all", "--json"], consumer)
      expect(tree.code).toBe(0)
      const names = new Set<string>()
      // npm ls also lists an optional peer that is not installed, marked missing: count installed ones only.
      interface TreeNode {
        readonly version?: string
        readonly missing?: boolean
        readonly dependencies?: Record<string, TreeNode>
      }
      const walk = (node: TreeNode) => {
        for (const [name, child] of Object.entries(node.dependencies ?? {})) {
          if (child.missing === true || child.version === undefined) continue
          names.add(name)
          walk(child)
        }
      }
      walk(JSON.parse(tree.stdout) as TreeNode)
      expect(names.has("durable-effect-tracking")).toBe(true)
      expect(names.has("ts-morph")).toBe(false)
      expect(names.has("diff")).toBe(false)
      expect(existsSync(join(consumer, "node_modules", "ts-morph"))).toBe(false)
      expect(existsSync(join(consumer, "node_modules", "diff"))).toBe(false)
    },
    minutes(5)
  )

  it(
    "runs the CLI: --help exits 0; codemod without ts-morph says what to install and exits 2",
    async () => {
      const help = await run(bin(), ["--help"], consumer)
      expect(help.code).toBe(0)

      const jobsPackage = join(work, "jobs-package")
      mkdirSync(join(jobsPackage, "src", "runtime"), { recursive: true })
      writeFileSync(join(jobsPackage, "src", "runtime", "runtime.ts"), "export {}\n")

      const json = await run(bin(), ["codemod", jobsPackage, "--json"], consumer)
      expect(json.code).toBe(2)
      const { error } = JSON.parse(json.stdout) as { error: { kind: string; package: string; message: string } }
      expect(error.kind).toBe("missing-dependency")
      expect(["ts-morph", "diff"]).toContain(error.package)

      const text = await run(bin(), ["codemod", jobsPackage], consumer)
      expect(text.code).toBe(2)
      expect(text.stderr).toContain("ts-morph")
      // Nothing was written.
      expect(readFileSync(join(jobsPackage, "src", "runtime", "runtime.ts"), "utf8")).toBe("export {}\n")
    },
    minutes(5)
  )

  it(
    "reaches only the export map's entries: every file under dist/ is refused by name, for import and require",
    async () => {
      const installed = join(consumer, "node_modules", "durable-effect-tracking")
      const exportMap = (
        JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { exports: Record<string, unknown> }
      ).exports
      const dist = readdirSync(join(installed, "dist"), { recursive: true, encoding: "utf8" }).filter((file) =>
        statSync(join(installed, "dist", file)).isFile()
      )
      // Resolved by the consumer's own Node, as its code would import or require them.
      writeFileSync(
        join(consumer, "resolve.mjs"),
        `import { createRequire } from "node:module"
const require = createRequire(import.meta.url)
const outcome = (resolve) => { try { resolve(); return "resolved" } catch (error) { return error.code } }
const results = {}
for (const specifier of JSON.parse(process.argv[2])) {
  results[specifier] = { import: outcome(() => import.meta.resolve(specifier)), require: outcome(() => require.resolve(specifier)) }
}
console.log(JSON.stringify(results))
`
      )
      const entries = Object.keys(exportMap).map((key) =>
        key === "." ? "durable-effect-tracking" : `durable-effect-tracking/${key.slice(2)}`
      )
      const deep = dist.map((file) => `durable-effect-tracking/dist/${file.split("\\").join("/")}`)
      const ran = await run(
        process.execPath,
        [join(consumer, "resolve.mjs"), JSON.stringify([...entries, ...deep])],
        consumer
      )
      expectOk(ran, "resolve.mjs")
      const results = JSON.parse(ran.stdout) as Record<string, { import: string; require: string }>
      expect(deep.length).toBeGreaterThan(3)
      expect(Object.keys(exportMap).sort()).toEqual([".", "./codemod", "./otel", "./package.json", "./schema.json"])
      for (const entry of entries) expect(results[entry], entry).toEqual({ import: "resolved", require: "resolved" })
      for (const file of deep) {
        expect(results[file], file).toEqual({
          import: "ERR_PACKAGE_PATH_NOT_EXPORTED",
          require: "ERR_PACKAGE_PATH_NOT_EXPORTED"
        })
      }
    },
    minutes(5)
  )

  it(
    "type-checks code importing the runtime entry and ./codemod under moduleResolution node10 and bundler",
    async () => {
      writeFileSync(
        join(consumer, "uses.ts"),
        `import { Effect } from "effect"
import { InMemoryTracker, emitEvent, jobEvents, makeJobEvent, type JobEvent, vocabularyGate } from "durable-effect-tracking"
import { ExitCode, runCodemod, type CodemodOutcome } from "durable-effect-tracking/codemod"

// Told the jobs vocabulary, the tracker is typed by job events (and refuses others).
const memory = InMemoryTracker.make({ vocabularies: vocabularyGate(jobEvents) })
const { handle } = memory
const layer = InMemoryTracker.layer(memory)
export const events: Effect.Effect<ReadonlyArray<JobEvent>> = emitEvent(
  makeJobEvent({ type: "job.created", instanceId: "do-1", jobType: "task", jobName: "probe" })
).pipe(Effect.zipRight(handle.getEvents()), Effect.provide(layer))
export const ok: number = ExitCode.ok
export const codemod: (options: { packageDir: string }) => Promise<CodemodOutcome> = runCodemod
`
      )
      // The control: the same imports with a wrong type must fail, so the check sees real types.
      writeFileSync(
        join(consumer, "wrong.ts"),
        `import { ExitCode } from "durable-effect-tracking/codemod"\nimport { makeJobEvent } from "durable-effect-tracking"\nexport const wrong: string = ExitCode.ok\nexport const alsoWrong: number = makeJobEvent\n`
      )
      for (const [name, options] of Object.entries(resolutions)) {
        const good = await typeCheck(name, options, ["uses.ts"])
        expect(good.stdout + good.stderr, name).toBe("")
        expect(good.code, name).toBe(0)
        const bad = await typeCheck(`${name}-wrong`, options, ["wrong.ts"])
        expect(bad.code, name).not.toBe(0)
        expect(bad.stdout.match(/error TS2322/g), name).toHaveLength(2)
      }
    },
    minutes(10)
  )

  it(
    "type-checks the README's and docs' TypeScript blocks that need only effect, node and this package",
    async () => {
      const allowed = /^(effect|effect\/.+|durable-effect-tracking|durable-effect-tracking\/codemod|node:.+)$/
      const snippets = documentedFiles(repoRoot)
        .flatMap((doc) => snippetsOf(repoRoot, doc))
        .filter((snippet) => [...snippet.code.matchAll(/from\s+"([^"]+)"/g)].every((match) => allowed.test(match[1]!)))
      expect(snippets.some((snippet) => snippet.where.startsWith("README.md"))).toBe(true)
      mkdirSync(join(consumer, "snippets"))
      const files = snippets.map((snippet, index) => {
        const file = `snippets/snippet_${index}.ts`
        writeFileSync(join(consumer, file), snippet.code)
        return file
      })
      const checked = await typeCheck("snippets", resolutions.bundler, files)
      const located = checked.stdout.replace(
        /snippets\/snippet_(\d+)\.ts/g,
        (_, index: string) => snippets[Number(index)]!.where
      )
      expect(located).toBe("")
      expect(checked.code).toBe(0)
    },
    minutes(10)
  )
})
