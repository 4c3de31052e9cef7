import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { ESLint, type Linter } from "eslint"
import tseslint from "typescript-eslint"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import local from "../../scripts/eslint/plugin.js"
import { tempDir, type TempDir } from "../support/tempDir.js"

const root = fileURLToPath(new URL("../..", import.meta.url))

// The project's own configuration (eslint.config.js), on text that is never written: each source
// is linted as if it stood at `filePath`, its imports resolved against the real tree.
const eslint = new ESLint({ cwd: root })

const messagesOf = async (filePath: string, code: string, ruleId: string): Promise<Array<Linter.LintMessage>> => {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) })
  const messages = result?.messages ?? []
  // A parse error or an unknown rule would make every "does not fire" case pass.
  expect(messages.filter((message) => message.fatal === true || message.ruleId === null)).toEqual([])
  return messages.filter((message) => message.ruleId === ruleId)
}

const boundary = "import-x/no-restricted-paths"

describe("room boundaries (import-x/no-restricted-paths)", () => {
  it.each([
    ["src/instrument", `import * as probe from "../jobs/layouts.js"`],
    ["src/instrument", `export * from "../jobs/defaultJobsEventMap.js"`],
    ["src/tracker", `import type * as probe from "../codemod/index.js"`],
    ["src/internal", `import * as probe from "../cli/main.js"`],
    ["src/sinks/http", `const load = () => import("../../jobs/layouts.js")`],
    ["src/event", `import * as probe from "../tracker/EventTracker.js"`],
    ["src/event", `import * as probe from "../sinks/http/HttpBatchTracker.js"`],
    ["src/event", `import * as probe from "../instrument/withTracking.js"`],
    ["src/delivery", `import * as probe from "../sinks/http/HttpBatchTracker.js"`],
    ["src/codemod", `import * as probe from "../../test/support/wait.js"`],
    ["src", `import * as probe from "../bench/stats.js"`],
    ["src/jobs", `import * as probe from "../../examples/runtime/paths.js"`],
    ["src/codemod/coverage", `import * as probe from "../../cli/program.js"`],
    ["examples/runtime", `import * as probe from "../../test/support/wait.js"`],
    ["src/workflow/events", `import * as probe from "../../jobs/upstream/upstreamJobEvents.js"`],
    ["src/jobs/upstream", `import * as probe from "../../workflow/events/workflowEvents.js"`],
    ["src/jobs", `import * as probe from "../workflow/events/WorkflowEvent.js"`],
    ["src/workflow", `import * as probe from "../codemod/index.js"`],
    ["src/instrument", `import * as probe from "../workflow/events/workflowEvents.js"`],
    ["src/event", `import * as probe from "../workflow/events/WorkflowEventTypes.js"`]
  ])("fires in %s on %s", async (folder, code) => {
    expect(await messagesOf(`${folder}/lintProbe.ts`, code, boundary)).toHaveLength(1)
  })

  it.each([
    ["src/instrument", `import * as probe from "../internal/safe.js"`],
    ["src/event", `import * as probe from "../internal/safe.js"`],
    ["src/sinks/queue", `import * as probe from "../../delivery/BatchBody.js"`],
    ["src/jobs", `import * as probe from "../instrument/withTracking.js"`],
    ["src/codemod", `import * as probe from "../jobs/layouts.js"`],
    ["src/cli", `import * as probe from "../codemod/report/exitCodes.js"`],
    ["test/instrument", `import * as probe from "../../src/jobs/layouts.js"`],
    ["test/e2e", `import * as probe from "../../examples/runtime/paths.js"`],
    ["examples/runtime", `import * as probe from "../../test/fixtures/jobs/src/index.js"`],
    ["src/workflow/events", `import * as probe from "../../event/Vocabulary.js"`],
    ["src/jobs/upstream", `import * as probe from "../../event/decodeEventBatch.js"`],
    ["src/jobs", `import * as probe from "./upstream/upstreamJobEvents.js"`]
  ])("stays quiet in %s on %s", async (folder, code) => {
    expect(await messagesOf(`${folder}/lintProbe.ts`, code, boundary)).toEqual([])
  })
})

describe("the generic rooms name nothing of the jobs package (no-restricted-syntax)", () => {
  const rule = "no-restricted-syntax"

  it.each([
    ["src/instrument", `export const key = (context: { instanceId?: string }) => context.instanceId`],
    ["src/instrument", `export const types = ["job.created", "debounce.cleared"]`],
    ["src/tracker", `import type { JobEvent } from "durable-effect-tracking"\nexport type E = JobEvent`],
    ["src/event", `export const keys = { jobName: "name" }`],
    ["src/delivery", `export const first = "retry.scheduled"`],
    ["src/sinks/otel", `export const grave = { "job.failed": "error" }`],
    ["src/internal", `export const map = (m: { defaultJobsEventMap: unknown }) => m.defaultJobsEventMap`]
  ])("fires in %s on %s", async (folder, code) => {
    expect((await messagesOf(`${folder}/lintProbe.ts`, code, rule)).length).toBeGreaterThan(0)
  })

  it.each([
    [
      "src/instrument",
      `export const keys = (v: { context: ReadonlyArray<string> }) => v.context.map((key) => \`\${key}\`)`
    ],
    ["src/instrument", `export const types = ["payment.charged", "jobs", "taskbar", "alarming.thing"]`],
    ["src/sinks/http", `export const option = ["retry.maxAttempts", "retry.initialDelayMs"]`],
    ["src/jobs", `export const first = (e: { instanceId: string }) => [e.instanceId, "job.created"]`],
    ["src/codemod", `export const jobType = "task.idle"`]
  ])("stays quiet in %s on %s", async (folder, code) => {
    expect(await messagesOf(`${folder}/lintProbe.ts`, code, rule)).toEqual([])
  })
})

describe("one import per module (import-x/no-duplicates)", () => {
  it("fires on two value imports of one module", async () => {
    const code = `import { Effect } from "effect"\nimport { Layer } from "effect"\n`
    expect(await messagesOf("src/internal/lintProbe.ts", code, "import-x/no-duplicates")).toHaveLength(2)
  })

  it("fires on two imports of one file written differently", async () => {
    const code = `import { safeRun } from "../internal/safe.js"\nimport { safeSite } from "./../internal/safe.js"\n`
    expect(await messagesOf("src/tracker/lintProbe.ts", code, "import-x/no-duplicates")).toHaveLength(2)
  })

  it("stays quiet on a value import beside a separate type import", async () => {
    const code = `import { Effect } from "effect"\nimport type { Layer } from "effect"\n`
    expect(await messagesOf("src/internal/lintProbe.ts", code, "import-x/no-duplicates")).toEqual([])
  })
})

// The cycle rules read the tree from disk: a small tree of their own, so that what is judged does
// not move with the project's code.
describe("cycles (local/file-cycles, local/folder-cycles)", () => {
  let tree: TempDir
  let lint: ESLint

  const write = (path: string, code: string) => {
    const file = join(tree.path, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, code)
  }

  beforeAll(() => {
    tree = tempDir("det-lint-")
    write("src/a/one.ts", `import { two } from "../b/two.js"\nexport const one = () => two\n`)
    write("src/a/five.ts", `export const five = 5\n`)
    write("src/b/two.ts", `export const two = 2\n`)
    write("src/c/six.ts", `import { two } from "../b/two.js"\nexport const six = two\n`)
    // Deeper: src/e/deep → src/f, so src/f → src/e closes a cycle between src/e and src/f.
    write("src/e/deep/eight.ts", `import { nine } from "../../f/nine.js"\nexport const eight = nine\n`)
    write("src/e/ten.ts", `export const ten = 10\n`)
    write("src/f/nine.ts", `export const nine = 9\n`)
    // Three folders: src/g → src/h → src/i.
    write("src/g/x.ts", `import { y } from "../h/y.js"\nexport const x = y\n`)
    write("src/h/y.ts", `import { z } from "../i/z.js"\nexport const y = z\n`)
    write("src/i/z.ts", `export const z = 0\n`)
    lint = new ESLint({
      cwd: tree.path,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ["**/*.ts"],
          languageOptions: { parser: tseslint.parser },
          plugins: { local },
          rules: { "local/file-cycles": "error", "local/folder-cycles": "error" }
        }
      ]
    })
  })

  afterAll(() => tree.remove())

  const lintAt = async (path: string, code: string) => {
    const [result] = await lint.lintText(code, { filePath: join(tree.path, path) })
    const messages = result?.messages ?? []
    expect(messages.filter((message) => message.fatal === true || message.ruleId === null)).toEqual([])
    return {
      files: messages.filter((message) => message.ruleId === "local/file-cycles"),
      folders: messages.filter((message) => message.ruleId === "local/folder-cycles")
    }
  }

  it("fires on an import that closes a cycle between two files, a type import included", async () => {
    const { files } = await lintAt("src/b/two.ts", `import type { one } from "../a/one.js"\nexport const two = 2\n`)
    expect(files).toHaveLength(1)
    expect(files[0]?.message).toContain("src/b/two.ts → src/a/one.ts → src/b/two.ts")
  })

  it("counts an import() in a type position", async () => {
    const code = `export type One = typeof import("../a/one.js").one\nexport const two = 2\n`
    const { files, folders } = await lintAt("src/b/two.ts", code)
    expect(files).toHaveLength(1)
    expect(folders).toHaveLength(1)
  })

  it("fires on an import that closes a cycle between folders, naming it", async () => {
    const { folders } = await lintAt("src/b/two.ts", `import { five } from "../a/five.js"\nexport const two = five\n`)
    expect(folders).toHaveLength(1)
    expect(folders[0]?.message).toContain("src/b → src/a → src/b")
  })

  it("fires on a cycle between folders seen only at a shallower depth (src/e/deep → src/f → src/e)", async () => {
    const { files, folders } = await lintAt(
      "src/f/nine.ts",
      `import { ten } from "../e/ten.js"\nexport const nine = ten\n`
    )
    expect(files).toEqual([])
    expect(folders).toHaveLength(1)
    expect(folders[0]?.message).toContain("src/f → src/e → src/f")
  })

  it("fires on a cycle through three folders", async () => {
    const { files, folders } = await lintAt("src/i/z.ts", `import { x } from "../g/x.js"\nexport const z = x\n`)
    expect(files).toHaveLength(1)
    expect(files[0]?.message).toContain("src/i/z.ts → src/g/x.ts → src/h/y.ts → src/i/z.ts")
    expect(folders).toHaveLength(1)
    expect(folders[0]?.message).toContain("src/i → src/g → src/h → src/i")
  })

  it("stays quiet on imports that close no cycle", async () => {
    expect(await lintAt("src/a/one.ts", `import { two } from "../b/two.js"\nexport const one = two\n`)).toEqual({
      files: [],
      folders: []
    })
    expect(await lintAt("src/c/six.ts", `import { five } from "../a/five.js"\nexport const six = five\n`)).toEqual({
      files: [],
      folders: []
    })
    expect(await lintAt("src/e/ten.ts", `import { nine } from "../f/nine.js"\nexport const ten = nine\n`)).toEqual({
      files: [],
      folders: []
    })
  })
})
