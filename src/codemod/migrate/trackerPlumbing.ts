import { Node, SyntaxKind } from "../source/tsMorph.js"
import type { FunctionDeclaration } from "ts-morph"
import { applyEdits, type TextEdit } from "../source/edits.js"
import { CodemodInputError } from "../report/errors.js"
import { parseSource } from "../source/sourceFiles.js"
import { importedBindings, isValueReference } from "../source/syntax.js"
import { upstreamCoreModule } from "./emitSites.js"
import { removeEventOnlyCode } from "./eventOnlyCode.js"
import { statementRemoval } from "./statementRange.js"

const composeFunction = "createDispatcherLayer"

export interface UnplumbedRuntime {
  /** The runtime file without the hand-wired tracker: the composition as the codemod expects it. */
  readonly text: string
  /** The name the tracker config had as the compose function's parameter (kept as the option's name). */
  readonly trackerName: string
  readonly changes: ReadonlyArray<string>
}

/**
 * Takes the hand-wired tracker out of a hand-tracked release's runtime file, so that the
 * codemod's runtime rewrite can wire this library's in its place:
 * - the compose function's tracker layer (built from upstream core's `HttpBatchTrackerLayer` /
 *   `NoopTrackerLayer`) and the base layer that merged it beside the core go, and the layers
 *   built on the base layer are built on the core layer again;
 * - the compose function's tracker config parameter goes (the rewrite adds it back, typed as
 *   this library's option, under the same name);
 * - the hand flushes (`yield* flushEvents` of upstream core) go: every run now flushes as it
 *   ends, on failure too.
 * Anything else about the tracker is left as found; a tracker layer used otherwise is bad input.
 */
export const unplumbRuntime = (displayPath: string, text: string): UnplumbedRuntime => {
  const file = parseSource(displayPath, text)
  const imports = importedBindings(file)
  const compose = file.getFunction(composeFunction)
  const body = compose?.getBody()
  if (compose === undefined || body === undefined || !Node.isBlock(body)) {
    throw new CodemodInputError({
      file: displayPath,
      expected: `a function ${composeFunction}(coreLayer, registry, trackerConfig) with a block body`
    })
  }
  const coreTracker = (name: string) => {
    const binding = imports.get(name)
    return binding !== undefined && binding.module === upstreamCoreModule && !binding.typeOnly && /Tracker/.test(name)
  }
  const flushNames = new Set(
    [...imports.values()]
      .filter((binding) => binding.module === upstreamCoreModule && binding.imported === "flushEvents")
      .map((binding) => binding.local)
  )
  const valueNames = (node: Node) =>
    node
      .getDescendantsOfKind(SyntaxKind.Identifier)
      .filter(isValueReference)
      .map((identifier) => identifier.getText())

  const edits: Array<TextEdit> = []
  const removedNames: Array<string> = []
  const changes: Array<string> = []
  const coreName = compose.getParameters()[0]?.getName()
  const trackerLayers = new Set<string>()
  let trackerName: string | undefined
  for (const statement of body.getStatements()) {
    if (!Node.isVariableStatement(statement) || statement.getDeclarations().length !== 1) continue
    const declaration = statement.getDeclarations()[0]!
    const names = valueNames(declaration.getInitializer() ?? declaration)
    if (names.some(coreTracker)) {
      trackerLayers.add(declaration.getName())
      const parameter = compose.getParameters().find((candidate) => names.includes(candidate.getName()))
      trackerName ??= parameter?.getName()
      edits.push(statementRemoval(text, statement))
      removedNames.push(...names)
      continue
    }
    if (names.some((name) => trackerLayers.has(name))) {
      // `const baseLayer = Layer.provideMerge(coreLayer, trackerLayer)`: the core with the tracker beside it.
      if (coreName === undefined || !names.includes(coreName)) {
        throw new CodemodInputError({
          file: displayPath,
          expected: `the tracker layer merged beside the core layer in ${composeFunction}`,
          detail: `line ${statement.getStartLineNumber()} uses it otherwise`
        })
      }
      const base = declaration.getName()
      edits.push(statementRemoval(text, statement))
      removedNames.push(...names)
      for (const identifier of body.getDescendantsOfKind(SyntaxKind.Identifier)) {
        if (identifier.getText() !== base || !isValueReference(identifier) || identifier === declaration.getNameNode())
          continue
        edits.push({ start: identifier.getStart(), end: identifier.getEnd(), text: coreName })
      }
      changes.push(
        `${displayPath}: ${composeFunction} no longer builds upstream core's tracker layer (line ${statement.getStartLineNumber()}): this library's tracker takes its place under the composition`
      )
    }
  }
  if (trackerName === undefined) {
    throw new CodemodInputError({
      file: displayPath,
      expected: `${composeFunction} to build upstream core's tracker layer from a tracker config parameter`,
      detail: "none found: is the package tracked by hand?"
    })
  }
  edits.push(parameterRemoval(compose, trackerName))
  for (const statement of file.getDescendantsOfKind(SyntaxKind.ExpressionStatement)) {
    const expression = statement.getExpression()
    const flushed = Node.isYieldExpression(expression) ? expression.getExpression() : undefined
    if (flushed === undefined || !Node.isIdentifier(flushed) || !flushNames.has(flushed.getText())) continue
    edits.push(statementRemoval(text, statement))
    removedNames.push(flushed.getText())
    changes.push(
      `${displayPath}: the flush after the dispatcher (line ${statement.getStartLineNumber()}) goes: every run now flushes as it ends, also when it fails`
    )
  }
  const cleaned = removeEventOnlyCode(displayPath, applyEdits(text, edits), removedNames.join(" "))
  return { text: cleaned.text, trackerName, changes }
}

/** Removes one parameter with the comma before it (or after it, when it is the first). */
const parameterRemoval = (fn: FunctionDeclaration, name: string): TextEdit => {
  const parameters = fn.getParameters()
  const index = parameters.findIndex((parameter) => parameter.getName() === name)
  const parameter = parameters[index]!
  return index > 0
    ? { start: parameters[index - 1]!.getEnd(), end: parameter.getEnd(), text: "" }
    : { start: parameter.getStart(), end: parameters[1]?.getStart() ?? parameter.getEnd(), text: "" }
}
