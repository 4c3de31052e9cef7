/** A replacement of the text between two offsets of the original file. */
export interface TextEdit {
  readonly start: number
  readonly end: number
  readonly text: string
}

export const insertAt = (position: number, text: string): TextEdit => ({ start: position, end: position, text })

/**
 * Applies edits to the original text. Everything outside the edited ranges is kept byte for
 * byte. Insertions at one position keep the order they were given in.
 */
export const applyEdits = (text: string, edits: ReadonlyArray<TextEdit>): string => {
  const ordered = edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order)
  let result = ""
  let cursor = 0
  for (const { edit } of ordered) {
    if (edit.start < cursor) {
      throw new Error(`overlapping edits at offset ${edit.start}`)
    }
    result += text.slice(cursor, edit.start) + edit.text
    cursor = edit.end
  }
  return result + text.slice(cursor)
}
