import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { typeCheckChange } from "../../src/codemod/package/typeCheck.js"

const dirs: Array<string> = []
const tempPackage = () => {
  const dir = mkdtempSync(join(tmpdir(), "det-typecheck-"))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe("typeCheckChange (the compiler's program, the changed texts served from memory)", () => {
  it("without a tsconfig: the standard library is there (ES2022), and an error the change brings is located and named", () => {
    const dir = tempPackage()
    const result = typeCheckChange(dir, undefined, [
      {
        path: join(dir, "src/ok.ts"),
        before: undefined,
        after: "export const last = [1, 2].at(-1)\nexport const later = Promise.resolve(new Map<string, number>())\n"
      },
      { path: join(dir, "src/bad.ts"), before: undefined, after: "export const n = 1\nexport const s: string = n\n" }
    ])
    expect(result.preExisting).toEqual([])
    expect(result.introduced).toEqual([
      expect.objectContaining({ file: "src/bad.ts", line: 2, column: 14, code: 2322 })
    ])
  })

  it("tells errors the files had before from those the change brings; a file the change creates is absent before it", () => {
    const dir = tempPackage()
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, noEmit: true } }))
    const existing = "export const wrong: string = 1\n"
    writeFileSync(join(dir, "a.ts"), existing)
    const result = typeCheckChange(dir, join(dir, "tsconfig.json"), [
      {
        path: join(dir, "a.ts"),
        before: existing,
        after: `import { made } from "./b.js"\n${existing}export const use = made\n`
      },
      { path: join(dir, "b.ts"), before: undefined, after: "export const made: number = 'not a number'\n" }
    ])
    expect(result.preExisting.map((d) => [d.file, d.code])).toEqual([["a.ts", 2322]])
    expect(result.introduced.map((d) => [d.file, d.line, d.code])).toEqual([["b.ts", 1, 2322]])
  })
})
