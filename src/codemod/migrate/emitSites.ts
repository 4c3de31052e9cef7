import { Node, SyntaxKind } from "../source/tsMorph.js"
import type { CallExpression, SourceFile } from "ts-morph"
import { emitNames } from "../package/handEmits.js"
import type { TextEdit } from "../source/edits.js"
import { importedBindings, isValueReference } from "../source/syntax.js"
import { statementRemoval } from "./statementRange.js"

/**
 * How a hand-placed emit is written, which decides how it goes:
 * - `statement`: `yield* emitEvent(...)` on its own: the statement goes;
 * - `return`: `return emitEvent(...)`: returns `Effect.void` instead;
 * - `deferred`: `const x = emitEvent(...)`, used later as `x.pipe(Effect.zipRight(rest))`: `rest`;
 * - `piped`: `emitEvent(...).pipe(Effect.zipRight(next))`: `next`.
 */
export type EmitForm = "statement" | "return" | "deferred" | "piped"

export { upstreamCoreModule } from "../package/handEmits.js"

export interface EmitSite {
  /** Relative to the package directory. */
  readonly file: string
  readonly line: number
  readonly form: EmitForm
  /** The event's `type`, when it is written as a literal. */
  readonly eventType: string | undefined
}

/** An emit the migration cannot take out without guessing what the code around it needs. */
export interface EmitRefusal {
  readonly file: string
  readonly line: number
  readonly reason: string
}

export interface EmitRemoval {
  readonly sites: ReadonlyArray<EmitSite>
  readonly refusals: ReadonlyArray<EmitRefusal>
  readonly edits: ReadonlyArray<TextEdit>
  /**
   * The text the edits take out, and the names of the functions and locals holding the emits:
   * the names in it are what may have served the events only (a helper whose only job was
   * emitting is left with nothing to do).
   */
  readonly removedText: string
}

/** The names the file binds to effect's `Effect` namespace. */
const effectNamespaces = (file: SourceFile): Set<string> =>
  new Set(
    [...importedBindings(file).values()]
      .filter(
        (binding) =>
          (binding.module === "effect" && binding.imported === "Effect") ||
          (binding.module === "effect/Effect" && binding.imported === "*")
      )
      .map((binding) => binding.local)
  )

/** `<x>.pipe(Effect.zipRight(next))`, with exactly that one step: `next`, else `undefined`. */
const zipRightOf = (node: Node | undefined, effect: ReadonlySet<string>): Node | undefined => {
  const pipe = node?.getParent()
  const call = pipe?.getParent()
  if (pipe === undefined || call === undefined || !Node.isPropertyAccessExpression(pipe) || pipe.getName() !== "pipe")
    return undefined
  if (!Node.isCallExpression(call) || call.getExpression() !== pipe || call.getArguments().length !== 1)
    return undefined
  const step = call.getArguments()[0]!
  if (!Node.isCallExpression(step) || step.getArguments().length !== 1) return undefined
  const callee = step.getExpression()
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== "zipRight") return undefined
  if (!effect.has(callee.getExpression().getText())) return undefined
  return step.getArguments()[0]
}

const eventTypeOf = (call: CallExpression): string | undefined => {
  let argument: Node | undefined = call.getArguments()[0]
  while (argument !== undefined && (Node.isSatisfiesExpression(argument) || Node.isAsExpression(argument)))
    argument = argument.getExpression()
  if (argument === undefined || !Node.isObjectLiteralExpression(argument)) return undefined
  const type = argument.getProperty("type")
  let value = type !== undefined && Node.isPropertyAssignment(type) ? type.getInitializer() : undefined
  while (value !== undefined && Node.isAsExpression(value)) value = value.getExpression()
  return value !== undefined && Node.isStringLiteral(value) ? value.getLiteralValue() : undefined
}

/**
 * Plans the removal of every hand-placed emit in one file: the edits for those it can take out
 * safely, and a refusal (with its line) for each it cannot. The caller writes nothing when
 * there is any refusal.
 */
export const planEmitRemoval = (displayPath: string, file: SourceFile, text: string): EmitRemoval => {
  const names = emitNames(file)
  const effect = effectNamespaces(file)
  const sites: Array<EmitSite> = []
  const refusals: Array<EmitRefusal> = []
  const edits: Array<TextEdit> = []
  const removed: Array<string> = []
  const refuse = (node: Node, reason: string) =>
    refusals.push({ file: displayPath, line: node.getStartLineNumber(), reason })
  const site = (call: CallExpression, form: EmitForm) => {
    sites.push({ file: displayPath, line: call.getStartLineNumber(), form, eventType: eventTypeOf(call) })
    for (const holder of call.getAncestors())
      if (Node.isVariableDeclaration(holder) || Node.isFunctionDeclaration(holder)) removed.push(holder.getName() ?? "")
  }
  const remove = (edit: TextEdit) => {
    edits.push(edit)
    removed.push(text.slice(edit.start, edit.end))
  }

  for (const identifier of file.getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (!names.has(identifier.getText()) || !isValueReference(identifier)) continue
    const call = identifier.getParent()
    if (!Node.isCallExpression(call) || call.getExpression() !== identifier) {
      refuse(identifier, "emitEvent is used as a value, not called: what receives it cannot be known")
      continue
    }
    const parent = call.getParent()
    // `yield* emitEvent(...)` or a bare `emitEvent(...)` as a statement.
    const statement =
      parent !== undefined && Node.isYieldExpression(parent) && parent.getAsteriskToken() !== undefined
        ? parent.getParent()
        : parent
    if (statement !== undefined && Node.isExpressionStatement(statement)) {
      site(call, "statement")
      remove(statementRemoval(text, statement))
      continue
    }
    if (parent !== undefined && Node.isReturnStatement(parent)) {
      const namespace = [...effect][0]
      if (namespace === undefined) {
        refuse(call, "`return emitEvent(...)` needs Effect.void in its place, and the file does not import Effect")
        continue
      }
      site(call, "return")
      remove(statementRemoval(text, parent, `return ${namespace}.void`))
      continue
    }
    const next = zipRightOf(call, effect)
    if (next !== undefined) {
      const piped = call.getParent()!.getParent()!
      site(call, "piped")
      remove({ start: piped.getStart(), end: next.getStart(), text: "" })
      remove({ start: next.getEnd(), end: piped.getEnd(), text: "" })
      continue
    }
    if (parent !== undefined && Node.isVariableDeclaration(parent) && Node.isIdentifier(parent.getNameNode())) {
      const declarations = parent.getParentOrThrow()
      const variableStatement = declarations.getParent()
      const uses = parent
        .getNameNode()
        .asKindOrThrow(SyntaxKind.Identifier)
        .findReferencesAsNodes()
        .filter((reference) => reference !== parent.getNameNode())
      const rests = uses.map((use) => zipRightOf(use, effect))
      if (
        variableStatement === undefined ||
        !Node.isVariableStatement(variableStatement) ||
        variableStatement.getDeclarations().length !== 1 ||
        uses.length === 0 ||
        rests.some((rest) => rest === undefined)
      ) {
        refuse(
          call,
          `the emit is kept in \`${parent.getName()}\`, which is used otherwise than as \`${parent.getName()}.pipe(Effect.zipRight(next))\``
        )
        continue
      }
      site(call, "deferred")
      remove(statementRemoval(text, variableStatement))
      uses.forEach((use, index) => {
        const rest = rests[index]!
        const piped = use.getParent()!.getParent()!
        remove({ start: piped.getStart(), end: rest.getStart(), text: "" })
        remove({ start: rest.getEnd(), end: piped.getEnd(), text: "" })
      })
      continue
    }
    refuse(call, "emitEvent(...) is part of an expression the migration does not know how to take it out of")
  }
  return { sites, refusals, edits: refusals.length > 0 ? [] : edits, removedText: removed.join("\n") }
}
