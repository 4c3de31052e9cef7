// Writes the wire format's JSON Schema (see src/jobs/events/wireJsonSchema.ts) to the path given;
// `npm run build` runs it after tsup, so the package ships dist/schema.json.
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { wireJsonSchema } from "../src/jobs/events/wireJsonSchema.js"

const target = process.argv[2]
if (target === undefined) {
  console.error("usage: writeWireSchema.ts <output path>")
  process.exit(2)
}
const path = resolve(target)
mkdirSync(dirname(path), { recursive: true })
writeFileSync(path, `${JSON.stringify(wireJsonSchema(), null, 2)}\n`)
