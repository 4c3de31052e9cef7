import { existsSync, readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { defaultWrappedServiceKeys } from "../../src/jobs/knownLayers.js"
import {
  rewriteRuntime,
  type RuntimeRewrite,
  type RuntimeRewriteOptions,
  detectStyle
} from "durable-effect-tracking/codemod"
const fixture = (name: string, file: "input" | "output") =>
  readFileSync(fileURLToPath(new URL(`../fixtures/codemod/${name}/${file}.ts.txt`, import.meta.url)), "utf8")

const options: RuntimeRewriteOptions = {
  importFrom: "durable-effect-tracking",
  trackingModule: "../tracking",
  mappedServiceKeys: defaultWrappedServiceKeys
}

const rewrite = (name: string, overrides: Partial<RuntimeRewriteOptions> = {}): RuntimeRewrite =>
  rewriteRuntime(`${name}/runtime.ts`, fixture(name, "input"), { ...options, ...overrides })

const rewritten = (result: RuntimeRewrite) => {
  if (result.status !== "rewrite") throw new Error(`expected a rewrite, got ${result.status}: ${result.reason}`)
  return result
}

const allSix = [
  "RuntimeServicesLayer",
  "CleanupServiceLayer",
  "RetryExecutorLayer",
  "JobExecutionServiceLayer",
  "JobHandlersLayer",
  "DispatcherLayer"
]

/** The lines of `after` that are not in `before`, in order: what the rewrite inserted or changed. */
const changedLines = (before: string, after: string) => {
  const original = new Set(before.split("\n"))
  return after.split("\n").filter((line) => !original.has(line))
}

describe("rewriteRuntime: input/output pairs", () => {
  // Every folder of test/fixtures/codemod with an output is a pair. By default the rewrite wraps
  // all six service layers, leaves none untouched and adds no TODO; a pair that expects
  // otherwise says so in its own expected.json.
  const fixturesDir = fileURLToPath(new URL("../fixtures/codemod/", import.meta.url))
  const pairs: ReadonlyArray<{
    name: string
    wrapped: ReadonlyArray<string>
    untouched?: ReadonlyArray<string>
    todo?: number
  }> = readdirSync(fixturesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${fixturesDir}${entry.name}/output.ts.txt`))
    .map((entry) => {
      const expectedFile = `${fixturesDir}${entry.name}/expected.json`
      const expected: { wrapped?: ReadonlyArray<string>; untouched?: ReadonlyArray<string>; todo?: number } =
        existsSync(expectedFile) ? JSON.parse(readFileSync(expectedFile, "utf8")) : {}
      return {
        name: entry.name,
        wrapped: expected.wrapped ?? allSix,
        untouched: expected.untouched,
        todo: expected.todo
      }
    })

  it("finds the pairs in the fixtures folder", () => {
    expect(pairs.map((pair) => pair.name)).toEqual(
      expect.arrayContaining(["standard", "provide-not-merge", "extra-layers"])
    )
  })

  for (const pair of pairs) {
    it(`${pair.name}: matches the expected output`, () => {
      const result = rewritten(rewrite(pair.name))
      expect(result.text).toBe(fixture(pair.name, "output"))
      expect(result.wrapped.map((entry) => entry.layer).sort()).toEqual([...pair.wrapped].sort())
      expect(result.untouched.map((entry) => entry.layer)).toEqual(pair.untouched ?? [])
      expect(result.todo).toHaveLength(pair.todo ?? 0)
    })

    it(`${pair.name}: a second run is a no-op`, () => {
      const once = rewritten(rewrite(pair.name)).text
      const twice = rewriteRuntime("runtime.ts", once, options)
      expect(twice.status).toBe("already-wired")
    })

    it(`${pair.name}: inserted lines follow the file's quote and semicolon style`, () => {
      const input = fixture(pair.name, "input")
      const style = detectStyle(input)
      const inserted = changedLines(input, rewritten(rewrite(pair.name)).text)
      expect(inserted.length).toBeGreaterThan(0)
      const wholeStatements = inserted.filter((line) =>
        /^\s*(import \{ (addTracker|trackingEventMap)|const \w+ = (addTracker\(|\{ eventMap: ))/.test(line)
      )
      expect(wholeStatements).toHaveLength(4)
      for (const line of wholeStatements) expect(line.endsWith(";")).toBe(style.semicolons)
      for (const line of wholeStatements.filter((line) => line.startsWith("import"))) {
        expect(line).toMatch(new RegExp(` from ${style.quote}[^"']+${style.quote};?$`))
      }
    })
  }

  it("keeps every original line outside the edited ranges: deleting the inserted text gives the input back", () => {
    // Every edit of the standard case is an insertion or a wrap around an identifier, so
    // undoing them textually must restore the input byte for byte.
    const input = fixture("standard", "input")
    let text = rewritten(rewrite("standard")).text
    text = text.replace(/withTracking\((\w+), tracking\)/g, "$1")
    text = text.replace(/trackedCoreLayer/g, "coreLayer")
    text = text.replace(
      /\n  \/\/ The tracker goes under every layer.*\n  \/\/ the tracker may .*\n  \/\/ nothing is wrapped.*\n  const coreLayer = addTracker.*\n  const tracking = .*\n/,
      ""
    )
    text = text.replace(/\nimport \{ addTracker.*\nimport \{ trackingEventMap \}.*/, "")
    text = text.replace(/\n  \/\*\* Where job events go.*\n  readonly tracker\?: TrackerOption \| undefined/, "")
    text = text
      .replace(/, tracker\?: TrackerOption/, "")
      .replace(/, options\?: \{ readonly tracker\?: TrackerOption \}/, "")
    text = text
      .replace(/, config\.tracker/, "")
      .replace(/, options\?\.tracker/, "")
      .replace(/Effect\.ensuring\(flushTrackerEvents\), /, "")
    text = text.replace("runEffect(Effect.void)", "runEffect(flushEvents)")
    // The core's flushEvents import served only that run, so the rewrite removed it.
    text = text.replace(
      "{ createDurableObjectRuntime, type RuntimeLayer }",
      "{ createDurableObjectRuntime, flushEvents, type RuntimeLayer }"
    )
    expect(text).toBe(input)
  })

  it("uses the import specifier it is given and the file's import extension", () => {
    const result = rewritten(rewrite("semicolons-single-quotes", { importFrom: "@acme/tracking" }))
    expect(result.text).toContain(
      "import { addTracker, withTracking, flushEvents as flushTrackerEvents, type TrackerOption } from '@acme/tracking';"
    )
    expect(result.text).toContain("import { trackingEventMap } from '../tracking.js';")
  })

  it("wraps only layers whose services the event map covers", () => {
    const result = rewritten(
      rewrite("standard", {
        mappedServiceKeys: new Set(["@durable-effect/jobs/MetadataService", "@durable-effect/jobs/Dispatcher"])
      })
    )
    expect(result.wrapped.map((entry) => entry.layer)).toEqual(["RuntimeServicesLayer", "DispatcherLayer"])
    expect(result.untouched.map((entry) => entry.layer).sort()).toEqual(
      ["CleanupServiceLayer", "JobExecutionServiceLayer", "JobHandlersLayer", "RetryExecutorLayer"].sort()
    )
    expect(result.text).toContain("const cleanupLayer = CleanupServiceLayer.pipe(")
  })
})

describe("rewriteRuntime: partly wired by hand", () => {
  it("keeps a tracker member JobsRuntimeConfig already has, and an options name already taken", () => {
    const input = fixture("standard", "input")
      .replace(
        "  readonly registry: RuntimeJobRegistry\n}",
        "  readonly registry: RuntimeJobRegistry\n  readonly tracker?: TrackerOption\n}"
      )
      .replace(
        "export function createJobsRuntimeFromLayer(coreLayer: RuntimeLayer, registry: RuntimeJobRegistry): JobsRuntime {",
        "export function createJobsRuntimeFromLayer(coreLayer: RuntimeLayer, registry: RuntimeJobRegistry): JobsRuntime {\n  const options = {}"
      )
    const result = rewritten(rewriteRuntime("runtime.ts", input, options))
    expect(result.text.match(/^\s+readonly tracker\?/gm)).toHaveLength(1)
    expect(
      result.changes.filter((change) => change.startsWith("JobsRuntimeConfig already has a `tracker` field"))
    ).toHaveLength(1)
    expect(result.text).toContain(
      "registry: RuntimeJobRegistry, trackingOptions?: { readonly tracker?: TrackerOption }): JobsRuntime {"
    )
    expect(result.text).toContain("createDispatcherLayer(coreLayer, registry, trackingOptions?.tracker)")
  })
})

describe("rewriteRuntime: each piece of the wiring judged on its own", () => {
  // The output of a run with one piece undone, as an edit by hand or a merge might leave it:
  // the composition still counts as wired, and a rerun puts back exactly what is missing.
  const wired = fixture("standard", "output")
  const undone: ReadonlyArray<{
    readonly piece: string
    readonly undo: (text: string) => string
    readonly change: RegExp
    /** Imports go back after the last import, so the lines come back, maybe not in their order. */
    readonly reordered?: true
  }> = [
    {
      piece: "the tracker member of JobsRuntimeConfig",
      undo: (text) =>
        text.replace(/\n  \/\*\* Where job events go.*\n  readonly tracker\?: TrackerOption \| undefined/, ""),
      change: /^JobsRuntimeConfig gets an optional `tracker` field/
    },
    {
      piece: "createJobsRuntime passing config.tracker on",
      undo: (text) => text.replace(", config.tracker)", ")"),
      change: /^createJobsRuntime hands `config.tracker` to createDispatcherLayer/
    },
    {
      piece: "createJobsRuntimeFromLayer's options",
      undo: (text) =>
        text.replace(", options?: { readonly tracker?: TrackerOption }", "").replace(", options?.tracker)", ")"),
      change: /^createJobsRuntimeFromLayer takes an optional third argument/
    },
    {
      piece: "the flush at the end of a run",
      undo: (text) => text.replace("Effect.ensuring(flushTrackerEvents), ", ""),
      change: /^every run sends its buffered events to the tracker before it ends, .*\(1 run site\)/
    },
    {
      piece: "the library's import",
      undo: (text) => text.replace(/\nimport \{ addTracker, withTracking.*/, ""),
      change:
        /^adds the imports the wiring needs and the file was missing \(addTracker, withTracking, flushTrackerEvents, TrackerOption\)$/,
      reordered: true
    },
    {
      piece: "the event map's import",
      undo: (text) => text.replace(/\nimport \{ trackingEventMap \}.*/, ""),
      change: /^adds the imports the wiring needs and the file was missing \(trackingEventMap\)$/
    }
  ]

  const sortedLines = (text: string) => text.split("\n").sort()
  for (const { piece, undo, change, reordered } of undone) {
    it(`${piece} undone: the rewrite says the file is partly wired, completes that piece alone, and a third run has nothing to do`, () => {
      const partial = undo(wired)
      expect(partial).not.toBe(wired)
      const result = rewritten(rewriteRuntime("runtime.ts", partial, options))
      expect(result.partlyWired).toMatch(/^withTracking is used in runtime\.ts on line \d+$/)
      expect(result.wrapped).toEqual([])
      expect(result.changes).toHaveLength(1)
      expect(result.changes[0]).toMatch(change)
      expect(result.todo).toEqual([])
      if (reordered) expect(sortedLines(result.text)).toEqual(sortedLines(wired))
      else expect(result.text).toBe(wired)
      expect(rewriteRuntime("runtime.ts", result.text, options).status).toBe("already-wired")
    })
  }

  it("several pieces undone at once are all put back", () => {
    // All but the library's import: with it and the flush both gone, nothing says the flush
    // was imported under an alias, so the rerun would import it under its own name.
    let partial = wired
    for (const { undo } of undone.filter((entry) => entry.reordered !== true)) partial = undo(partial)
    const result = rewritten(rewriteRuntime("runtime.ts", partial, options))
    expect(result.changes).toHaveLength(5)
    expect(result.text).toBe(wired)
  })
})

describe("rewriteRuntime: inputs left unchanged", () => {
  it("reports a runtime that provides its own EventTracker, without touching it", () => {
    const result = rewrite("tracked-by-hand")
    expect(result.status).toBe("tracked-by-hand")
    if (result.status === "tracked-by-hand") expect(result.reason).toContain("EventTracker")
  })

  it("reports an already wired runtime (the output of a run)", () => {
    expect(rewriteRuntime("runtime.ts", fixture("standard", "output"), options).status).toBe("already-wired")
  })

  it("treats a tracker parameter on createDispatcherLayer as wired", () => {
    const input = fixture("standard", "input").replace(
      "registry: RuntimeJobRegistry): Layer.Layer<Dispatcher>",
      "registry: RuntimeJobRegistry, tracker?: unknown): Layer.Layer<Dispatcher>"
    )
    expect(rewriteRuntime("runtime.ts", input, options).status).toBe("already-wired")
  })
})

describe("rewriteRuntime: bad input names the file and what was expected", () => {
  const cases: ReadonlyArray<{ name: string; expected: RegExp }> = [
    { name: "unrecognised", expected: /unrecognised\/runtime\.ts: expected a function createDispatcherLayer/ },
    {
      name: "syntax-error",
      expected: /syntax-error\/runtime\.ts: expected valid TypeScript \(line 7: ',' expected\.\)/
    },
    {
      name: "no-service-layers",
      expected: /no-service-layers\/runtime\.ts: expected createDispatcherLayer to compose the jobs service layers/
    }
  ]
  for (const { name, expected } of cases) {
    it(name, () => {
      expect(() => rewrite(name)).toThrow(expected)
      try {
        rewrite(name)
      } catch (error) {
        expect(error).toMatchObject({ _tag: "CodemodInputError", file: `${name}/runtime.ts` })
      }
    })
  }
})

describe("detectStyle", () => {
  it("reads indent, quotes and semicolons", () => {
    expect(detectStyle(fixture("standard", "input"))).toMatchObject({ indent: "  ", quote: '"', semicolons: false })
    expect(detectStyle(fixture("semicolons-single-quotes", "input"))).toMatchObject({
      indent: "    ",
      quote: "'",
      semicolons: true
    })
    expect(detectStyle(fixture("arrow-and-destructured", "input"))).toMatchObject({ indent: "\t" })
  })
})

describe("line endings", () => {
  it("keeps CRLF files CRLF, inserted lines included", () => {
    const crlf = fixture("standard", "input").replaceAll("\n", "\r\n")
    const result = rewritten(rewriteRuntime("runtime.ts", crlf, options))
    expect(result.text.replace(/\r\n/g, "")).not.toContain("\n")
    expect(result.text.replaceAll("\r\n", "\n")).toBe(fixture("standard", "output"))
  })
})
