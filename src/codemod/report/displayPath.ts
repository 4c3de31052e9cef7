import { relative, sep } from "node:path"

/** A path as the codemod shows it (messages, reports, JSON): `/`-separated on every platform. */
export const toPosix = (path: string): string => path.split(sep).join("/")

/** `to` relative to `from`, as the codemod shows it; `""` when they are the same directory. */
export const relativePosix = (from: string, to: string): string => toPosix(relative(from, to))
