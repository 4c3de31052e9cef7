import type { ESLint } from "eslint"

/** The project's own ESLint rules: `local/file-cycles`, `local/folder-cycles`. */
declare const plugin: ESLint.Plugin
export default plugin
