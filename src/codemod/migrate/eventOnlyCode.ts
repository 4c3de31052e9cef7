import { Node, SyntaxKind, type Identifier, type SourceFile } from "ts-morph"
import { applyEdits, type TextEdit } from "../source/edits.js"
import { parseSource } from "../source/sourceFiles.js"
import { statementRemoval } from "./statementRange.js"

/**
 * After the emits go, what they alone used goes too: a local computed only for an event (a
 * duration, a start time, a scheduled time read back), a destructured option only events read,
 * an `if` left empty, and the imports nobody uses any more. Only names the removed text
 * mentioned are looked at, and a local goes only when nothing else refers to it (by symbol) and
 * computing it has no effect: literals, arithmetic, `Date.now()`, and reads (a `get…()` call,
 * also under `yield*`). Anything else is left as it is.
 */
export const removeEventOnlyCode = (
  displayPath: string,
  text: string,
  removedText: string
): { readonly text: string; readonly removed: ReadonlyArray<string> } => {
  const candidates = new Set(removedText.match(/[A-Za-z_$][\w$]*/g) ?? [])
  const removed: Array<string> = []
  let current = text
  for (;;) {
    const file = parseSource(displayPath, current)
    const edits = unusedCode(file, current, candidates, removed)
    if (edits.length === 0) return { text: current, removed }
    for (const edit of edits)
      for (const name of current.slice(edit.start, edit.end).match(/[A-Za-z_$][\w$]*/g) ?? []) candidates.add(name)
    current = applyEdits(current, edits)
  }
}

/** Nothing in the file refers to the symbol this name declares (a property of the same name is another symbol). */
const unreferenced = (name: Identifier): boolean => {
  const symbol = name.getSymbol()
  if (symbol === undefined) return false
  // A local is seen only in the block that declares it; an import, in the whole file.
  const statement = name.getFirstAncestor((ancestor) => Node.isVariableStatement(ancestor))
  const scope = statement?.getParent() ?? name.getSourceFile()
  return scope.getDescendantsOfKind(SyntaxKind.Identifier).every((identifier) => {
    if (identifier === name || identifier.getText() !== name.getText()) return true
    // `{ x }` names a property and the local at once; a name without a symbol could be anything.
    if (Node.isShorthandPropertyAssignment(identifier.getParent())) return false
    const other = identifier.getSymbol()
    return other !== undefined && other !== symbol
  })
}

/** One round: the first removable thing found (rounds repeat until nothing is left to remove). */
const unusedCode = (
  file: SourceFile,
  text: string,
  candidates: ReadonlySet<string>,
  removed: Array<string>
): Array<TextEdit> => {
  for (const declaration of file.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const name = declaration.getNameNode()
    const statement = declaration.getParent()?.getParent()
    if (!Node.isIdentifier(name) || !candidates.has(name.getText())) continue
    if (statement === undefined || !Node.isVariableStatement(statement) || statement.getDeclarations().length !== 1)
      continue
    const initializer = declaration.getInitializer()
    if (initializer !== undefined && !withoutEffect(initializer)) continue
    if (!unreferenced(name)) continue
    removed.push(`${name.getText()} (line ${declaration.getStartLineNumber()})`)
    return [statementRemoval(text, statement)]
  }
  for (const element of file.getDescendantsOfKind(SyntaxKind.BindingElement)) {
    const name = element.getNameNode()
    if (!Node.isIdentifier(name) || !candidates.has(name.getText())) continue
    if (element.getPropertyNameNode() !== undefined || element.getDotDotDotToken() !== undefined) continue
    const initializer = element.getInitializer()
    if (initializer !== undefined && !withoutEffect(initializer)) continue
    const pattern = element.getParentIfKind(SyntaxKind.ObjectBindingPattern)
    if (pattern === undefined || pattern.getElements().length < 2 || !unreferenced(name)) continue
    const elements = pattern.getElements()
    const index = elements.indexOf(element)
    removed.push(`${name.getText()} (line ${element.getStartLineNumber()})`)
    return [
      index < elements.length - 1
        ? { start: element.getStart(), end: elements[index + 1]!.getStart(), text: "" }
        : { start: elements[index - 1]!.getEnd(), end: element.getEnd(), text: "" }
    ]
  }
  for (const statement of file.getDescendantsOfKind(SyntaxKind.IfStatement)) {
    const then = statement.getThenStatement()
    if (statement.getElseStatement() !== undefined || !Node.isBlock(then) || then.getStatements().length > 0) continue
    if (!withoutEffect(statement.getExpression())) continue
    if (then.getText().replace(/\s/g, "") !== "{}") continue
    removed.push(`an if left empty (line ${statement.getStartLineNumber()})`)
    return [statementRemoval(text, statement)]
  }
  for (const declaration of file.getImportDeclarations()) {
    const named = declaration.getNamedImports()
    const unused = named.filter((specifier) => {
      const local = specifier.getAliasNode() ?? specifier.getNameNode()
      return Node.isIdentifier(local) && candidates.has(local.getText()) && unreferenced(local)
    })
    if (unused.length === 0) continue
    for (const specifier of unused)
      removed.push(`import ${specifier.getText()} from "${declaration.getModuleSpecifierValue()}"`)
    if (unused.length === named.length && declaration.getDefaultImport() === undefined) {
      return [statementRemoval(text, declaration)]
    }
    const kept = named.filter((specifier) => !unused.includes(specifier)).map((specifier) => specifier.getText())
    const open = declaration.getFirstDescendantByKindOrThrow(SyntaxKind.NamedImports)
    const multiline = open.getText().includes("\n")
    const indent = multiline ? /\n([ \t]*)/.exec(open.getText())![1]! : ""
    const body = multiline ? `{\n${kept.map((item) => `${indent}${item}`).join(",\n")}\n}` : `{ ${kept.join(", ")} }`
    return [{ start: open.getStart(), end: open.getEnd(), text: body }]
  }
  return []
}

/** Whether evaluating an expression can only compute a value: no writes, no calls but reads. */
const withoutEffect = (node: Node): boolean => {
  if (
    Node.isStringLiteral(node) ||
    Node.isNumericLiteral(node) ||
    Node.isNoSubstitutionTemplateLiteral(node) ||
    Node.isTrueLiteral(node) ||
    Node.isFalseLiteral(node) ||
    Node.isNullLiteral(node) ||
    Node.isIdentifier(node)
  )
    return true
  if (Node.isPropertyAccessExpression(node)) return withoutEffect(node.getExpression())
  if (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isNonNullExpression(node))
    return withoutEffect(node.getExpression())
  if (Node.isPrefixUnaryExpression(node)) {
    const operator = node.getOperatorToken()
    return (
      operator !== SyntaxKind.PlusPlusToken &&
      operator !== SyntaxKind.MinusMinusToken &&
      withoutEffect(node.getOperand())
    )
  }
  if (Node.isBinaryExpression(node)) {
    const operator = node.getOperatorToken().getKind()
    const assigns = operator >= SyntaxKind.FirstAssignment && operator <= SyntaxKind.LastAssignment
    return !assigns && withoutEffect(node.getLeft()) && withoutEffect(node.getRight())
  }
  if (Node.isConditionalExpression(node))
    return withoutEffect(node.getCondition()) && withoutEffect(node.getWhenTrue()) && withoutEffect(node.getWhenFalse())
  if (Node.isTemplateExpression(node))
    return node.getTemplateSpans().every((span) => withoutEffect(span.getExpression()))
  if (Node.isNewExpression(node))
    return node.getExpression().getText() === "Date" && (node.getArguments() ?? []).every(withoutEffect)
  if (Node.isYieldExpression(node)) {
    const inner = node.getExpression()
    return node.getAsteriskToken() !== undefined && inner !== undefined && isRead(inner)
  }
  if (Node.isCallExpression(node)) return node.getExpression().getText() === "Date.now" || isRead(node)
  return false
}

/** A call of a getter (`getX()`, `service.getX()`) with arguments that have no effect. */
const isRead = (node: Node): boolean => {
  if (!Node.isCallExpression(node)) return false
  const callee = node.getExpression()
  const name = Node.isIdentifier(callee)
    ? callee.getText()
    : Node.isPropertyAccessExpression(callee) && withoutEffect(callee.getExpression())
      ? callee.getName()
      : undefined
  return name !== undefined && /^get[A-Z]/.test(name) && node.getArguments().every(withoutEffect)
}
