import { readFile } from "node:fs/promises"
import { Node, Project, SyntaxKind, ts } from "../source/tsMorph.js"
import type { SourceFile, TypeNode } from "ts-morph"
import { sourceFiles } from "../source/sourceFiles.js"
import { relativePosix } from "../report/displayPath.js"

/** A place in the package: path relative to the package directory, and a 1-based line. */
export interface Place {
  readonly file: string
  readonly line: number
}

export const formatPlace = (place: Place): string => `${place.file}:${place.line}`

export interface ServiceFacts {
  readonly className: string
  readonly place: Place
  /** The members of the service's shape, where the shape was found. */
  readonly members: ReadonlyMap<string, Place> | undefined
}

/**
 * What a static reading of a jobs package's sources finds, without type-checking: its services
 * by tag key (and their methods), its classes by name and `_tag`, the string literal values
 * its types allow, and where calls are made.
 */
export interface PackageFacts {
  readonly services: ReadonlyMap<string, ServiceFacts>
  readonly classes: ReadonlyMap<string, Place>
  /** Every interface or type literal with string-literal properties: literal values by property. */
  readonly literalTypes: ReadonlyArray<{
    readonly properties: ReadonlyMap<string, ReadonlyArray<string>>
    readonly place: Place
  }>
  /** Where a call whose callee is written `callee` is made. */
  readonly callsOf: (callee: string) => ReadonlyArray<Place>
  /** Functions a module exports by name (`export function f`, `export const f = ...`), where first declared. */
  readonly exportedFunctions: ReadonlyMap<string, Place>
}

const tagFunctions = /(^|\.)(Tag|GenericTag)$/
const taggedClassFunctions = /(^|\.)(TaggedError|TaggedClass|TaggedRequest)$/

/**
 * Reads every TypeScript source under `srcDir`, and under `alsoDirs` (the upstream core whose
 * services the package uses), parsed only: nothing is resolved or checked.
 */
export const readPackageFacts = async (
  packageDir: string,
  srcDir: string,
  alsoDirs: ReadonlyArray<string> = []
): Promise<PackageFacts> => {
  const project = new Project({
    useInMemoryFileSystem: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
    compilerOptions: { noLib: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext }
  })
  const files: Array<{ display: string; file: SourceFile }> = []
  const paths = (await Promise.all([srcDir, ...alsoDirs].map(sourceFiles))).flat()
  for (const path of paths) {
    const display = relativePosix(packageDir, path)
    files.push({ display, file: project.createSourceFile(`/${display}`, await readFile(path, "utf8")) })
  }
  const at = (display: string, node: Node): Place => ({ file: display, line: node.getStartLineNumber() })

  // Shapes by name, anywhere in the package: a service's interface may live beside its tag or not.
  const shapes = new Map<string, { display: string; node: Node }>()
  for (const { display, file } of files) {
    for (const node of [...file.getInterfaces(), ...file.getTypeAliases()]) {
      if (!shapes.has(node.getName())) shapes.set(node.getName(), { display, node })
    }
  }
  const membersOf = (display: string, node: Node | undefined): Map<string, Place> | undefined => {
    if (node === undefined) return undefined
    if (Node.isTypeAliasDeclaration(node)) return membersOf(display, node.getTypeNode())
    if (Node.isTypeReference(node)) {
      const shape = shapes.get(node.getTypeName().getText())
      return shape === undefined ? undefined : membersOf(shape.display, shape.node)
    }
    if (Node.isInterfaceDeclaration(node) || Node.isTypeLiteral(node)) {
      const members = new Map<string, Place>()
      for (const member of node.getMembers()) {
        if (Node.isPropertySignature(member) || Node.isMethodSignature(member))
          members.set(member.getName(), at(display, member))
      }
      return members
    }
    return undefined
  }

  const services = new Map<string, ServiceFacts>()
  const classes = new Map<string, Place>()
  const literalTypes: Array<{ properties: Map<string, Array<string>>; place: Place }> = []
  const calls = new Map<string, Array<Place>>()
  const exportedFunctions = new Map<string, Place>()

  for (const { display, file } of files) {
    const exportedLater = exportedByName(file)
    for (const declaration of file.getFunctions()) {
      const name = declaration.getName()
      if (
        name !== undefined &&
        (declaration.hasExportKeyword() || exportedLater.has(name)) &&
        !exportedFunctions.has(name)
      )
        exportedFunctions.set(name, at(display, declaration))
    }
    for (const statement of file.getVariableStatements()) {
      // What ts-morph's `isExported()` answers for a statement, which has no symbol of its own.
      if (!statement.hasExportKeyword()) continue
      for (const declaration of statement.getDeclarations()) {
        const value = declaration.getInitializer()
        if (
          (Node.isArrowFunction(value) || Node.isFunctionExpression(value)) &&
          !exportedFunctions.has(declaration.getName())
        )
          exportedFunctions.set(declaration.getName(), at(display, declaration))
      }
    }
    for (const declaration of file.getClasses()) {
      const name = declaration.getName()
      if (name !== undefined && !classes.has(name)) classes.set(name, at(display, declaration))
    }
    for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = call.getExpression()
      const calleeText = callee.getText()
      const list = calls.get(calleeText)
      if (list === undefined) calls.set(calleeText, [at(display, call)])
      else list.push(at(display, call))

      const [first] = call.getArguments()
      if (first === undefined || !Node.isStringLiteral(first)) continue
      if (taggedClassFunctions.test(calleeText)) {
        const owner = call.getFirstAncestorByKind(SyntaxKind.ClassDeclaration)
        if (!classes.has(first.getLiteralValue())) classes.set(first.getLiteralValue(), at(display, owner ?? call))
        continue
      }
      if (!tagFunctions.test(calleeText)) continue
      const key = first.getLiteralValue()
      // `class X extends Context.Tag("key")<X, Shape>() {}` or `Context.GenericTag<Shape>("key")`.
      const outer = call.getParent()
      const shape: TypeNode | undefined =
        Node.isCallExpression(outer) && outer.getExpression() === call
          ? outer.getTypeArguments()[1]
          : call.getTypeArguments()[0]
      const owner = call.getFirstAncestorByKind(SyntaxKind.ClassDeclaration)
      const variable = call.getFirstAncestorByKind(SyntaxKind.VariableDeclaration)
      if (!services.has(key)) {
        services.set(key, {
          className: owner?.getName() ?? variable?.getName() ?? key,
          place: at(display, owner ?? call),
          members: membersOf(display, shape)
        })
      }
    }
    const literalHolders = [...file.getInterfaces(), ...file.getDescendantsOfKind(SyntaxKind.TypeLiteral)]
    for (const holder of literalHolders) {
      const properties = new Map<string, Array<string>>()
      for (const member of holder.getMembers()) {
        if (!Node.isPropertySignature(member)) continue
        const values = stringLiterals(member.getTypeNode())
        if (values.length > 0) properties.set(member.getName(), values)
      }
      if (properties.size > 0) literalTypes.push({ properties, place: at(display, holder) })
    }
  }
  return { services, classes, literalTypes, callsOf: (callee) => calls.get(callee) ?? [], exportedFunctions }
}

/**
 * The local names a module exports by name after declaring them (`export { f }`, `export { f as
 * g }`, `export default f`, `export = f`): what ts-morph's `isExported()` finds in the module's
 * symbol table, read from the syntax instead, as asking for a symbol builds a type checker over
 * every file of the project (most of what reading the facts cost).
 */
const exportedByName = (file: SourceFile): ReadonlySet<string> => {
  const names = new Set<string>()
  for (const statement of file.compilerNode.statements) {
    if (ts.isExportDeclaration(statement) && statement.moduleSpecifier === undefined) {
      const clause = statement.exportClause
      if (clause !== undefined && ts.isNamedExports(clause))
        for (const element of clause.elements) names.add((element.propertyName ?? element.name).text)
    } else if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) {
      names.add(statement.expression.text)
    }
  }
  return names
}

const stringLiterals = (node: TypeNode | undefined): Array<string> => {
  if (node === undefined) return []
  if (Node.isUnionTypeNode(node)) return node.getTypeNodes().flatMap(stringLiterals)
  if (Node.isParenthesizedTypeNode(node)) return stringLiterals(node.getTypeNode())
  if (Node.isLiteralTypeNode(node)) {
    const literal = node.getLiteral()
    return Node.isStringLiteral(literal) ? [literal.getLiteralValue()] : []
  }
  return []
}
