import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

// Effect's private shapes are read in one module, so that a change of Effect breaks one place,
// which its own test names (test/internal/effectInternals.test.ts). Imports between rooms are
// the lint's to hold (eslint.config.js).

const src = fileURLToPath(new URL("../../src", import.meta.url))

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

describe("Effect's private shapes", () => {
  it("are read in src/internal/effectInternals.ts only", () => {
    const privateShape = /\b(_op|_op_layer|effect_instruction_i\d)\b|\bsetFiberRef\b/
    const readers = filesUnder(src)
      .filter((file) => privateShape.test(readFileSync(file, "utf8")))
      .map((file) => relative(src, file))
    expect(readers).toEqual(["internal/effectInternals.ts"])
  })
})
