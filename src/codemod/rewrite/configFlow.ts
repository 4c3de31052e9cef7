import { Node, SyntaxKind } from "../source/tsMorph.js"
import type { ClassDeclaration, FunctionDeclaration, SourceFile } from "ts-morph"
import { applyEdits, insertAt, type TextEdit } from "../source/edits.js"
import { parseSource } from "../source/sourceFiles.js"
import { detectStyle, quoted, semi, type CodeStyle } from "../source/style.js"
import { appendToList, lineIndentAt, parenthesesOf } from "../source/syntax.js"

/** The env key the bound engine class hands the tracker option over in (as the real package does). */
export const trackerEnvKey = "__TRACKER_CONFIG__"
const registryEnvKey = "__JOB_REGISTRY__"

export interface SourceText {
  /** Relative to the package directory, `/` separated. */
  readonly path: string
  readonly text: string
}

export interface ConfigFlowRewrite {
  /** New texts of the files that change. */
  readonly files: ReadonlyArray<SourceText>
  readonly changes: ReadonlyArray<string>
  readonly todo: ReadonlyArray<string>
}

/**
 * Threads the tracker option from `createDurableJobs(definitions, { tracker })` through the
 * bound engine class's env (`__TRACKER_CONFIG__`, next to `__JOB_REGISTRY__`) into the engine's
 * `createJobsRuntime({ ..., tracker })`, as far as the package has these pieces. Each piece is
 * found by what it is (the call, the interface, the class), in whichever file holds it.
 */
export const rewriteConfigFlow = (sources: ReadonlyArray<SourceText>, importFrom: string): ConfigFlowRewrite => {
  const parsed = sources.map((source) => ({
    ...source,
    file: parseSource(source.path, source.text),
    style: detectStyle(source.text)
  }))
  const edits = new Map<string, Array<TextEdit>>()
  const typeImportNeeded = new Set<string>()
  const changes: Array<string> = []
  const todo: Array<string> = []
  const add = (path: string, ...more: ReadonlyArray<TextEdit>) => edits.set(path, [...(edits.get(path) ?? []), ...more])

  // The engine: createJobsRuntime({ doState, registry: env.__JOB_REGISTRY__ }).
  let engineFound = false
  for (const { path, file, text } of parsed) {
    for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      if (call.getExpression().getText() !== "createJobsRuntime") continue
      const config = call.getArguments()[0]
      if (config === undefined || !Node.isObjectLiteralExpression(config)) continue
      // Each piece is judged on its own: one already wired does not mean the others are.
      if (config.getProperty("tracker") !== undefined) {
        engineFound = true
        continue
      }
      const registry = config.getProperty("registry")
      const value =
        registry !== undefined && Node.isPropertyAssignment(registry) ? registry.getInitializer() : undefined
      if (value === undefined || !Node.isPropertyAccessExpression(value) || value.getName() !== registryEnvKey) continue
      const braces = {
        open: config.getFirstChildByKindOrThrow(SyntaxKind.OpenBraceToken),
        close: config.getLastChildByKindOrThrow(SyntaxKind.CloseBraceToken)
      }
      add(
        path,
        appendToList(
          text,
          config.getProperties(),
          braces.open,
          braces.close,
          `tracker: ${value.getExpression().getText()}.${trackerEnvKey}`,
          detectStyle(text).newline
        )
      )
      engineFound = true
      changes.push(
        `${path}: the Durable Object engine reads the tracker option from its env (\`env.${trackerEnvKey}\`, which createDurableJobs sets) and passes it to createJobsRuntime as \`tracker\``
      )
    }
  }
  if (!engineFound) {
    todo.push(
      "no `createJobsRuntime({ ..., registry: env.__JOB_REGISTRY__ })` found in the engine: pass `tracker` to createJobsRuntime where the Durable Object builds its runtime"
    )
    return { files: [], changes, todo }
  }

  // The engine's env type gains the optional tracker.
  const engineConfig = parsed.find(
    ({ file }) => file.getInterface("JobsEngineConfig")?.getProperty(registryEnvKey) !== undefined
  )
  if (engineConfig?.file.getInterfaceOrThrow("JobsEngineConfig").getProperty(trackerEnvKey) !== undefined) {
    // Declared already.
  } else if (engineConfig === undefined) {
    todo.push(
      `no JobsEngineConfig interface with ${registryEnvKey} found: declare \`${trackerEnvKey}?: TrackerOption\` on the engine's env type`
    )
  } else {
    const declaration = engineConfig.file.getInterfaceOrThrow("JobsEngineConfig")
    const last = declaration.getMembers().at(-1)!
    const indent = lineIndentAt(engineConfig.text, last.getStart(true))
    const separator = /[;,]$/.test(last.getText()) ? last.getText().slice(-1) : ""
    add(
      engineConfig.path,
      insertAt(
        last.getEnd(),
        `${engineConfig.style.newline}${indent}/** The tracker option of createDurableJobs, resolved against the env. */` +
          `${engineConfig.style.newline}${indent}readonly ${trackerEnvKey}?: TrackerOption | undefined${separator}`
      )
    )
    typeImportNeeded.add(engineConfig.path)
    changes.push(
      `${engineConfig.path}: the engine's env type, JobsEngineConfig, declares the optional \`${trackerEnvKey}\` field that carries the tracker option to the engine`
    )
  }

  // The factory: createDurableJobs(definitions) gains `options?: CreateDurableJobsOptions`.
  const factory = parsed.find(({ file }) => file.getFunction("createDurableJobs") !== undefined)
  const factoryFunction = factory?.file.getFunction("createDurableJobs")
  const factoryWired =
    factory?.file.getInterface("CreateDurableJobsOptions") !== undefined &&
    factoryFunction
      ?.getDescendantsOfKind(SyntaxKind.ObjectLiteralExpression)
      .some((literal) => literal.getProperty(trackerEnvKey) !== undefined) === true
  if (factoryWired) {
    // createDurableJobs takes the tracker option already.
  } else if (factory === undefined || factoryFunction === undefined) {
    todo.push(
      `no createDurableJobs function found: set \`${trackerEnvKey}\` in the env your engine class gets to pass a tracker`
    )
  } else if (
    factoryFunction.getParameters().length !== 1 ||
    factory.file.getInterface("CreateDurableJobsOptions") !== undefined
  ) {
    todo.push(
      `${factory.path}: createDurableJobs already takes options: add \`tracker\` to them and set \`${trackerEnvKey}\` in the engine's env by hand`
    )
  } else {
    const bound = boundEngineClass(factoryFunction)
    const constructor = bound?.getConstructors()[0]
    const envName = constructor?.getParameters()[1]?.getName()
    const envObject = constructor
      ?.getDescendantsOfKind(SyntaxKind.ObjectLiteralExpression)
      .find((literal) => literal.getProperty(registryEnvKey) !== undefined)
    if (envObject === undefined || envName === undefined) {
      todo.push(
        `${factory.path}: no engine class with an env carrying ${registryEnvKey} in createDurableJobs: set \`${trackerEnvKey}\` in the engine's env by hand`
      )
    } else {
      const { text, style } = factory
      const nl = style.newline
      const parentheses = parenthesesOf(factoryFunction)!
      // The env is the worker's own, typed by the caller: `tracker: (env: Env) => ...` infers it.
      const trackerValue =
        `typeof options?.tracker === "function" ? options.tracker(${envName} as Env) : options?.tracker`.replaceAll(
          '"',
          style.quote
        )
      const braces = {
        open: envObject.getFirstChildByKindOrThrow(SyntaxKind.OpenBraceToken),
        close: envObject.getLastChildByKindOrThrow(SyntaxKind.CloseBraceToken)
      }
      add(
        factory.path,
        insertAt(declarationStart(factoryFunction), optionsInterface(style)),
        ...envTypeParameter(factoryFunction),
        appendToList(
          text,
          factoryFunction.getParameters(),
          parentheses.open,
          parentheses.close,
          "options?: CreateDurableJobsOptions<Env>",
          nl
        ),
        appendToList(
          text,
          envObject.getProperties(),
          braces.open,
          braces.close,
          `${trackerEnvKey}: ${trackerValue}`,
          nl
        )
      )
      typeImportNeeded.add(factory.path)
      changes.push(
        `${factory.path}: createDurableJobs(definitions, { tracker }) takes a tracker option (an HTTP batch tracker config, a tracker layer or a tracker), or a function of the worker's env that returns one, and hands it to every Durable Object it creates`
      )
    }
  }

  for (const path of typeImportNeeded) {
    const source = parsed.find((entry) => entry.path === path)!
    add(path, importEdit(source.file, source.style, importFrom))
  }

  const files = parsed
    .filter(({ path }) => edits.has(path))
    .map(({ path, text }) => ({ path, text: applyEdits(text, edits.get(path)!) }))
  return { files, changes, todo }
}

/** The class in `createDurableJobs` that binds the registry: it extends the engine. */
const boundEngineClass = (scope: Node): ClassDeclaration | undefined =>
  scope.getDescendantsOfKind(SyntaxKind.ClassDeclaration).find((declaration) => declaration.getExtends() !== undefined)

/** Where a declaration starts, comments above it included (an insert before it goes above them). */
const declarationStart = (node: Node): number => node.getLeadingCommentRanges()[0]?.getPos() ?? node.getStart(true)

/** `createDurableJobs<Env = unknown>(...)`: the factory learns the env's type from its tracker function. */
const envTypeParameter = (factory: FunctionDeclaration): Array<TextEdit> => {
  const name = factory.getNameNode()
  const typeParameters = factory.getTypeParameters()
  if (name === undefined) return []
  if (typeParameters.length === 0) return [insertAt(name.getEnd(), "<Env = unknown>")]
  return [insertAt(typeParameters.at(-1)!.getEnd(), ", Env = unknown")]
}

const optionsInterface = (style: CodeStyle): string => {
  const nl = style.newline
  const i = style.indent
  return [
    "/** Options of createDurableJobs. */",
    "export interface CreateDurableJobsOptions<Env = unknown> {",
    `${i}/**`,
    `${i} * Where job events go: an HTTP batch tracker config, an EventTracker layer or a tracker, or a`,
    `${i} * function of the worker's env that returns one (endpoints and secrets usually live there).`,
    `${i} * Leave it out and nothing is tracked.`,
    `${i} */`,
    `${i}readonly tracker?: TrackerOption | ((env: Env) => TrackerOption | undefined)${semi(style)}`,
    "}",
    "",
    ""
  ].join(nl)
}

const importEdit = (file: SourceFile, style: CodeStyle, importFrom: string): TextEdit => {
  const line = `import type { TrackerOption } from ${quoted(style, importFrom)}${semi(style)}`
  const last = file.getImportDeclarations().at(-1)
  return last === undefined ? insertAt(0, line + style.newline) : insertAt(last.getEnd(), style.newline + line)
}
