import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

/**
 * Which room of src/ may import which: the generic rooms never reach into what knows the jobs
 * package or the tooling, the event schema has no import circle, and Effect's private shapes are
 * read in one module only.
 */

const src = fileURLToPath(new URL("../../src", import.meta.url))

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : []
  )

// Relative imports and re-exports (type-only ones included), as paths relative to src/.
const importsOf = (file: string): Array<string> =>
  [...readFileSync(file, "utf8").matchAll(/^(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/gms)].map((match) =>
    relative(src, resolve(dirname(file), match[1]!.replace(/\.js$/, ".ts")))
  )

const room = (path: string) => path.split("/")[0]!

const crossings = (from: ReadonlyArray<string>, to: ReadonlyArray<string>): Array<string> =>
  from.flatMap((fromRoom) =>
    filesUnder(join(src, fromRoom)).flatMap((file) =>
      importsOf(file)
        .filter((target) => to.includes(room(target)))
        .map((target) => `${relative(src, file)} -> ${target}`)
    )
  )

describe("the rooms of src/", () => {
  it("instrument (the generic mechanism) imports nothing that knows the jobs package or the tooling", () => {
    expect(crossings(["instrument"], ["jobs", "codemod", "cli"])).toEqual([])
  })

  it("event, tracker and internal import nothing from jobs, instrument, codemod or cli", () => {
    expect(crossings(["event", "tracker", "internal"], ["jobs", "instrument", "codemod", "cli"])).toEqual([])
  })

  it("the event schema's modules import each other one way only", () => {
    const files = filesUnder(join(src, "event")).map((file) => relative(src, file))
    const edges = new Map(files.map((file) => [file, importsOf(join(src, file)).filter((t) => room(t) === "event")]))
    const circles: Array<string> = []
    const visit = (file: string, path: ReadonlyArray<string>) => {
      if (path.includes(file)) return void circles.push([...path.slice(path.indexOf(file)), file].join(" -> "))
      for (const next of edges.get(file) ?? []) visit(next, [...path, file])
    }
    for (const file of files) visit(file, [])
    expect(circles).toEqual([])
  })

  it("Effect's private shapes are read in src/internal/effectInternals.ts only", () => {
    const privateShape = /\b(_op|_op_layer|effect_instruction_i\d)\b|\bsetFiberRef\b/
    const readers = filesUnder(src)
      .filter((file) => privateShape.test(readFileSync(file, "utf8")))
      .map((file) => relative(src, file))
    expect(readers).toEqual(["internal/effectInternals.ts"])
  })
})
