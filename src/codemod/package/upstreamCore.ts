import { dirname, join } from "node:path"
import { ts } from "../source/tsMorph.js"
import { upstreamCoreModule } from "./handEmits.js"
import { findTsConfig, readTsConfig } from "./typeCheck.js"
import { relativePosix } from "../report/displayPath.js"

/**
 * The directory of the upstream core's sources a package is built on, as its own compiler
 * resolves `@durable-effect/core` (its tsconfig's `paths`, else node_modules); `undefined` when
 * it does not resolve to TypeScript sources (a published core ships declarations only). The
 * workflow package takes its storage, scheduler and runtime adapters from there.
 */
export const upstreamCoreSources = (packageDir: string): string | undefined => {
  const tsConfigPath = findTsConfig(packageDir)
  const options =
    tsConfigPath === undefined ? {} : readTsConfig(tsConfigPath, relativePosix(packageDir, tsConfigPath)).options
  const resolved = ts.resolveModuleName(upstreamCoreModule, join(packageDir, "src", "index.ts"), options, ts.sys)
  const file = resolved.resolvedModule?.resolvedFileName
  return file === undefined || file.endsWith(".d.ts") ? undefined : dirname(file)
}
