import { parseSource } from "../source/sourceFiles.js"
import { detectStyle, quoted, semi } from "../source/style.js"

/** What the rewrite of a module that exports combinators decided. */
export type ExportsRewrite =
  | { readonly status: "rewrite"; readonly text: string; readonly changes: ReadonlyArray<string> }
  | { readonly status: "already-wired"; readonly reason: string }
  | { readonly status: "not-found"; readonly reason: string }

export interface ExportsRewriteOptions {
  readonly importFrom: string
  /** The package's tracking module, as the rewritten module imports it (`../tracking`). */
  readonly trackingModule: string
  /** The namespace of the map's function entries (`Workflow`). */
  readonly namespace: string
  /** The exported functions to trace, each re-exported by name from a module of the package. */
  readonly names: ReadonlyArray<string>
}

const untracked = (name: string) => `untracked${name[0]!.toUpperCase()}${name.slice(1)}`

/**
 * The module that exports a package's combinators, with each named one exported traced instead:
 * `export { step } from "./step"` becomes an import of the original under another name and an
 * `export const step: typeof untrackedStep` of what `trackExports` made of it. Everything else
 * in the module is kept as written; the package's own modules are not touched.
 */
export const rewriteCombinatorExports = (
  path: string,
  text: string,
  options: ExportsRewriteOptions
): ExportsRewrite => {
  if (/\btrackExports\s*\(/.test(text))
    return { status: "already-wired", reason: `${path} exports its combinators through trackExports already` }
  const source = parseSource(path, text)
  const found = new Map<string, string>()
  for (const declaration of source.getExportDeclarations()) {
    const module = declaration.getModuleSpecifierValue()
    if (module === undefined || declaration.isTypeOnly()) continue
    const hits = declaration
      .getNamedExports()
      .filter(
        (specifier) =>
          options.names.includes(specifier.getName()) &&
          specifier.getAliasNode() === undefined &&
          !specifier.isTypeOnly()
      )
    if (hits.length === 0) continue
    for (const specifier of hits) found.set(specifier.getName(), module)
    if (hits.length === declaration.getNamedExports().length) declaration.remove()
    else for (const specifier of hits) specifier.remove()
  }
  const missing = options.names.filter((name) => !found.has(name))
  if (missing.length > 0)
    return {
      status: "not-found",
      reason: `${path} does not re-export ${missing.join(", ")} by name from a module of the package`
    }

  const style = detectStyle(text)
  const nl = style.newline
  const end = semi(style)
  const byModule = new Map<string, Array<string>>()
  for (const [name, module] of found) byModule.set(module, [...(byModule.get(module) ?? []), name])
  const imports = [
    `import { trackExports } from ${quoted(style, options.importFrom)}${end}`,
    `import { trackingEventMap } from ${quoted(style, options.trackingModule)}${end}`,
    ...[...byModule].map(
      ([module, names]) =>
        `import { ${names.map((name) => `${name} as ${untracked(name)}`).join(", ")} } from ${quoted(style, module)}${end}`
    )
  ]
  const tracked = [
    "",
    `// Traced by ${options.importFrom}: these combinators emit their events where the effect they return`,
    "// runs with a tracker (without one, each runs as it is). The workflows that use them are unchanged.",
    `const tracked = trackExports(`,
    `${style.indent}{ ${options.names.map((name) => `${name}: ${untracked(name)}`).join(", ")} },`,
    `${style.indent}{ eventMap: trackingEventMap, namespace: ${quoted(style, options.namespace)} }`,
    `)${end}`,
    ...options.names.map((name) => `export const ${name}: typeof ${untracked(name)} = tracked.${name}${end}`),
    ""
  ]
  const body = source.getFullText().replace(/\s*$/, "")
  return {
    status: "rewrite",
    text: [...imports, "", body, ...tracked].join(nl),
    changes: [
      `${path}: ${options.names.join(", ")} are exported traced (trackExports with the package's trackingEventMap, namespace ${options.namespace}); the modules that define them are unchanged`
    ]
  }
}
