import { Node, SyntaxKind } from "../source/tsMorph.js"
import type { CallExpression, SourceFile } from "ts-morph"
import { importedBindings } from "../source/syntax.js"

// A jobs release that tracks by hand calls upstream core's `emitEvent` where things happen: the
// codemod points such a package to `migrate`, which takes the calls out.

/** The module a hand-tracked jobs release takes `emitEvent` from: upstream's core. */
export const upstreamCoreModule = "@durable-effect/core"

/** The local names the file binds to upstream core's `emitEvent`. */
export const emitNames = (file: SourceFile): Set<string> =>
  new Set(
    [...importedBindings(file).values()]
      .filter(
        (binding) => binding.module === upstreamCoreModule && binding.imported === "emitEvent" && !binding.typeOnly
      )
      .map((binding) => binding.local)
  )

/** The calls to upstream core's `emitEvent` in a file, found by their import binding. */
export const emitCalls = (file: SourceFile): Array<CallExpression> => {
  const names = emitNames(file)
  return file
    .getDescendantsOfKind(SyntaxKind.CallExpression)
    .filter((call) => Node.isIdentifier(call.getExpression()) && names.has(call.getExpression().getText()))
}
