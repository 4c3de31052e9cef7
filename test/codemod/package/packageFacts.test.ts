import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { readPackageFacts } from "../../../src/codemod/package/packageFacts.js"
import { tempDir } from "../../support/tempDir.js"

describe("readPackageFacts", () => {
  const dir = tempDir("det-facts-")
  afterAll(() => dir.remove())

  it("counts a function as exported by its keyword or by a later export of its name, not by a re-export", async () => {
    const src = join(dir.path, "src")
    mkdirSync(src)
    writeFileSync(
      join(src, "a.ts"),
      [
        'import { imported } from "./b"',
        "function listed() {}",
        "function renamed() {}",
        "function typeOnly() {}",
        "function hidden() {}",
        "export function keyword() {}",
        "const arrowListed = () => 1",
        "export const arrowKeyword = () => 2",
        "export { listed, renamed as other, arrowListed, imported }",
        "export type { typeOnly }",
        'export { fromElsewhere } from "./b"'
      ].join("\n")
    )
    writeFileSync(
      join(src, "b.ts"),
      [
        "function fromElsewhere() {}",
        "function byDefault() {}",
        "export default byDefault",
        "export const imported = 1"
      ].join("\n")
    )
    writeFileSync(join(src, "c.ts"), "function assigned() {}\nexport = assigned\n")
    writeFileSync(join(src, "d.ts"), "function script() {}\n")

    const facts = await readPackageFacts(dir.path, src)
    expect(Object.fromEntries(facts.exportedFunctions)).toEqual({
      keyword: { file: "src/a.ts", line: 6 },
      listed: { file: "src/a.ts", line: 2 },
      renamed: { file: "src/a.ts", line: 3 },
      typeOnly: { file: "src/a.ts", line: 4 },
      // A variable is exported by its statement's keyword only (an export list names a binding, not the statement).
      arrowKeyword: { file: "src/a.ts", line: 8 },
      byDefault: { file: "src/b.ts", line: 2 },
      assigned: { file: "src/c.ts", line: 1 }
    })
  })
})
