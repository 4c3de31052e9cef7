import { readdir } from "node:fs/promises"
import { join } from "node:path"

/** The TypeScript sources under a directory (declarations, dot-directories and node_modules aside), sorted. */
export const sourceFiles = async (dir: string): Promise<Array<string>> => {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const found: Array<string> = []
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory() && entry.name !== "node_modules" && !entry.name.startsWith("."))
      found.push(...(await sourceFiles(path)))
    else if (entry.isFile() && /\.(m|c)?tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) found.push(path)
  }
  return found
}
