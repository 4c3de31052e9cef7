/**
 * Writes this tree's jobs Workers (bench/workerdWorkload.ts's bundles) into a directory, for
 * workerdCompare.ts to run beside another tree's (issue 28, seventh round). Not part of
 * `npm run bench`:
 *   node --import tsx bench/analysis/workerdBundles.ts <directory>
 * writes plain.js, tracked.js, acknowledging.js and in-memory.js there.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { workerdBundles } from "../workerdWorkload.js"

const directory = process.argv[2]
if (directory === undefined) {
  console.error("usage: node --import tsx bench/analysis/workerdBundles.ts <directory>")
  process.exit(2)
}
const bundles = await workerdBundles()
mkdirSync(directory, { recursive: true })
const files = {
  "plain.js": bundles.plain,
  "tracked.js": bundles.tracked,
  "acknowledging.js": bundles.acknowledging,
  "in-memory.js": bundles.inMemory
}
for (const [name, script] of Object.entries(files)) writeFileSync(join(directory, name), script)
console.log(`wrote ${Object.keys(files).join(", ")} to ${directory}`)
