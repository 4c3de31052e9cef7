import { build, type BuildOptions } from "esbuild"

/**
 * Bundles code for a Cloudflare Worker as the tests run it in workerd: one ES module, neutral
 * platform (a Node built-in fails the build or shows in `inputs`), Worker export conditions.
 */
export const bundleForWorker = async (
  source: Pick<BuildOptions, "entryPoints" | "stdin" | "alias" | "minify">
): Promise<{
  readonly text: string
  readonly inputs: ReadonlyArray<string>
  readonly contents: Uint8Array
  /** Bytes each input file contributes to the output. */
  readonly bytesByInput: ReadonlyMap<string, number>
}> => {
  const result = await build({
    ...source,
    bundle: true,
    write: false,
    platform: "neutral",
    format: "esm",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    metafile: true,
    logLevel: "silent"
  })
  const output = Object.values(result.metafile.outputs)[0]!
  return {
    text: result.outputFiles[0]!.text,
    inputs: Object.keys(result.metafile.inputs),
    contents: result.outputFiles[0]!.contents,
    bytesByInput: new Map(Object.entries(output.inputs).map(([path, { bytesInOutput }]) => [path, bytesInOutput]))
  }
}
