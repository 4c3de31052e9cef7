import { build, type BuildOptions } from "esbuild"

/**
 * Bundles code for a Cloudflare Worker as the tests run it in workerd: one ES module, neutral
 * platform (a Node built-in fails the build or shows in `inputs`), Worker export conditions.
 */
export const bundleForWorker = async (
  source: Pick<BuildOptions, "entryPoints" | "stdin" | "alias">
): Promise<{ readonly text: string; readonly inputs: ReadonlyArray<string> }> => {
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
  return { text: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) }
}
