import { Node, SyntaxKind } from "../source/tsMorph.js"
import type { CallExpression } from "ts-morph"
import type { WorkflowLayout } from "../../workflow/layout.js"
import { CodemodInputError } from "../report/errors.js"
import { flushEdits } from "../rewrite/runFlush.js"
import { applyEdits, type TextEdit } from "../source/edits.js"
import { parseSource } from "../source/sourceFiles.js"
import { detectStyle } from "../source/style.js"
import { trackingImportsEdit } from "../rewrite/trackingModule.js"
import { importedBindings, isValueReference } from "../source/syntax.js"
import { upstreamCoreModule } from "./emitSites.js"
import { removeEventOnlyCode } from "./eventOnlyCode.js"
import { statementRemoval } from "./statementRange.js"

export interface WorkflowEngineRewrite {
  readonly text: string
  /** The layers wrapped with withTracking, `Layer (line)`. */
  readonly wrapped: ReadonlyArray<{ readonly layer: string; readonly localName: string; readonly line: number }>
  readonly changes: ReadonlyArray<string>
}

/** Whether the engine still builds upstream core's tracker (its hand-wired plumbing). */
export const engineHandWired = (text: string): boolean =>
  text.includes(upstreamCoreModule) &&
  /\b(HttpBatchTrackerLayer|NoopTrackerLayer)\b/.test(text.replace(/import[\s\S]*?from\s*["'][^"']+["']/g, ""))

/**
 * Rewires a hand-tracked workflow engine (`createDurableWorkflows`): upstream core's tracker
 * layer (HTTP when the `tracker` option is given, else no-op) and the engine's three hand
 * flushes go; the composition's runtime layer gets this library's tracker for that same option
 * (`addTracker`), and it and the service layers the map covers are wrapped with `withTracking`;
 * every run of the engine flushes as it ends (also a `cancel`, and a call that fails). The
 * public option stays as it is. Anything it does not recognise is bad input: nothing is written.
 */
export const rewireWorkflowEngine = (
  displayPath: string,
  text: string,
  layout: WorkflowLayout,
  options: { readonly importFrom: string; readonly trackingModule: string }
): WorkflowEngineRewrite => {
  const unplumbed = unplumbEngine(displayPath, text)
  const file = parseSource(displayPath, unplumbed.text)
  const current = unplumbed.text
  const imports = importedBindings(file)
  const importedAs = (local: string) => {
    const binding = imports.get(local)
    return binding === undefined || binding.typeOnly || binding.module === upstreamCoreModule ? undefined : binding
  }
  const wrap = (expression: string) => `withTracking(${expression}, { eventMap: trackingEventMap })`
  const edits: Array<TextEdit> = []
  const wrapped: Array<{ layer: string; localName: string; line: number }> = []
  let runtimeWrapped = false
  for (const identifier of file.getDescendantsOfKind(SyntaxKind.Identifier)) {
    const binding = importedAs(identifier.getText())
    if (binding === undefined || !isValueReference(identifier)) continue
    const call = identifier.getParent()
    const called = Node.isCallExpression(call) && call.getExpression() === identifier ? call : undefined
    const expression: Node = called ?? identifier
    if (!composed(expression)) continue
    if (binding.imported === layout.runtimeLayerFactory && called !== undefined) {
      edits.push({
        start: expression.getStart(),
        end: expression.getEnd(),
        text: wrap(`addTracker(${expression.getText()}, ${unplumbed.trackerConfig})`)
      })
      runtimeWrapped = true
    } else if (layout.serviceLayers.includes(binding.imported)) {
      edits.push({ start: expression.getStart(), end: expression.getEnd(), text: wrap(expression.getText()) })
    } else continue
    wrapped.push({ layer: binding.imported, localName: identifier.getText(), line: identifier.getStartLineNumber() })
  }
  if (!runtimeWrapped) {
    throw new CodemodInputError({
      file: displayPath,
      expected: `the engine's composition to build its runtime layer with ${layout.runtimeLayerFactory}(...) inside Layer.provideMerge`
    })
  }
  const flush = flushEdits(file, current, imports, options.importFrom)
  edits.push(...flush.edits)
  const names = ["addTracker", flush.importSpecifier, "withTracking"].filter((name) => name !== undefined)
  edits.push(trackingImportsEdit(file, detectStyle(current), { ...options, names }))
  const changes = [
    ...unplumbed.changes,
    `${displayPath}: the composition's layers are wrapped with withTracking (${wrapped.map((entry) => entry.layer).join(", ")}), this library's tracker for the same \`tracker\` option under them (addTracker)`,
    `${displayPath}: every run of the engine (${flush.runSites}) flushes as it ends, also a cancel and a call that fails`
  ]
  return { text: applyEdits(current, edits), wrapped, changes }
}

/** The `//` lines right above `position` when they mention the flush: their removal. */
const flushComment = (text: string, position: number): TextEdit | undefined => {
  const lineStart = text.lastIndexOf("\n", position - 1) + 1
  let from = lineStart
  while (from > 0) {
    const previousStart = text.lastIndexOf("\n", from - 2) + 1
    if (!text.slice(previousStart, from).trim().startsWith("//")) break
    from = previousStart
  }
  return from < lineStart && /flush/i.test(text.slice(from, lineStart))
    ? { start: from, end: lineStart, text: "" }
    : undefined
}

/** In the composition: the head of a `.pipe(...)` or the argument of a `Layer.provideMerge(...)`. */
const composed = (expression: Node): boolean => {
  const parent = expression.getParent()
  if (parent === undefined) return false
  if (Node.isPropertyAccessExpression(parent))
    return parent.getExpression() === expression && parent.getName() === "pipe"
  return (
    Node.isCallExpression(parent) &&
    /\.provideMerge$/.test(parent.getExpression().getText()) &&
    parent.getArguments().length === 1 &&
    parent.getArguments()[0] === expression
  )
}

/**
 * The engine without upstream core's tracker: the tracker layer's declaration, its place in the
 * composition and the hand flushes go. Returns the text and the tracker option's expression (what
 * chose the HTTP tracker: `options?.tracker`).
 */
const unplumbEngine = (
  displayPath: string,
  text: string
): { readonly text: string; readonly trackerConfig: string; readonly changes: ReadonlyArray<string> } => {
  const file = parseSource(displayPath, text)
  const imports = importedBindings(file)
  const fromCore = (local: string, pattern: RegExp) => {
    const binding = imports.get(local)
    return (
      binding !== undefined &&
      binding.module === upstreamCoreModule &&
      !binding.typeOnly &&
      pattern.test(binding.imported)
    )
  }
  const bad = (node: Node, expected: string) =>
    new CodemodInputError({ file: displayPath, expected, detail: `line ${node.getStartLineNumber()}` })
  const edits: Array<TextEdit> = []
  const removedNames: Array<string> = []
  const changes: Array<string> = []
  let trackerConfig: string | undefined
  let trackerLayer: string | undefined
  for (const declaration of file.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const initializer = declaration.getInitializer()
    const statement = declaration.getParent()?.getParent()
    if (initializer === undefined || statement === undefined || !Node.isVariableStatement(statement)) continue
    const trackers = [initializer, ...initializer.getDescendants()].filter(
      (node) => Node.isIdentifier(node) && fromCore(node.getText(), /Tracker/)
    )
    if (trackers.length === 0) continue
    const http = (node: Node): node is CallExpression =>
      Node.isCallExpression(node) && fromCore(node.getExpression().getText(), /^HttpBatchTrackerLayer$/)
    const noop = (node: Node) => Node.isIdentifier(node) && fromCore(node.getText(), /^NoopTrackerLayer$/)
    if (
      Node.isConditionalExpression(initializer) &&
      http(initializer.getWhenTrue()) &&
      noop(initializer.getWhenFalse())
    )
      trackerConfig = initializer.getCondition().getText()
    else if (http(initializer) && initializer.getArguments().length === 1)
      trackerConfig = initializer.getArguments()[0]!.getText()
    else
      throw bad(
        declaration,
        "the tracker layer chosen as `config ? HttpBatchTrackerLayer(config) : NoopTrackerLayer` (or HttpBatchTrackerLayer(config))"
      )
    if (statement.getDeclarations().length !== 1) throw bad(declaration, "the tracker layer declared on its own")
    trackerLayer = declaration.getName()
    edits.push(statementRemoval(text, statement))
    removedNames.push(...trackers.map((node) => node.getText()))
    changes.push(
      `${displayPath}: upstream core's tracker layer (line ${declaration.getStartLineNumber()}) goes; the \`tracker\` option (${trackerConfig}) now gives this library's HTTP batch tracker`
    )
  }
  if (trackerLayer === undefined || trackerConfig === undefined) {
    throw new CodemodInputError({
      file: displayPath,
      expected: "the engine to build upstream core's tracker layer (HttpBatchTrackerLayer / NoopTrackerLayer)",
      detail: "none found: is the package tracked by hand?"
    })
  }
  for (const identifier of file.getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (identifier.getText() !== trackerLayer || !isValueReference(identifier)) continue
    if (identifier.getParent()?.getKind() === SyntaxKind.VariableDeclaration) continue
    const provide = identifier.getParent()
    const pipe = provide?.getParent()
    if (
      provide === undefined ||
      pipe === undefined ||
      !Node.isCallExpression(provide) ||
      !/\.provideMerge$/.test(provide.getExpression().getText()) ||
      !Node.isCallExpression(pipe)
    )
      throw bad(identifier, "the tracker layer used only as `Layer.provideMerge(trackerLayer)` in the composition")
    const args = pipe.getArguments()
    const index = args.indexOf(provide)
    edits.push(
      index > 0
        ? { start: args[index - 1]!.getEnd(), end: provide.getEnd(), text: "" }
        : { start: provide.getStart(), end: args[1]?.getStart() ?? provide.getEnd(), text: "" }
    )
  }
  for (const identifier of file.getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (!fromCore(identifier.getText(), /^flushEvents$/) || !isValueReference(identifier)) continue
    const parent = identifier.getParent()!
    if (Node.isYieldExpression(parent) && Node.isExpressionStatement(parent.getParent())) {
      edits.push(statementRemoval(text, parent.getParentOrThrow()))
    } else if (
      Node.isCallExpression(parent) &&
      /\.zipLeft$/.test(parent.getExpression().getText()) &&
      parent.getArguments().length === 2 &&
      parent.getArguments()[1] === identifier
    ) {
      const kept = parent.getArguments()[0]!
      edits.push({ start: parent.getStart(), end: parent.getEnd(), text: kept.getText() })
      // A comment right above the statement that speaks of the flush goes with it.
      const statement = parent.getFirstAncestor((ancestor) => Node.isStatement(ancestor))
      const comment = statement === undefined ? undefined : flushComment(text, statement.getStart())
      if (comment !== undefined) edits.push(comment)
    } else
      throw bad(
        identifier,
        "upstream core's flushEvents as `yield* flushEvents` or `Effect.zipLeft(effect, flushEvents)`"
      )
    removedNames.push(identifier.getText())
    changes.push(
      `${displayPath}: the hand flush on line ${identifier.getStartLineNumber()} goes: every run now flushes as it ends`
    )
  }
  const cleaned = removeEventOnlyCode(displayPath, applyEdits(text, edits), removedNames.join(" "))
  return { text: cleaned.text, trackerConfig, changes }
}
