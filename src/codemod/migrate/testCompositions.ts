import { Node, SyntaxKind } from "../source/tsMorph.js"
import { knownServiceLayers } from "../../jobs/knownLayers.js"
import { applyEdits, type TextEdit } from "../source/edits.js"
import { parseSource } from "../source/sourceFiles.js"
import { detectStyle } from "../source/style.js"
import { trackingImportsEdit } from "../rewrite/trackingModule.js"
import { importedBindings, isValueReference } from "../source/syntax.js"
import { upstreamCoreModule } from "./emitSites.js"

/**
 * A package's tests compose the service layers themselves, over upstream core's no-op tracker or
 * a tracker of their own (`Layer.succeed(EventTracker, ...)`). The migration wraps those layers
 * as the runtime's are wrapped, so a test's tracker receives the mapped events: each known
 * service layer at the head of a chain (`X.pipe(...)`) or merged (`Layer.mergeAll(X, ...)`)
 * becomes `withTracking(X, { eventMap: trackingEventMap })`. Files that compose no tracker, or
 * use `withTracking` already, are left alone. Returns the new text, or `undefined` for no change.
 */
export const wrapTestComposition = (
  displayPath: string,
  text: string,
  options: { readonly importFrom: string; readonly trackingModule: string }
): { readonly text: string; readonly wrapped: ReadonlyArray<string> } | undefined => {
  const file = parseSource(displayPath, text)
  const imports = importedBindings(file)
  const identifiers = file.getDescendantsOfKind(SyntaxKind.Identifier).filter(isValueReference)
  if (identifiers.some((identifier) => identifier.getText() === "withTracking")) return undefined
  const composesTracker = identifiers.some((identifier) => {
    const binding = imports.get(identifier.getText())
    return (
      binding?.module === upstreamCoreModule &&
      /^(NoopTrackerLayer|EventTracker|HttpBatchTrackerLayer)$/.test(binding.imported)
    )
  })
  if (!composesTracker) return undefined
  const edits: Array<TextEdit> = []
  const wrapped: Array<string> = []
  for (const identifier of identifiers) {
    const binding = imports.get(identifier.getText())
    if (binding === undefined || binding.typeOnly || !knownServiceLayers.has(binding.imported)) continue
    const parent = identifier.getParent()
    const headOfPipe =
      parent !== undefined &&
      Node.isPropertyAccessExpression(parent) &&
      parent.getExpression() === identifier &&
      parent.getName() === "pipe"
    const merged =
      parent !== undefined &&
      Node.isCallExpression(parent) &&
      /^\w+\.(mergeAll|merge)$/.test(parent.getExpression().getText()) &&
      parent.getArguments().includes(identifier)
    if (!headOfPipe && !merged) continue
    edits.push({
      start: identifier.getStart(),
      end: identifier.getEnd(),
      text: `withTracking(${identifier.getText()}, { eventMap: trackingEventMap })`
    })
    wrapped.push(`${binding.imported} (line ${identifier.getStartLineNumber()})`)
  }
  if (edits.length === 0) return undefined
  edits.push(trackingImportsEdit(file, detectStyle(text), { ...options, names: ["withTracking"] }))
  return { text: applyEdits(text, edits), wrapped }
}
