import { Node, SyntaxKind } from "./tsMorph.js"
import type { SourceFile } from "ts-morph"
import { insertAt, type TextEdit } from "./edits.js"

/** One local binding brought in by an import declaration. */
export interface ImportedBinding {
  readonly local: string
  /** The exported name; `*` for a namespace import, `default` for a default import. */
  readonly imported: string
  readonly module: string
  readonly typeOnly: boolean
}

export const importedBindings = (file: SourceFile): Map<string, ImportedBinding> => {
  const bindings = new Map<string, ImportedBinding>()
  for (const declaration of file.getImportDeclarations()) {
    const module = declaration.getModuleSpecifierValue()
    const typeOnly = declaration.isTypeOnly()
    const namespace = declaration.getNamespaceImport()
    if (namespace) bindings.set(namespace.getText(), { local: namespace.getText(), imported: "*", module, typeOnly })
    const defaultImport = declaration.getDefaultImport()
    if (defaultImport) {
      bindings.set(defaultImport.getText(), { local: defaultImport.getText(), imported: "default", module, typeOnly })
    }
    for (const named of declaration.getNamedImports()) {
      const local = named.getAliasNode()?.getText() ?? named.getName()
      bindings.set(local, { local, imported: named.getName(), module, typeOnly: typeOnly || named.isTypeOnly() })
    }
  }
  return bindings
}

/** The whitespace that starts the line holding `position`. */
export const lineIndentAt = (text: string, position: number): string => {
  const lineStart = text.lastIndexOf("\n", position - 1) + 1
  return /^[ \t]*/.exec(text.slice(lineStart))![0]
}

export const lineOf = (text: string, position: number): number => text.slice(0, position).split("\n").length

/**
 * The edit that appends an item to a parenthesised, comma separated list (parameters,
 * arguments), following the list's layout: one line or one item per line, trailing comma or not.
 */
export const appendToList = (
  text: string,
  items: ReadonlyArray<Node>,
  open: Node,
  close: Node,
  item: string,
  newline: string
): TextEdit => {
  const last = items[items.length - 1]
  if (last === undefined) return insertAt(open.getEnd(), item)
  const first = items[0]!
  const between = text.slice(last.getEnd(), close.getStart())
  const commaOffset = between.indexOf(",")
  const multiline = text.slice(open.getEnd(), first.getStart()).includes("\n")
  if (multiline) {
    const indent = lineIndentAt(text, last.getStart())
    return commaOffset >= 0
      ? insertAt(last.getEnd() + commaOffset + 1, `${newline}${indent}${item},`)
      : insertAt(last.getEnd(), `,${newline}${indent}${item}`)
  }
  return commaOffset >= 0 ? insertAt(last.getEnd() + commaOffset + 1, ` ${item}`) : insertAt(last.getEnd(), `, ${item}`)
}

export const parenthesesOf = (node: Node): { readonly open: Node; readonly close: Node } | undefined => {
  const open = node.getFirstChildByKind(SyntaxKind.OpenParenToken)
  const close = node.getFirstChildByKind(SyntaxKind.CloseParenToken)
  return open && close ? { open, close } : undefined
}

/** True when the identifier is used as a value here, not named as a type or a property. */
export const isValueReference = (identifier: Node): boolean => {
  const parent = identifier.getParent()
  if (parent === undefined) return false
  if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) return false
  if (Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier) return false
  if (Node.isImportSpecifier(parent) || Node.isImportClause(parent) || Node.isNamespaceImport(parent)) return false
  if (Node.isExportSpecifier(parent)) return false
  if (identifier.getFirstAncestor((ancestor) => Node.isTypeNode(ancestor) || Node.isImportDeclaration(ancestor))) {
    return false
  }
  return true
}
