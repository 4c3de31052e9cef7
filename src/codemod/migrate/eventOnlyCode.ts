import { Node, SyntaxKind } from "../source/tsMorph.js"
import type { Identifier, IfStatement, SourceFile, VariableDeclaration, VariableStatement } from "ts-morph"
import { applyEdits, type TextEdit } from "../source/edits.js"
import { parseSource } from "../source/sourceFiles.js"
import { importedBindings } from "../source/syntax.js"
import { upstreamCoreModule } from "../package/handEmits.js"
import { statementRemoval } from "./statementRange.js"

export interface EventOnlyCodeOptions {
  /**
   * A local read only for the events whose value comes from `yield*` (a service call, an
   * effect-valued property) loses its name but keeps its call: for a package whose event map
   * learns from those calls (the workflow package's), the calls the package makes stay the same.
   * Off: such a local goes whole when its call is a read (`get…()`).
   */
  readonly keepYieldedCalls?: boolean
}

/**
 * After the emits go, what they alone used goes too: a local computed only for an event (a
 * duration, a start time, a scheduled time read back), a destructured option only events read,
 * an `if` left empty, and the imports nobody uses any more. Only names the removed text
 * mentioned are looked at, and a local goes only when nothing else refers to it (by symbol) and
 * computing it has no effect: literals, arithmetic, `Date.now()`, and reads (a `get…()` call,
 * also under `yield*`, and upstream core's event builders, `create…Event(...)`). Then what the
 * emits leave doing nothing: a `switch` whose cases only `break`, an empty last branch of an
 * `if`/`else` chain (or an empty middle one, when the chain's conditions compare one value to
 * distinct literals, so that no other branch could have taken it), and a local function
 * (not exported) whose body is left empty, with its calls, when each is a statement of its
 * own with arguments that have no effect. Anything else is left as it is.
 */
export const removeEventOnlyCode = (
  displayPath: string,
  text: string,
  removedText: string,
  options: EventOnlyCodeOptions = {}
): { readonly text: string; readonly removed: ReadonlyArray<string> } => {
  const candidates = new Set(removedText.match(/[A-Za-z_$][\w$]*/g) ?? [])
  const removed: Array<string> = []
  let current = text
  for (;;) {
    const file = parseSource(displayPath, current)
    const edits = unusedCode(file, current, candidates, removed, options)
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

/** Each declaration that is its statement's only one (`const x = ...`) and names a candidate. */
function* loneCandidateDeclarations(
  file: SourceFile,
  candidates: ReadonlySet<string>
): Generator<{ declaration: VariableDeclaration; name: Identifier; statement: VariableStatement }> {
  for (const declaration of file.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const name = declaration.getNameNode()
    const statement = declaration.getParent()?.getParent()
    if (!Node.isIdentifier(name) || !candidates.has(name.getText())) continue
    if (statement === undefined || !Node.isVariableStatement(statement) || statement.getDeclarations().length !== 1)
      continue
    yield { declaration, name, statement }
  }
}

/** One round: the first removable thing found (rounds repeat until nothing is left to remove). */
const unusedCode = (
  file: SourceFile,
  text: string,
  candidates: ReadonlySet<string>,
  removed: Array<string>,
  options: EventOnlyCodeOptions
): Array<TextEdit> => {
  const pure = eventBuilders(file)
  const withoutEffect = (node: Node) => hasNoEffect(node, pure)
  for (const { declaration, name, statement } of loneCandidateDeclarations(file, candidates)) {
    const initializer = declaration.getInitializer()
    const yielded =
      options.keepYieldedCalls === true &&
      initializer !== undefined &&
      Node.isYieldExpression(initializer) &&
      initializer.getAsteriskToken() !== undefined
    if (initializer !== undefined && !yielded && !withoutEffect(initializer)) continue
    if (!unreferenced(name)) continue
    if (yielded) {
      removed.push(`${name.getText()}, its call kept (line ${declaration.getStartLineNumber()})`)
      return [{ start: statement.getStart(), end: statement.getEnd(), text: initializer.getText() }]
    }
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
    if (Node.isIfStatement(statement.getParent())) {
      // The last branch of a chain: `else if (x) {}` goes, the chain ends at the branch before.
      const owner = statement.getParentOrThrow() as IfStatement
      removed.push(`a branch left empty (line ${statement.getStartLineNumber()})`)
      return [{ start: owner.getThenStatement().getEnd(), end: statement.getEnd(), text: "" }]
    }
    removed.push(`an if left empty (line ${statement.getStartLineNumber()})`)
    return [statementRemoval(text, statement)]
  }
  for (const statement of file.getDescendantsOfKind(SyntaxKind.IfStatement)) {
    // A middle branch left empty, in a chain that compares one value to distinct literals.
    const then = statement.getThenStatement()
    const next = statement.getElseStatement()
    const owner = statement.getParent()
    if (next === undefined || !Node.isIfStatement(owner) || owner.getElseStatement() !== statement) continue
    if (!Node.isBlock(then) || then.getStatements().length > 0 || then.getText().replace(/\s/g, "") !== "{}") continue
    if (!exclusiveChain(chainOf(statement), withoutEffect)) continue
    removed.push(`a branch left empty (line ${statement.getStartLineNumber()})`)
    return [{ start: statement.getStart(), end: next.getStart(), text: "" }]
  }
  for (const statement of file.getDescendantsOfKind(SyntaxKind.SwitchStatement)) {
    const clauses = statement.getClauses()
    const onlyBreaks = clauses.every((clause) =>
      clause.getStatements().every((inner) => Node.isBreakStatement(inner) && inner.getLabel() === undefined)
    )
    if (!onlyBreaks || !withoutEffect(statement.getExpression())) continue
    if (clauses.some((clause) => Node.isCaseClause(clause) && !withoutEffect(clause.getExpression()))) continue
    removed.push(`a switch left doing nothing (line ${statement.getStartLineNumber()})`)
    return [statementRemoval(text, statement)]
  }
  for (const { declaration, name, statement } of loneCandidateDeclarations(file, candidates)) {
    if (statement.isExported() || !doesNothing(declaration.getInitializer())) continue
    const calls = callStatementsOf(name, withoutEffect)
    if (calls === undefined) continue
    removed.push(
      `${name.getText()}, left doing nothing (line ${declaration.getStartLineNumber()}), and its ${calls.length} call${calls.length === 1 ? "" : "s"}`
    )
    return [statementRemoval(text, statement), ...calls.map((call) => statementRemoval(text, call))]
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

/** The names the file binds to upstream core's event builders (`createWorkflowBaseEvent`, ...): they only build a value. */
const eventBuilders = (file: SourceFile): ReadonlySet<string> =>
  new Set(
    [...importedBindings(file).values()]
      .filter((binding) => binding.module === upstreamCoreModule && /^create\w*Event$/.test(binding.imported))
      .map((binding) => binding.local)
  )

/** The branches of the chain an `else if` belongs to, from its head. */
const chainOf = (branch: IfStatement): Array<IfStatement> => {
  let head = branch
  while (Node.isIfStatement(head.getParent()) && (head.getParent() as IfStatement).getElseStatement() === head)
    head = head.getParent() as IfStatement
  const chain: Array<IfStatement> = [head]
  for (
    let next = head.getElseStatement();
    next !== undefined && Node.isIfStatement(next);
    next = next.getElseStatement()
  )
    chain.push(next)
  return chain
}

/** Every condition is `<same value> === "<literal>"`, the literals distinct: at most one branch can be taken. */
const exclusiveChain = (chain: ReadonlyArray<IfStatement>, withoutEffect: (node: Node) => boolean): boolean => {
  const subjects = new Set<string>()
  const literals = new Set<string>()
  for (const branch of chain) {
    const condition = branch.getExpression()
    if (!Node.isBinaryExpression(condition)) return false
    if (condition.getOperatorToken().getKind() !== SyntaxKind.EqualsEqualsEqualsToken) return false
    const [subject, literal] = [condition.getLeft(), condition.getRight()]
    if (!Node.isStringLiteral(literal) || !withoutEffect(subject)) return false
    subjects.add(subject.getText())
    literals.add(literal.getLiteralValue())
  }
  return subjects.size === 1 && literals.size === chain.length
}

/** A function that does nothing: an empty body, `Effect.void`, or `Effect.gen` of an empty generator. */
const doesNothing = (node: Node | undefined): boolean => {
  if (node === undefined || !(Node.isArrowFunction(node) || Node.isFunctionExpression(node))) return false
  const body = node.getBody()
  if (Node.isBlock(body)) return body.getStatements().length === 0
  if (Node.isPropertyAccessExpression(body)) return body.getText() === "Effect.void"
  if (!Node.isCallExpression(body) || body.getExpression().getText() !== "Effect.gen") return false
  const [generator, more] = body.getArguments()
  return (
    more === undefined &&
    generator !== undefined &&
    Node.isFunctionExpression(generator) &&
    generator.getParameters().length === 0 &&
    generator.getBody()?.asKind(SyntaxKind.Block)?.getStatements().length === 0
  )
}

/**
 * The statements calling the local `name` when every reference to it is one (`f(...)` or
 * `yield* f(...)`) with arguments that have no effect; otherwise `undefined`.
 */
const callStatementsOf = (name: Identifier, withoutEffect: (node: Node) => boolean): Array<Node> | undefined => {
  const symbol = name.getSymbol()
  if (symbol === undefined) return undefined
  const scope = name.getFirstAncestor((ancestor) => Node.isVariableStatement(ancestor))?.getParent()
  if (scope === undefined) return undefined
  const statements: Array<Node> = []
  for (const identifier of scope.getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (identifier === name || identifier.getText() !== name.getText()) continue
    const other = identifier.getSymbol()
    if (other !== undefined && other !== symbol) continue
    const call = identifier.getParent()
    if (!Node.isCallExpression(call) || call.getExpression() !== identifier) return undefined
    if (!call.getArguments().every(withoutEffect)) return undefined
    const around = call.getParent()
    const statement =
      around !== undefined && Node.isYieldExpression(around) && around.getAsteriskToken() !== undefined
        ? around.getParent()
        : around
    if (statement === undefined || !Node.isExpressionStatement(statement)) return undefined
    statements.push(statement)
  }
  return statements
}

/** Whether evaluating an expression can only compute a value: no writes, no calls but reads and `pure` ones. */
const hasNoEffect = (node: Node, pure: ReadonlySet<string> = new Set()): boolean => {
  const withoutEffect = (inner: Node) => hasNoEffect(inner, pure)
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
    return node.getAsteriskToken() !== undefined && inner !== undefined && isRead(inner, withoutEffect)
  }
  if (Node.isCallExpression(node)) {
    const callee = node.getExpression().getText()
    if (pure.has(callee)) return node.getArguments().every(withoutEffect)
    return callee === "Date.now" || isRead(node, withoutEffect)
  }
  return false
}

/** A call of a getter (`getX()`, `service.getX()`) with arguments that have no effect. */
const isRead = (node: Node, withoutEffect: (node: Node) => boolean): boolean => {
  if (!Node.isCallExpression(node)) return false
  const callee = node.getExpression()
  const name = Node.isIdentifier(callee)
    ? callee.getText()
    : Node.isPropertyAccessExpression(callee) && withoutEffect(callee.getExpression())
      ? callee.getName()
      : undefined
  return name !== undefined && /^get[A-Z]/.test(name) && node.getArguments().every(withoutEffect)
}
