import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import type * as TsMorph from "ts-morph"

// ts-morph's values, loaded with `require`. ts-morph is a CommonJS package: imported from an ES
// module (the CLI, the package's ESM build), Node first scans its source (about 1 MB) for the
// names it exports, which `require` does not; that scan cost the CLI about 0.15 s of CPU per run.
// Its types are imported from "ts-morph" directly (`import type`), which loads nothing.

/** `require` relative to this module, in the ESM and the CommonJS builds alike. */
export const requireHere = createRequire(typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url))

const tsMorph = requireHere("ts-morph") as typeof TsMorph

export const { Node, Project, SyntaxKind, ts } = tsMorph
export type Node<T extends TsMorph.ts.Node = TsMorph.ts.Node> = TsMorph.Node<T>
export type Project = TsMorph.Project
export type SyntaxKind = TsMorph.SyntaxKind
