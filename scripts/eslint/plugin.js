// The project's own ESLint rules (see `eslint.config.js`).
import { fileCycles } from "./fileCycles.js"
import { folderCycles } from "./folderCycles.js"

export default { meta: { name: "local" }, rules: { "file-cycles": fileCycles, "folder-cycles": folderCycles } }
