import { fileURLToPath } from "node:url"

/** The repository this example runs from (it uses the fixture and the library's source). */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url))

/** A path inside the repository. */
export const inRepo = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url))
