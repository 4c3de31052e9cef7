import { appendFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { main, type CliIo } from "../../src/cli/program.js"
import { CodemodInputError, runCodemod } from "durable-effect-tracking/codemod"
import { fixtureCopies, hashTree, repoRoot, type FixtureCopy } from "../support/fixtureCopy.js"

const { fresh, removeAll } = fixtureCopies()
afterAll(removeAll)

const editTsConfig = (
  copy: FixtureCopy,
  edit: (config: { compilerOptions: Record<string, unknown> } & Record<string, unknown>) => void
) => {
  const path = join(copy.packageDir, "tsconfig.json")
  const config = JSON.parse(readFileSync(path, "utf8"))
  edit(config)
  writeFileSync(path, JSON.stringify(config, null, 2) + "\n")
}

/** The copy's node_modules without @cloudflare/workers-types, as if the package had not installed it. */
const withoutWorkersTypes = (copy: FixtureCopy) => {
  const modules = join(copy.root, "node_modules")
  unlinkSync(modules)
  const linkAll = (from: string, to: string, except: string) => {
    mkdirSync(to)
    for (const name of readdirSync(from)) if (name !== except) symlinkSync(join(from, name), join(to, name))
  }
  linkAll(join(repoRoot, "node_modules"), modules, "@cloudflare")
  linkAll(join(repoRoot, "node_modules/@cloudflare"), join(modules, "@cloudflare"), "workers-types")
}

const runJson = async (argv: ReadonlyArray<string>) => {
  let stdout = ""
  const io: CliIo = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } }
  const code = await main(argv, io)
  return { code, json: JSON.parse(stdout) }
}

describe("the type-check gate compares the changed files before and after the rewrite", () => {
  it("errors the package already has (a type error in runtime.ts, @cloudflare/workers-types missing) are listed as pre-existing and do not block; under noUnusedLocals/noUnusedParameters the rewrite adds none", async () => {
    const copy = fresh()
    editTsConfig(copy, (config) => {
      config.compilerOptions.noUnusedLocals = true
      config.compilerOptions.noUnusedParameters = true
    })
    withoutWorkersTypes(copy)
    appendFileSync(join(copy.packageDir, "src/runtime/runtime.ts"), '\nexport const notANumber: number = "a string"\n')

    const { code, json } = await runJson(["codemod", copy.packageDir, "--json"])

    expect(code).toBe(0)
    expect(json).toMatchObject({ exitCode: 0, refused: null, diagnostics: [] })
    expect([...json.written].sort()).toEqual([
      "src/engine/engine.ts",
      "src/factory.ts",
      "src/runtime/runtime.ts",
      "src/tracking.ts"
    ])
    const preExisting = json.preExistingDiagnostics as Array<{ file: string; code: number; line: number }>
    expect(preExisting).toContainEqual(expect.objectContaining({ file: "src/runtime/runtime.ts", code: 2322 }))
    expect(preExisting).toContainEqual(expect.objectContaining({ file: "src/runtime/runtime.ts", code: 2307 }))
    // Matched by file, code and message: the rewrite moved the error down by its inserted lines.
    const moved = preExisting.find((d) => d.code === 2322)!
    expect(readFileSync(join(copy.packageDir, "src/runtime/runtime.ts"), "utf8").split("\n")[moved.line - 1]).toContain(
      "notANumber"
    )
  })

  it("an error the rewrite introduces refuses the write (exit 2, tree unchanged); --force writes anyway", async () => {
    const copy = fresh()
    // A src/tracking.ts of the package's own, without the map the rewritten runtime imports.
    writeFileSync(join(copy.packageDir, "src/tracking.ts"), "export const somethingElse = 1\n")
    const before = hashTree(copy.root)
    const refused = await runJson(["codemod", copy.packageDir, "--json"])
    expect(refused.code).toBe(2)
    expect(refused.json.written).toEqual([])
    expect(refused.json.diagnostics).toContainEqual(
      expect.objectContaining({ file: "src/runtime/runtime.ts", code: 2305 })
    )
    expect(hashTree(copy.root)).toBe(before)
    const forced = await runJson(["codemod", copy.packageDir, "--json", "--force"])
    expect(forced.code).toBe(0)
    expect(forced.json.written).toContain("src/runtime/runtime.ts")
  })
})

describe("a tsconfig that cannot be read fully is bad input: exit 2, the file and the problem named, nothing written", () => {
  const cases: ReadonlyArray<{
    readonly name: string
    readonly code: number
    readonly breakIt: (copy: FixtureCopy) => void
  }> = [
    {
      name: "an extends that is not there",
      code: 5083,
      breakIt: (copy) => editTsConfig(copy, (config) => void (config.extends = "./tsconfig.base.json"))
    },
    {
      name: "bad JSON",
      code: 1005,
      breakIt: (copy) =>
        writeFileSync(join(copy.packageDir, "tsconfig.json"), '{ "compilerOptions": { "strict": true }\n')
    },
    {
      name: "an option tsc does not know",
      code: 5025,
      breakIt: (copy) => editTsConfig(copy, (config) => void (config.compilerOptions.strictest = true))
    }
  ]
  for (const { name, code, breakIt } of cases) {
    it(name, async () => {
      const copy = fresh()
      breakIt(copy)
      const before = hashTree(copy.root)
      const error = await runCodemod({ packageDir: copy.packageDir }).catch((error: unknown) => error)
      expect(error).toBeInstanceOf(CodemodInputError)
      expect((error as CodemodInputError).file).toBe("tsconfig.json")
      expect((error as CodemodInputError).detail).toContain(`TS${code}:`)
      const cli = await runJson(["codemod", copy.packageDir, "--json"])
      expect(cli.code).toBe(2)
      expect(cli.json.error).toMatchObject({ file: "tsconfig.json", expected: "a tsconfig that tsc can read" })
      expect(hashTree(copy.root)).toBe(before)
    })
  }
})
