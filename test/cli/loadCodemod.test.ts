import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import {
  codemodToolchain,
  codemodToolchainInstall,
  CodemodToolchainMissing,
  loadWithCodemodToolchain
} from "../../src/cli/loadCodemod.js"

const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  dependencies?: Record<string, string>
  peerDependencies: Record<string, string>
  peerDependenciesMeta: Record<string, { optional?: boolean }>
  devDependencies: Record<string, string>
}

describe("the codemod's toolchain", () => {
  it("is an optional peer, pinned for development, and the install hint names the peers' majors", () => {
    for (const [name, major] of Object.entries(codemodToolchain)) {
      expect(manifest.dependencies?.[name]).toBeUndefined()
      expect(manifest.peerDependencies[name]).toBe(`^${major}.0.0`)
      expect(manifest.peerDependenciesMeta[name]?.optional).toBe(true)
      expect(manifest.devDependencies[name]).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`))
      expect(codemodToolchainInstall).toContain(`${name}@${major}`)
    }
  })

  it("turns a missing toolchain package into CodemodToolchainMissing and passes other failures through", async () => {
    const notFound = (name: string) =>
      Object.assign(new Error(`Cannot find package '${name}' imported from /x/codemod.js`), {
        code: "ERR_MODULE_NOT_FOUND"
      })
    const missing = await loadWithCodemodToolchain(() => Promise.reject(notFound("ts-morph"))).catch(
      (error: unknown) => error
    )
    expect(missing).toBeInstanceOf(CodemodToolchainMissing)
    expect((missing as CodemodToolchainMissing).packageName).toBe("ts-morph")
    const other = notFound("left-pad")
    await expect(loadWithCodemodToolchain(() => Promise.reject(other))).rejects.toBe(other)
    await expect(loadWithCodemodToolchain(() => Promise.resolve(42))).resolves.toBe(42)
  })
})
