import { Node, SyntaxKind } from "../source/tsMorph.js"
import type {
  ArrowFunction,
  Block,
  CallExpression,
  FunctionDeclaration,
  FunctionExpression,
  SourceFile
} from "ts-morph"
import { applyEdits, insertAt, type TextEdit } from "../source/edits.js"
import { CodemodInputError } from "../report/errors.js"
import { analyseComposition, type CompositionAnalysis } from "./composition.js"
import { knownServiceLayers } from "../../jobs/knownLayers.js"
import { parseSource } from "../source/sourceFiles.js"
import { flushEdits } from "./runFlush.js"
import { detectStyle, quoted, semi, type CodeStyle } from "../source/style.js"
import { trackerProvidedByHand } from "../package/trackedByHand.js"
import {
  appendToList,
  importedBindings,
  isValueReference,
  lineIndentAt,
  parenthesesOf,
  type ImportedBinding
} from "../source/syntax.js"

export interface RuntimeRewriteOptions {
  /** The module specifier of this library in the generated imports. */
  readonly importFrom: string
  /** The specifier of the scaffolded event map module, seen from the runtime file, without extension. */
  readonly trackingModule: string
  /** Tag keys of the services the event map has entries for. */
  readonly mappedServiceKeys: ReadonlySet<string>
  /**
   * The name of the tracker option: the compose function's parameter and the JobsRuntimeConfig
   * member. Default `tracker`; a migrated package keeps the name its public API has (`trackerConfig`).
   */
  readonly trackerName?: string
}

export interface WrappedLayer {
  /** The name the layer is exported under. */
  readonly layer: string
  /** The name it has in the runtime file, when imported under an alias. */
  readonly localName: string
  readonly line: number
}

export interface UntouchedLayer {
  readonly layer: string
  readonly line: number
  readonly reason: string
}

export type RuntimeRewrite =
  | { readonly status: "already-wired"; readonly reason: string }
  | { readonly status: "tracked-by-hand"; readonly reason: string }
  | {
      readonly status: "rewrite"
      readonly text: string
      /**
       * Why the composition counts as wired already, when it does and only other pieces of the
       * file (the option, the flush, the imports) are missing: the rewrite completes those.
       */
      readonly partlyWired: string | undefined
      readonly wrapped: ReadonlyArray<WrappedLayer>
      readonly untouched: ReadonlyArray<UntouchedLayer>
      /** What was done besides wrapping, one line each. */
      readonly changes: ReadonlyArray<string>
      /** What the codemod could not do and the user has to. */
      readonly todo: ReadonlyArray<string>
    }

type FunctionLike = FunctionDeclaration | ArrowFunction | FunctionExpression

const composeFunction = "createDispatcherLayer"
const defaultTrackerName = "tracker"

/**
 * What one step of the rewrite adds: its text edits, a line for each thing it did, and what
 * it could not do and leaves to the user (the shape of `flushEdits` and `rewriteConfigFlow`).
 */
interface RewriteStep {
  readonly edits: ReadonlyArray<TextEdit>
  readonly changes: ReadonlyArray<string>
  readonly todo: ReadonlyArray<string>
}

/** The runtime file as the steps see it, once it is known to be one the codemod can rewrite. */
interface RuntimeFile {
  readonly displayPath: string
  readonly file: SourceFile
  readonly text: string
  readonly style: CodeStyle
  readonly imports: Map<string, ImportedBinding>
  readonly compose: FunctionLike
  readonly body: Block
  /** The name of the compose function's core layer parameter. */
  readonly coreName: string
  readonly options: RuntimeRewriteOptions
  /** Why the composition (wrapped layers, the tracker under them) counts as wired already: withTracking is used. */
  readonly wired: string | undefined
  readonly composition: CompositionAnalysis
  /** The name of the one `withTracking` options object the rewrite declares. */
  readonly trackingOptions: string
  /** The tracker option's name (see {@link RuntimeRewriteOptions.trackerName}). */
  readonly trackerParameter: string
}

/**
 * Plans the rewrite of a jobs package's `src/runtime/runtime.ts`: the tracker layer under the
 * composition, `withTracking` around the service layers the map covers, a flush at the end of
 * every run, the optional `tracker` option and the imports. The result is the new text; the
 * original is never touched outside the edited ranges.
 */
export const rewriteRuntime = (displayPath: string, text: string, options: RuntimeRewriteOptions): RuntimeRewrite => {
  const runtime = readRuntimeFile(displayPath, text, options)
  if (!("compose" in runtime)) return runtime
  // Each piece of the wiring is judged on its own: a composition wired already (by an earlier
  // run, or by hand) does not stop the option, the flush or the imports from being completed.
  const layers = runtime.wired === undefined ? wrapServiceLayers(runtime) : { ...noStep, wrapped: [], untouched: [] }
  const tracker = runtime.wired === undefined ? trackerUnderComposition(runtime) : noStep
  const option = threadTrackerOption(runtime)
  const flush = flushEveryRun(runtime)
  const steps = [layers, tracker, option, flush]
  const imports = trackingImports(runtime, flush.importSpecifier, steps)
  const all = [...steps, imports]
  const edits = all.flatMap((step) => step.edits)
  if (runtime.wired !== undefined && edits.length === 0) return { status: "already-wired", reason: runtime.wired }
  return {
    status: "rewrite",
    text: applyEdits(text, edits),
    partlyWired: runtime.wired,
    wrapped: layers.wrapped,
    untouched: layers.untouched,
    changes: all.flatMap((step) => step.changes),
    todo: all.flatMap((step) => step.todo)
  }
}

const noStep: RewriteStep = { edits: [], changes: [], todo: [] }

const unrecognised = (displayPath: string, expected: string, detail?: string) =>
  new CodemodInputError({ file: displayPath, expected, ...(detail === undefined ? {} : { detail }) })

/** The file parsed and checked: one to rewrite, one already wired, or a throw when it is not a runtime file. */
const readRuntimeFile = (
  displayPath: string,
  text: string,
  options: RuntimeRewriteOptions
): RuntimeFile | Extract<RuntimeRewrite, { status: "already-wired" | "tracked-by-hand" }> => {
  const file = parseSource(displayPath, text)
  const imports = importedBindings(file)
  const trackerParameter = options.trackerName ?? defaultTrackerName

  const compose = findFunction(file, composeFunction)
  if (compose === undefined) {
    throw unrecognised(
      displayPath,
      `a function ${composeFunction}(coreLayer, registry) that composes the service layers`
    )
  }

  const withTrackingUse = file
    .getDescendantsOfKind(SyntaxKind.Identifier)
    .find((identifier) => identifier.getText() === "withTracking" && isValueReference(identifier))
  // A compose function that takes a tracker without withTracking in the file was wired by hand,
  // in a way the codemod cannot know: it is left as it is, whole.
  if (
    withTrackingUse === undefined &&
    compose.getParameters().some((parameter) => parameter.getName() === trackerParameter)
  ) {
    return {
      status: "already-wired",
      reason: `${composeFunction} in ${displayPath} already takes a \`${trackerParameter}\` parameter`
    }
  }
  const wired =
    withTrackingUse === undefined
      ? undefined
      : `withTracking is used in ${displayPath} on line ${withTrackingUse.getStartLineNumber()}`
  if (wired === undefined) {
    const byHand = trackerProvidedByHand(displayPath, file, imports)
    if (byHand !== undefined) return { status: "tracked-by-hand", reason: byHand }
  }

  const body = compose.getBody()
  if (body === undefined || !Node.isBlock(body)) {
    throw unrecognised(displayPath, `${composeFunction} to have a block body`, `line ${compose.getStartLineNumber()}`)
  }
  const coreParameter = compose.getParameters()[0]
  if (
    coreParameter === undefined ||
    !/layer/i.test(`${coreParameter.getName()} ${coreParameter.getTypeNode()?.getText() ?? ""}`)
  ) {
    throw unrecognised(displayPath, `${composeFunction} to take the core layer as its first parameter`)
  }
  const coreName = coreParameter.getName()
  return {
    displayPath,
    file,
    text,
    style: detectStyle(text),
    imports,
    compose,
    body,
    coreName,
    options,
    wired,
    composition: analyseComposition(body, coreName, imports),
    // One options object, decided when the runtime is created: without a tracker nothing is
    // wrapped, so tracking off costs the runtime nothing per call.
    trackingOptions: uniqueName(file, "tracking"),
    trackerParameter
  }
}

/** `withTracking` around each service layer the map covers that is built on the core layer. */
const wrapServiceLayers = (
  runtime: RuntimeFile
): RewriteStep & {
  readonly wrapped: ReadonlyArray<WrappedLayer>
  readonly untouched: ReadonlyArray<UntouchedLayer>
} => {
  const { coreName, options, trackingOptions } = runtime
  const { heads, others } = runtime.composition
  const untouched: Array<UntouchedLayer> = others.map(({ layer, line }) => ({
    layer,
    line,
    reason: "not a jobs service layer the codemod knows"
  }))
  if (heads.size === 0) {
    throw unrecognised(
      runtime.displayPath,
      `${composeFunction} to compose the jobs service layers (RuntimeServicesLayer, JobHandlersLayer, DispatcherLayer, ...) with Layer.provideMerge or Layer.provide`,
      "none of them is piped into a provide chain there"
    )
  }
  const edits: Array<TextEdit> = []
  const wrapped: Array<WrappedLayer> = []
  const todo: Array<string> = []
  for (const [layer, occurrences] of heads) {
    const line = occurrences[0]!.node.getStartLineNumber()
    const services = knownServiceLayers.get(layer) ?? []
    if (!services.some((key) => options.mappedServiceKeys.has(key))) {
      untouched.push({ layer, line, reason: "the event map has no entries for its services" })
      continue
    }
    if (occurrences.length > 1) {
      untouched.push({ layer, line, reason: "composed more than once; wrapping each use would build it twice" })
      todo.push(
        `${layer} is composed ${occurrences.length} times in ${composeFunction}: wrap it once with withTracking by hand`
      )
      continue
    }
    const { node, binding, underTracker } = occurrences[0]!
    if (!underTracker) {
      untouched.push({ layer, line, reason: `none of the layers provided to it carries the ${coreName} tracker` })
      todo.push(
        `${layer} (line ${line}) is not built on top of ${coreName}: provide the tracker under it and wrap it with withTracking by hand`
      )
      continue
    }
    edits.push({
      start: node.getStart(),
      end: node.getEnd(),
      text: `withTracking(${node.getText()}, ${trackingOptions})`
    })
    wrapped.push({ layer, localName: binding.local, line })
  }
  if (wrapped.length === 0) {
    throw unrecognised(
      runtime.displayPath,
      `${composeFunction} to build the jobs service layers on top of ${coreName}`,
      untouched.map((entry) => `${entry.layer}: ${entry.reason}`).join("; ")
    )
  }
  return { edits, changes: [], todo, wrapped, untouched }
}

/**
 * The tracker goes under the whole composition: withTracking reads it while a layer is built.
 * The compose function takes an optional `tracker` and builds on the core with it added.
 */
const trackerUnderComposition = (runtime: RuntimeFile): RewriteStep => {
  const { file, text, style, body, coreName, compose, trackingOptions, trackerParameter } = runtime
  const edits: Array<TextEdit> = []
  const todo: Array<string> = []
  const trackedCore = uniqueName(file, "trackedCoreLayer")
  const coreReferences = body
    .getDescendantsOfKind(SyntaxKind.Identifier)
    .filter((identifier) => identifier.getText() === coreName && isValueReference(identifier))
  for (const reference of coreReferences) {
    const parent = reference.getParent()
    edits.push(
      Node.isShorthandPropertyAssignment(parent)
        ? { start: reference.getStart(), end: reference.getEnd(), text: `${coreName}: ${trackedCore}` }
        : { start: reference.getStart(), end: reference.getEnd(), text: trackedCore }
    )
  }
  const statementIndent = firstStatementIndent(text, body, style)
  const openBrace = body.getFirstChildByKindOrThrow(SyntaxKind.OpenBraceToken)
  edits.push(
    insertAt(
      openBrace.getEnd(),
      `${style.newline}${statementIndent}// The tracker goes under every layer, as withTracking reads it while a layer is built (and` +
        `${style.newline}${statementIndent}// the tracker may keep undelivered events in the core's storage). Without a tracker,` +
        `${style.newline}${statementIndent}// nothing is wrapped and the composition is as it was.` +
        `${style.newline}${statementIndent}const ${trackedCore} = addTracker(${coreName}, ${trackerParameter})${semi(style)}` +
        `${style.newline}${statementIndent}const ${trackingOptions} = { eventMap: trackingEventMap, enabled: ${trackerParameter} !== undefined }${semi(style)}` +
        `${style.newline}`
    )
  )
  edits.push(parameterEdit(text, compose, `${trackerParameter}?: TrackerOption`, style))

  const { carriesCore } = runtime.composition
  const returned = body.getStatements().filter(Node.isReturnStatement).at(-1)?.getExpression()
  if (returned !== undefined && !carriesCore(returned)) {
    todo.push(
      `the layer ${composeFunction} returns does not pass EventTracker through (use Layer.provideMerge on the way up), so the flush at the end of a run cannot reach the tracker`
    )
  }
  return {
    edits,
    changes: [
      `${composeFunction} takes an optional \`${trackerParameter}\` and provides it beneath every wrapped layer, because a wrapped layer looks for the tracker while it is built; called without a tracker, it composes the layers exactly as before`
    ],
    todo
  }
}

/** The options: `JobsRuntimeConfig.tracker`, then the runtime factories pass it on. */
const threadTrackerOption = (runtime: RuntimeFile): RewriteStep => {
  const { file, text, style } = runtime
  const edits: Array<TextEdit> = []
  const changes: Array<string> = []
  const todo: Array<string> = []
  const configEdit = configMemberEdit(file, text, style, runtime.trackerParameter)
  if (configEdit === undefined) {
    todo.push(
      "no JobsRuntimeConfig interface found: add `readonly tracker?: TrackerOption` to the runtime's options by hand"
    )
  } else if (configEdit === "exists") {
    // Worth saying on a first run (the member was the user's); on a completing run it is done.
    if (runtime.wired === undefined)
      changes.push(
        `JobsRuntimeConfig already has a \`${runtime.trackerParameter}\` field: the codemod keeps it as it is and uses it as the tracker option`
      )
  } else {
    edits.push(configEdit)
    changes.push(
      "JobsRuntimeConfig gets an optional `tracker` field: this is where you pass a tracker when you create the runtime (leave it out and nothing is tracked)"
    )
  }
  const runtimeFactory = findFunction(file, "createJobsRuntime")
  if (runtimeFactory !== undefined) {
    const threaded = threadConfigTracker(text, runtimeFactory, style, runtime.trackerParameter)
    if (threaded === undefined) {
      todo.push("createJobsRuntime: pass `config.tracker` on to createDispatcherLayer by hand")
    } else if (threaded.length > 0) {
      edits.push(...threaded)
      changes.push(
        "createJobsRuntime hands `config.tracker` to createDispatcherLayer, so the tracker you configure reaches the service layers"
      )
    }
  }
  const layerFactory = findFunction(file, "createJobsRuntimeFromLayer")
  if (layerFactory !== undefined) {
    const calls = callsTo(layerFactory, composeFunction)
    const parameters = layerFactory.getParameters()
    const threaded =
      parameters.length === 3 && calls.length > 0 && calls.every((call) => call.getArguments().length === 3)
    if (threaded) {
      // Done already: the third parameter is passed on to every composition.
    } else if (parameters.length !== 2 || calls.length === 0) {
      todo.push(
        "createJobsRuntimeFromLayer: add an optional `options?: { readonly tracker?: TrackerOption }` and pass `options?.tracker` on by hand"
      )
    } else {
      const optionsName = freeNameIn(layerFactory, "options")
      edits.push(parameterEdit(text, layerFactory, `${optionsName}?: { readonly tracker?: TrackerOption }`, style))
      for (const call of calls) edits.push(argumentEdit(text, call, `${optionsName}?.tracker`, style))
      changes.push(
        "createJobsRuntimeFromLayer takes an optional third argument `{ tracker }`, so code that builds a runtime from a layer (tests, say) can pass a tracker too"
      )
    }
  }
  return { edits, changes, todo }
}

/**
 * Every run flushes before it ends, on success and on failure: the layers, the tracker's
 * buffer included, are rebuilt by the next run.
 */
const flushEveryRun = (runtime: RuntimeFile): RewriteStep & { readonly importSpecifier: string | undefined } => {
  const flush = flushEdits(runtime.file, runtime.text, runtime.imports, runtime.options.importFrom)
  const changes: Array<string> = []
  const todo: Array<string> = []
  if (flush.runSites === 0 && flush.flushedAlready === 0) {
    todo.push(
      "no `Effect.runPromise(effect.pipe(Effect.provide(layer)))` found: make every run end with `Effect.ensuring(flushEvents)` inside the provided layer"
    )
  } else if (flush.runSites > 0) {
    changes.push(
      `every run sends its buffered events to the tracker before it ends, on success and on failure (${flush.runSites} run site${flush.runSites === 1 ? "" : "s"}): ` +
        "the runtime rebuilds its layers, and so the tracker's buffer, on every call, so events left in the buffer would be lost"
    )
  }
  for (const call of flush.flushOnlyRuns) {
    changes.push(
      `${call}: this call only flushed the events, and every run now does that as it ends, so its flushEvents becomes Effect.void; the call still sends the events, once instead of twice`
    )
  }
  return { edits: flush.edits, changes, todo, importSpecifier: flush.importSpecifier }
}

/**
 * The imports, after the last import, in the file's style: each name the file or the other
 * steps' edits use and the file does not import yet (on a first run, all of them).
 */
const trackingImports = (
  runtime: RuntimeFile,
  flushImport: string | undefined,
  steps: ReadonlyArray<RewriteStep>
): RewriteStep => {
  const { file, style, options, imports } = runtime
  const inserted = steps.flatMap((step) => step.edits.map((edit) => edit.text)).join("\n")
  const referenced = new Set(
    file
      .getDescendantsOfKind(SyntaxKind.Identifier)
      .filter((identifier) => !Node.isImportSpecifier(identifier.getParent()))
      .map((identifier) => identifier.getText())
  )
  const wanted = (name: string) =>
    !imports.has(name) && (referenced.has(name) || new RegExp(`\\b${name}\\b`).test(inserted))
  const libraryNames = [
    ...["addTracker", "withTracking"].filter(wanted),
    ...(flushImport === undefined ? [] : [flushImport]),
    ...(wanted("TrackerOption") ? ["type TrackerOption"] : [])
  ]
  const importLines = [
    ...(libraryNames.length === 0
      ? []
      : [`import { ${libraryNames.join(", ")} } from ${quoted(style, options.importFrom)}${semi(style)}`]),
    ...(wanted("trackingEventMap")
      ? [
          `import { trackingEventMap } from ${quoted(style, options.trackingModule + importExtension(imports))}${semi(style)}`
        ]
      : [])
  ]
  if (importLines.length === 0) return noStep
  const lastImport = file.getImportDeclarations().at(-1)
  const edit =
    lastImport === undefined
      ? insertAt(0, importLines.map((line) => line + style.newline).join(""))
      : insertAt(lastImport.getEnd(), importLines.map((line) => style.newline + line).join(""))
  const added = libraryNames.map((name) => name.replace(/^type /, "").replace(/^flushEvents as /, ""))
  return {
    edits: [edit],
    // A first run's imports go without saying; completing a wired file, they are what was missing.
    changes:
      runtime.wired === undefined
        ? []
        : [
            `adds the imports the wiring needs and the file was missing (${[...added, ...(wanted("trackingEventMap") ? ["trackingEventMap"] : [])].join(", ")})`
          ],
    todo: []
  }
}

const findFunction = (file: SourceFile, name: string): FunctionLike | undefined => {
  const declaration = file.getFunction(name)
  if (declaration !== undefined) return declaration
  const initializer = file.getVariableDeclaration(name)?.getInitializer()
  return initializer !== undefined && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer))
    ? initializer
    : undefined
}

const callsTo = (scope: Node, name: string): Array<CallExpression> =>
  scope.getDescendantsOfKind(SyntaxKind.CallExpression).filter((call) => call.getExpression().getText() === name)

const parameterEdit = (text: string, fn: FunctionLike, parameter: string, style: CodeStyle): TextEdit => {
  const parentheses = parenthesesOf(fn)
  if (parentheses === undefined) {
    // A lone arrow parameter without parentheses: `x => ...`.
    const only = fn.getParameters()[0]!
    return { start: only.getStart(), end: only.getEnd(), text: `(${only.getText()}, ${parameter})` }
  }
  return appendToList(text, fn.getParameters(), parentheses.open, parentheses.close, parameter, style.newline)
}

const argumentEdit = (text: string, call: CallExpression, argument: string, style: CodeStyle): TextEdit => {
  const parentheses = parenthesesOf(call)!
  return appendToList(text, call.getArguments(), parentheses.open, parentheses.close, argument, style.newline)
}

/**
 * `createJobsRuntime(config)` passes `config.tracker`; a destructured config gains `tracker`.
 * Calls that pass it already are left alone (an empty list: nothing to do); `undefined` when
 * there is no call to thread it through.
 */
const threadConfigTracker = (
  text: string,
  fn: FunctionLike,
  style: CodeStyle,
  trackerParameter: string
): Array<TextEdit> | undefined => {
  const config = fn.getParameters()[0]
  if (config === undefined) return undefined
  const nameNode = config.getNameNode()
  const edits: Array<TextEdit> = []
  let trackerExpression: string
  if (Node.isIdentifier(nameNode)) {
    trackerExpression = `${nameNode.getText()}.${trackerParameter}`
  } else if (Node.isObjectBindingPattern(nameNode)) {
    const elements = nameNode.getElements()
    const last = elements.at(-1)
    if (last === undefined || last.getDotDotDotToken() !== undefined) return undefined
    if (!elements.some((element) => element.getName() === trackerParameter))
      edits.push(insertAt(last.getEnd(), `, ${trackerParameter}`))
    trackerExpression = trackerParameter
  } else {
    return undefined
  }
  const direct = callsTo(fn, composeFunction)
  for (const call of direct)
    if (call.getArguments().length < 3) edits.push(argumentEdit(text, call, trackerExpression, style))
  const viaLayer = callsTo(fn, "createJobsRuntimeFromLayer").filter((call) => call.getArguments().length >= 2)
  for (const call of viaLayer) {
    if (call.getArguments().length === 2)
      edits.push(argumentEdit(text, call, `{ tracker: ${trackerExpression} }`, style))
  }
  return direct.length + viaLayer.length === 0 ? undefined : edits
}

/** A name not yet used in a function: `wanted`, else `trackingWanted`. */
const freeNameIn = (fn: Node, wanted: string): string => {
  const taken = new Set(fn.getDescendantsOfKind(SyntaxKind.Identifier).map((identifier) => identifier.getText()))
  return taken.has(wanted) ? `tracking${wanted[0]!.toUpperCase()}${wanted.slice(1)}` : wanted
}

/**
 * The `tracker` member of JobsRuntimeConfig. It admits `undefined` explicitly, so that an
 * engine can pass an absent option on under `exactOptionalPropertyTypes` too.
 */
const configMemberEdit = (
  file: SourceFile,
  text: string,
  style: CodeStyle,
  trackerParameter: string
): TextEdit | "exists" | undefined => {
  const declaration = file.getInterface("JobsRuntimeConfig")
  const typeLiteral = file.getTypeAlias("JobsRuntimeConfig")?.getTypeNode()
  const container =
    declaration ?? (typeLiteral !== undefined && Node.isTypeLiteral(typeLiteral) ? typeLiteral : undefined)
  if (container === undefined) return undefined
  if (container.getProperty(trackerParameter) !== undefined) return "exists"
  const members = container.getMembers()
  const last = members.at(-1)
  const docs = members.flatMap((member) => member.getJsDocs())
  const multilineDocs = docs.some((doc) => doc.getText().includes("\n"))
  const memberText = last?.getText() ?? ""
  const separator = memberText.endsWith(";")
    ? ";"
    : memberText.endsWith(",")
      ? ","
      : style.semicolons && last === undefined
        ? ";"
        : ""
  const previous = members.at(-2)
  const blankLineBetween =
    previous !== undefined &&
    last !== undefined &&
    /\n[ \t]*\r?\n/.test(text.slice(previous.getEnd(), last.getStart(true)))
  const openBrace = container.getFirstChildByKindOrThrow(SyntaxKind.OpenBraceToken)
  const indent =
    last !== undefined
      ? lineIndentAt(text, last.getStart(true))
      : lineIndentAt(text, openBrace.getStart()) + style.indent
  const nl = style.newline
  const doc = multilineDocs
    ? `${indent}/**${nl}${indent} * Where job events go. Leave it out and nothing is tracked: the runtime behaves as before.${nl}` +
      `${indent} * An HTTP batch tracker config sends events to its endpoint; a Layer providing EventTracker${nl}` +
      `${indent} * (such as the in-memory tracker in tests) is used as given.${nl}${indent} */${nl}`
    : `${indent}/** Where job events go (an HTTP batch tracker config, an EventTracker layer or a tracker); absent: no tracking. */${nl}`
  const member = `${doc}${indent}readonly ${trackerParameter}?: TrackerOption | undefined${separator}`
  if (last === undefined) return insertAt(openBrace.getEnd(), `${nl}${member}${nl}`)
  return insertAt(last.getEnd(), `${nl}${blankLineBetween ? nl : ""}${member}`)
}

/** The indentation of the block's statements, or one step in from the brace of an empty block. */
const firstStatementIndent = (text: string, body: Node, style: CodeStyle): string => {
  const first = Node.isBlock(body) ? body.getStatements()[0] : undefined
  return first !== undefined ? lineIndentAt(text, first.getStart()) : lineIndentAt(text, body.getStart()) + style.indent
}

/** The extension the file's relative imports carry (`.js`, `.ts` or none). */
const importExtension = (imports: Map<string, ImportedBinding>): string => {
  const relative = [...imports.values()].map((binding) => binding.module).filter((module) => module.startsWith("."))
  const withExtension = relative.filter((module) => /\.(js|ts|mjs|mts)$/.test(module))
  if (withExtension.length === 0 || withExtension.length * 2 < relative.length) return ""
  return /\.(\w+)$/.exec(withExtension[0]!)![0]
}

const uniqueName = (file: SourceFile, wanted: string): string => {
  const taken = new Set(file.getDescendantsOfKind(SyntaxKind.Identifier).map((identifier) => identifier.getText()))
  let name = wanted
  for (let n = 2; taken.has(name); n++) name = `${wanted}${n}`
  return name
}
