import { Node, SyntaxKind } from "../source/tsMorph.js"
import type { CallExpression, PropertyAccessExpression, SourceFile } from "ts-morph"
import { insertAt, type TextEdit } from "../source/edits.js"
import { isValueReference, parenthesesOf, type ImportedBinding } from "../source/syntax.js"

/**
 * `Effect.runPromise(effect.pipe(..., Effect.provide(layer)))` gains `Effect.ensuring(flushEvents)`
 * just before the provide, so the flush runs inside the run, where the tracker lives.
 *
 * The flush is this library's, which never fails whatever the tracker does; a package's own
 * `flushEvents` (its core's) passes a tracker's failure on to the job. When the file already
 * binds `flushEvents` to another module, the library's is imported under another name.
 */
export const flushEdits = (
  file: SourceFile,
  text: string,
  imports: ReadonlyMap<string, ImportedBinding>,
  importFrom: string
): {
  readonly edits: Array<TextEdit>
  readonly runSites: number
  /** Run sites that flush with this library's flush already (an earlier run's edit). */
  readonly flushedAlready: number
  readonly flushOnlyRuns: ReadonlyArray<string>
  /** The import specifier to add (`flushEvents` or `flushEvents as <name>`), if one is needed. */
  readonly importSpecifier: string | undefined
} => {
  const effectNames = new Set(
    [...imports.values()]
      .filter(
        (binding) =>
          (binding.module === "effect" && binding.imported === "Effect") ||
          (binding.module === "effect/Effect" && binding.imported === "*")
      )
      .map((binding) => binding.local)
  )
  const isFlushImport = (binding: ImportedBinding) => binding.imported === "flushEvents" && !binding.typeOnly
  const libraryFlush = [...imports.values()].find((binding) => isFlushImport(binding) && binding.module === importFrom)
  // The alias an earlier run chose stays the name, also when its import was lost since.
  const aliasInUse = file
    .getDescendantsOfKind(SyntaxKind.Identifier)
    .some((identifier) => identifier.getText() === "flushTrackerEvents" && isValueReference(identifier))
  const flushName =
    libraryFlush?.local ?? (imports.has("flushEvents") || aliasInUse ? "flushTrackerEvents" : "flushEvents")
  const flushNames = new Set([
    flushName,
    ...[...imports.values()].filter(isFlushImport).map((binding) => binding.local)
  ])
  const isEffectCall = (node: Node, names: ReadonlyArray<string>): node is CallExpression => {
    if (!Node.isCallExpression(node)) return false
    const callee = node.getExpression()
    return (
      Node.isPropertyAccessExpression(callee) &&
      names.includes(callee.getName()) &&
      effectNames.has(callee.getExpression().getText())
    )
  }
  const edits: Array<TextEdit> = []
  const flushOnlyRuns: Array<string> = []
  /** Starts of the flush references the rewrite replaces. */
  const replaced = new Set<number>()
  let runSites = 0
  let flushedAlready = 0
  const isLibraryFlush = (node: Node | undefined) =>
    node !== undefined && Node.isIdentifier(node) && node.getText() === flushName
  for (const run of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (!isEffectCall(run, ["runPromise", "runPromiseExit", "runFork", "runSync", "runSyncExit", "runCallback"]))
      continue
    const program = run.getArguments()[0]
    if (program === undefined || !Node.isCallExpression(program)) continue
    const effectNamespace = (run.getExpression() as PropertyAccessExpression).getExpression().getText()
    const ensuring = `${effectNamespace}.ensuring(${flushName})`
    const callee = program.getExpression()
    // A run of the flush itself needs no second flush.
    const isFlush = (node: Node) =>
      (Node.isIdentifier(node) && flushNames.has(node.getText())) ||
      (Node.isPropertyAccessExpression(node) && node.getName() === "flushEvents")
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === "pipe") {
      if (isFlush(callee.getExpression())) continue
      const operations = program.getArguments()
      const provide = operations.find(
        (operation) => isEffectCall(operation, ["provide"]) && operation.getArguments().length === 1
      )
      if (provide === undefined) continue
      if (
        operations.some(
          (operation) => isEffectCall(operation, ["ensuring"]) && isLibraryFlush(operation.getArguments()[0])
        )
      ) {
        flushedAlready++
        continue
      }
      const index = operations.indexOf(provide)
      const previousEnd = index === 0 ? parenthesesOf(program)!.open.getEnd() : operations[index - 1]!.getEnd()
      const gap = text.slice(previousEnd, provide.getStart())
      const whitespace = gap.includes("\n") ? gap.slice(gap.indexOf("\n")) : " "
      edits.push(insertAt(provide.getStart(), `${ensuring},${whitespace}`))
    } else if (isEffectCall(program, ["provide"]) && program.getArguments().length === 2) {
      const effect = program.getArguments()[0]!
      if (isFlush(effect)) continue
      if (isEffectCall(effect, ["ensuring"]) && isLibraryFlush(effect.getArguments()[1])) {
        flushedAlready++
        continue
      }
      edits.push({
        start: effect.getStart(),
        end: effect.getEnd(),
        text: `${effectNamespace}.ensuring(${effect.getText()}, ${flushName})`
      })
    } else {
      continue
    }
    runSites++
    // A helper that runs effects now flushes at the end of each: a run of the flush alone
    // through it (`runEffect(flushEvents)`) would flush twice, so it runs nothing instead.
    const helper = enclosingHelperName(run)
    if (helper === undefined) continue
    for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const [argument, ...others] = call.getArguments()
      if (
        call.getExpression().getText() !== helper ||
        argument === undefined ||
        others.length > 0 ||
        !isFlush(argument)
      )
        continue
      edits.push({ start: argument.getStart(), end: argument.getEnd(), text: `${effectNamespace}.void` })
      replaced.add(argument.getStart())
      flushOnlyRuns.push(`${call.getText()} (line ${call.getStartLineNumber()})`)
    }
  }
  // A package's own flushEvents import that only served the replaced runs would be left unused.
  for (const binding of imports.values()) {
    if (!isFlushImport(binding) || binding.module === importFrom || binding.imported !== "flushEvents") continue
    const stillUsed = file
      .getDescendantsOfKind(SyntaxKind.Identifier)
      .some(
        (identifier) =>
          identifier.getText() === binding.local && isValueReference(identifier) && !replaced.has(identifier.getStart())
      )
    const removal = stillUsed || replaced.size === 0 ? undefined : importRemoval(file, text, binding)
    if (removal !== undefined) edits.push(removal)
  }
  const importSpecifier =
    libraryFlush !== undefined || runSites + flushedAlready === 0
      ? undefined
      : flushName === "flushEvents"
        ? "flushEvents"
        : `flushEvents as ${flushName}`
  return { edits, runSites, flushedAlready, flushOnlyRuns, importSpecifier }
}

/** The name of the function (declared, or a const arrow/function expression) a node sits in. */
const enclosingHelperName = (node: Node): string | undefined => {
  const fn = node.getFirstAncestor(
    (ancestor) =>
      Node.isArrowFunction(ancestor) || Node.isFunctionExpression(ancestor) || Node.isFunctionDeclaration(ancestor)
  )
  if (fn === undefined) return undefined
  if (Node.isFunctionDeclaration(fn)) return fn.getName()
  const parent = fn.getParent()
  return parent !== undefined && Node.isVariableDeclaration(parent) ? parent.getName() : undefined
}

/**
 * The edit that removes one named import: the specifier and its comma, or the whole declaration
 * (with the line break before it) when it is the only thing imported there. `undefined` when
 * the import is not a plain named one.
 */
const importRemoval = (file: SourceFile, text: string, binding: ImportedBinding): TextEdit | undefined => {
  for (const declaration of file.getImportDeclarations()) {
    if (declaration.getModuleSpecifierValue() !== binding.module) continue
    const named = declaration.getNamedImports()
    const index = named.findIndex(
      (specifier) => (specifier.getAliasNode()?.getText() ?? specifier.getName()) === binding.local
    )
    if (index < 0) continue
    if (
      named.length === 1 &&
      declaration.getDefaultImport() === undefined &&
      declaration.getNamespaceImport() === undefined
    ) {
      const start = declaration.getStart()
      const lineBreak = text.lastIndexOf("\n", start - 1)
      // The first line of the file: removing it would touch where new imports go; leave it.
      return lineBreak < 0
        ? undefined
        : { start: text[lineBreak - 1] === "\r" ? lineBreak - 1 : lineBreak, end: declaration.getEnd(), text: "" }
    }
    const specifier = named[index]!
    return index < named.length - 1
      ? { start: specifier.getStart(), end: named[index + 1]!.getStart(), text: "" }
      : { start: named[index - 1]!.getEnd(), end: specifier.getEnd(), text: "" }
  }
  return undefined
}
