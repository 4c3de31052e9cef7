import { readFile } from "node:fs/promises"
import { SyntaxKind } from "../source/tsMorph.js"
import type { SourceFile } from "ts-morph"
import { sourceFiles } from "../source/sourceFiles.js"
import { isValueReference, lineOf, type ImportedBinding } from "../source/syntax.js"

// A package that provides an EventTracker itself is tracked by hand: wiring a second tracker in
// would emit every event twice, so the codemod reports it instead.

/**
 * Why the runtime already provides an EventTracker of its own, if it does: a value it uses
 * that is imported under a tracker's name, or a layer built for the EventTracker tag.
 */
export const trackerProvidedByHand = (
  displayPath: string,
  file: SourceFile,
  imports: ReadonlyMap<string, ImportedBinding>
): string | undefined => {
  for (const identifier of file.getDescendantsOfKind(SyntaxKind.Identifier)) {
    const binding = imports.get(identifier.getText())
    if (binding === undefined || binding.typeOnly || !/tracker/i.test(binding.imported)) continue
    if (!isValueReference(identifier)) continue
    return `${displayPath} uses ${binding.imported} from "${binding.module}" on line ${identifier.getStartLineNumber()}`
  }
  const text = file.getFullText()
  const tagLayer = /Layer\.(succeed|effect|scoped|sync)\(\s*\w*Tracker\b/.exec(text)
  if (tagLayer !== undefined && tagLayer !== null)
    return `${displayPath} builds a tracker layer on line ${lineOf(text, tagLayer.index)}`
  return undefined
}

/** A tracker layer the package builds for itself, anywhere under `src/`. */
export const trackerLayerElsewhere = async (
  sourceDir: string,
  display: (path: string) => string
): Promise<string | undefined> => {
  const pattern = /Layer\.(succeed|effect|scoped|sync)\(\s*EventTracker\b/
  for (const path of await sourceFiles(sourceDir)) {
    const text = await readFile(path, "utf8")
    const match = pattern.exec(text)
    if (match !== null)
      return `${display(path)} builds an EventTracker layer on line ${text.slice(0, match.index).split("\n").length}`
  }
  return undefined
}
