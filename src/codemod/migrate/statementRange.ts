import type { Node } from "ts-morph"
import type { TextEdit } from "../source/edits.js"

/**
 * The edit that removes a statement with its whole line(s) and the `//` comment lines right
 * above it (they speak of what goes), when the statement has its lines to itself; otherwise
 * just the statement's own text. With `replacement`, the statement becomes that text instead,
 * at the statement's indentation.
 */
export const statementRemoval = (text: string, node: Node, replacement?: string): TextEdit => {
  const start = node.getStart()
  const end = node.getEnd()
  const lineStart = text.lastIndexOf("\n", start - 1) + 1
  const newlineAfter = text.indexOf("\n", end)
  const lineEnd = newlineAfter < 0 ? text.length : newlineAfter + 1
  const ownsLines = text.slice(lineStart, start).trim() === "" && text.slice(end, lineEnd).trim() === ""
  if (!ownsLines) return { start, end, text: replacement ?? "" }
  const indent = text.slice(lineStart, start)
  let from = lineStart
  // Comment lines directly above (no blank line between) belong to the statement.
  for (;;) {
    if (from === 0) break
    const previousStart = text.lastIndexOf("\n", from - 2) + 1
    const previous = text.slice(previousStart, from).trim()
    if (!previous.startsWith("//")) break
    from = previousStart
  }
  const newline = text[lineEnd - 2] === "\r" ? "\r\n" : "\n"
  return { start: from, end: lineEnd, text: replacement === undefined ? "" : `${indent}${replacement}${newline}` }
}
