/**
 * The formatting habits of a source file, so that inserted code reads like its neighbours.
 * Each is decided by a majority of what the file already does, with the TypeScript community
 * defaults (two spaces, double quotes, semicolons) when the file gives no evidence.
 */
export interface CodeStyle {
  readonly indent: string
  readonly quote: '"' | "'"
  readonly semicolons: boolean
  readonly newline: "\n" | "\r\n"
}

export const detectStyle = (text: string): CodeStyle => {
  const newline = text.includes("\r\n") ? "\r\n" : "\n"
  const lines = text.split(/\r?\n/)

  // The smallest non-zero indentation step between consecutive code lines.
  let indent = "  "
  const steps = new Map<string, number>()
  let previous = ""
  for (const line of lines) {
    if (line.trim() === "" || /^\s*(\*|\/\/)/.test(line)) continue
    const current = /^[ \t]*/.exec(line)![0]
    if (current.length > previous.length && current.startsWith(previous)) {
      const step = current.slice(previous.length)
      steps.set(step, (steps.get(step) ?? 0) + 1)
    }
    previous = current
  }
  let best = 0
  for (const [step, count] of steps) {
    if (count > best) {
      best = count
      indent = step
    }
  }

  const code = stripComments(text)
  const doubles = (code.match(/(?:from|import)\s*"/g) ?? []).length + (code.match(/"[^"\n]*"/g) ?? []).length
  const singles = (code.match(/(?:from|import)\s*'/g) ?? []).length + (code.match(/'[^'\n]*'/g) ?? []).length
  const quote = singles > doubles ? "'" : '"'

  // Statements that end a line: imports, declarations, returns.
  const statementEnds = lines.filter((line) => /^\s*(import |export |const |let |return |type )/.test(line))
  const withSemicolon = statementEnds.filter((line) => /;\s*(\/\/.*)?$/.test(line)).length
  const closedWithout = statementEnds.filter((line) => /[)"'`\w\]]\s*$/.test(line)).length
  const semicolons = statementEnds.length === 0 ? true : withSemicolon >= closedWithout

  return { indent, quote, semicolons, newline }
}

const stripComments = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "")

/** A string literal in the file's quote style. */
export const quoted = (style: CodeStyle, value: string): string =>
  `${style.quote}${value.replaceAll("\\", "\\\\").replaceAll(style.quote, `\\${style.quote}`)}${style.quote}`

/** The statement terminator of the file's style. */
export const semi = (style: CodeStyle): string => (style.semicolons ? ";" : "")
