import { createTwoFilesPatch } from "diff"
import type { PlannedChange } from "./writeFiles.js"

const colours = {
  removed: "\u001b[31m",
  added: "\u001b[32m",
  hunk: "\u001b[36m",
  header: "\u001b[1m",
  reset: "\u001b[0m"
}

/** The planned changes as one unified diff (`a/` and `b/` paths, as git prints them). */
export const renderDiff = (
  files: ReadonlyArray<PlannedChange>,
  options: { readonly colour?: boolean } = {}
): string => {
  const patch = files
    .map((file) =>
      createTwoFilesPatch(
        file.before === undefined ? "/dev/null" : `a/${file.relativePath}`,
        `b/${file.relativePath}`,
        file.before ?? "",
        file.after,
        undefined,
        undefined,
        { context: 3 }
      ).replace(/^=+\n/, "")
    )
    .join("")
  return options.colour === true ? colourise(patch) : patch
}

const colourise = (patch: string): string =>
  patch
    .split("\n")
    .map((line) => {
      if (line.startsWith("---") || line.startsWith("+++") || line.startsWith("Index:"))
        return colours.header + line + colours.reset
      if (line.startsWith("@@")) return colours.hunk + line + colours.reset
      if (line.startsWith("+")) return colours.added + line + colours.reset
      if (line.startsWith("-")) return colours.removed + line + colours.reset
      return line
    })
    .join("\n")
