import { readFile } from "node:fs/promises"
import { applyEdits } from "../source/edits.js"
import { parseSource, sourceFiles } from "../source/sourceFiles.js"
import { planEmitRemoval, type EmitRefusal, type EmitSite } from "./emitSites.js"
import { removeEventOnlyCode, type EventOnlyCodeOptions } from "./eventOnlyCode.js"

/** A source file of the package as read, and as the migration leaves it (so far). */
export interface SourceChange {
  readonly before: string
  after: string
}

export interface HandEmitRemoval {
  /** Every source under the directory, by its displayed path, with the emits planned out. */
  readonly sources: Map<string, SourceChange>
  readonly emitSites: ReadonlyArray<EmitSite>
  readonly refusals: ReadonlyArray<EmitRefusal>
  /** Code that served the events only and goes with them, `file: what (line)`. */
  readonly removedWithEmits: ReadonlyArray<string>
  /** The text of every emit taken out, one after the other (what the hand-placed code sent). */
  readonly removedEmitText: string
}

/**
 * Reads every source under `dir` (a syntax error anywhere is bad input) and plans out its
 * hand-placed emits with what served them only. With any refusal the caller writes nothing.
 */
export const removeHandEmits = async (
  dir: string,
  display: (path: string) => string,
  options: EventOnlyCodeOptions = {}
): Promise<HandEmitRemoval> => {
  const sources = new Map<string, SourceChange>()
  const emitSites: Array<EmitSite> = []
  const refusals: Array<EmitRefusal> = []
  const removedWithEmits: Array<string> = []
  let removedEmitText = ""
  for (const path of await sourceFiles(dir)) {
    const text = await readFile(path, "utf8")
    const file = parseSource(display(path), text)
    const removal = planEmitRemoval(display(path), file, text)
    emitSites.push(...removal.sites)
    refusals.push(...removal.refusals)
    removedEmitText += `${removal.removedText}\n`
    let after = text
    if (removal.edits.length > 0) {
      const cleaned = removeEventOnlyCode(display(path), applyEdits(text, removal.edits), removal.removedText, options)
      after = cleaned.text
      removedWithEmits.push(...cleaned.removed.map((what) => `${display(path)}: ${what}`))
    }
    sources.set(display(path), { before: text, after })
  }
  return { sources, emitSites, refusals, removedWithEmits, removedEmitText }
}
