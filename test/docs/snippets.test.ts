import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { planCodemod } from "durable-effect-tracking/codemod"
import { documentedFiles, snippetDiagnostics, snippetsOf } from "../support/snippets.js"

const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

describe("code in the README and docs", () => {
  const snippets = documentedFiles(repoRoot).flatMap((doc) => snippetsOf(repoRoot, doc))

  it("has TypeScript blocks to check", () => {
    expect(snippets.length).toBeGreaterThan(5)
  })

  it("compiles, every block, as code in a jobs package's src/ after the codemod", async () => {
    const plan = await planCodemod({
      packageDir: `${repoRoot}test/fixtures/jobs`,
      importFrom: "durable-effect-tracking",
      typeCheck: false
    })
    expect(plan.status).toBe("changes")
    const overlay = new Map(plan.files.map((file) => [file.path, file.after]))
    expect(snippetDiagnostics(repoRoot, snippets, overlay)).toEqual([])
  })
})
