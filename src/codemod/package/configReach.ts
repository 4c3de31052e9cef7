import { Node, Project, SyntaxKind, ts } from "../source/tsMorph.js"
import type { CallExpression, Identifier, SourceFile, Symbol as MorphSymbol } from "ts-morph"
import { importedBindings } from "../source/syntax.js"

// Whether the tracker config a user gives at each public entry of a jobs package reaches the
// tracker under its composition. The flow is followed by symbol (what a name is bound to, across
// files through the imports), never by how the code reads: a parameter called `tracker` that
// nothing reads does not count.

/** One hop of the flow: what carries the config, and where. */
export interface ReachLink {
  readonly what: string
  readonly file: string
  readonly line: number
}

export interface EntryReach {
  /** The public entry, as a user calls it. */
  readonly entry: string
  readonly reaches: boolean
  /** The hops the config takes, as far as it gets. */
  readonly path: ReadonlyArray<ReachLink>
  /** Where the flow stops, when it does not reach the tracker. */
  readonly broken: (ReachLink & { readonly detail: string }) | undefined
}

export interface ConfigReach {
  readonly entries: ReadonlyArray<EntryReach>
  /** Every entry the package has reaches the tracker. */
  readonly ok: boolean
}

/** The tracker at the bottom: this library's `addTracker`, or upstream core's tracker layer. */
const trackerSinks = new Set(["addTracker", "resolveTrackerLayer", "HttpBatchTrackerLayer"])
const envKey = "__TRACKER_CONFIG__"

/** What carries the config: a variable or parameter, or one member of it. */
interface Carrier {
  readonly symbol: MorphSymbol
  readonly member: string | undefined
}

type FunctionNode = Node & { getParameters(): Array<Node & { getNameNode(): Node }> }

/**
 * Follows the tracker config from `createDurableJobs(definitions, { tracker })`, the engine's
 * `createJobsRuntime({ ... })` and `createJobsRuntimeFromLayer(core, registry, ...)` (and the
 * workflow package's `createDurableWorkflows(workflows, { tracker })`) to the tracker of the
 * composition. `sources` are the package's files (paths relative to the package,
 * `/` separated); they are parsed together, in memory, so that imports between them resolve.
 */
export const checkConfigReach = (
  sources: ReadonlyArray<{ readonly path: string; readonly text: string }>
): ConfigReach => {
  const project = new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    compilerOptions: {
      noLib: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      noEmit: true
    }
  })
  const files = sources.map((source) =>
    project.createSourceFile(`/package/${source.path}`, source.text, { overwrite: true })
  )
  const display = (node: Node) =>
    node
      .getSourceFile()
      .getFilePath()
      .replace(/^\/package\//, "")
  const link = (what: string, node: Node): ReachLink => ({ what, file: display(node), line: node.getStartLineNumber() })

  const findFunction = (name: string): FunctionNode | undefined => {
    for (const file of files) {
      const declaration = file.getFunction(name)
      if (declaration !== undefined) return declaration
      const initializer = file.getVariableDeclaration(name)?.getInitializer()
      if (initializer !== undefined && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer)))
        return initializer
    }
    return undefined
  }
  const symbolOf = (node: Node): MorphSymbol | undefined => {
    const symbol = node.getSymbol()
    return symbol?.isAlias() === true ? symbol.getAliasedSymbol() : symbol
  }
  const calleeFunction = (call: CallExpression): FunctionNode | undefined => {
    const declaration = symbolOf(call.getExpression())?.getDeclarations()[0]
    if (declaration === undefined) return undefined
    if (Node.isFunctionDeclaration(declaration)) return declaration
    const initializer = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined
    return initializer !== undefined && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer))
      ? initializer
      : undefined
  }
  const calleeName = (call: CallExpression, file: SourceFile): string | undefined => {
    const callee = call.getExpression()
    if (!Node.isIdentifier(callee)) return undefined
    return importedBindings(file).get(callee.getText())?.imported ?? callee.getText()
  }
  /** Whether an expression reads the carrier (anywhere in it: `options?.tracker`, a conditional, ...). */
  const reads = (expression: Node, carrier: Carrier): boolean =>
    [expression, ...expression.getDescendants()].some((node) => {
      if (carrier.member === undefined) return Node.isIdentifier(node) && node.getSymbol() === carrier.symbol
      if (Node.isPropertyAccessExpression(node))
        return node.getName() === carrier.member && node.getExpression().getSymbol() === carrier.symbol
      // A destructured member: `({ tracker }) => ...` binds a symbol of its own.
      return false
    })
  const parameterCarrier = (fn: FunctionNode, index: number, member: string | undefined): Carrier | undefined => {
    const parameter = fn.getParameters()[index]
    if (parameter === undefined) return undefined
    const name = parameter.getNameNode()
    if (Node.isIdentifier(name)) {
      const symbol = name.getSymbol()
      return symbol === undefined ? undefined : { symbol, member }
    }
    if (Node.isObjectBindingPattern(name) && member !== undefined) {
      const element = name
        .getElements()
        .find((candidate) => (candidate.getPropertyNameNode()?.getText() ?? candidate.getName()) === member)
      const symbol = (element?.getNameNode() as Identifier | undefined)?.getSymbol()
      return symbol === undefined ? undefined : { symbol, member: undefined }
    }
    return undefined
  }

  /** Follows a carrier through the calls of a function, into the package's functions, down to a tracker. */
  const follow = (fn: FunctionNode, carrier: Carrier, what: string, depth: number): Omit<EntryReach, "entry"> => {
    const here = link(what, fn)
    if (depth > 6)
      return { reaches: false, path: [here], broken: { ...here, detail: "the flow is too deep to follow" } }
    const file = fn.getSourceFile()
    let deadEnd: Omit<EntryReach, "entry"> | undefined
    for (const call of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const args = call.getArguments()
      for (const [index, argument] of args.entries()) {
        let member: string | undefined
        let carried = false
        if (Node.isObjectLiteralExpression(argument)) {
          for (const property of argument.getProperties()) {
            if (Node.isPropertyAssignment(property) && reads(property.getInitializerOrThrow(), carrier)) {
              member = property.getName()
              carried = true
            }
          }
        } else carried = reads(argument, carrier)
        if (!carried) continue
        const name = calleeName(call, file)
        if (name !== undefined && trackerSinks.has(name)) {
          return { reaches: true, path: [here, link(`${name}(...) takes it`, call)], broken: undefined }
        }
        const callee = calleeFunction(call)
        if (callee === undefined) continue
        const next = parameterCarrier(callee, index, member)
        const calleeLabel = `${call.getExpression().getText()}(...) argument ${index + 1}${member === undefined ? "" : ` (${member})`}`
        if (next === undefined) {
          deadEnd ??= {
            reaches: false,
            path: [here],
            broken: {
              ...link(calleeLabel, call),
              detail: `${call.getExpression().getText()} has no parameter ${index + 1} to take it`
            }
          }
          continue
        }
        const result = follow(callee, next, calleeLabel, depth + 1)
        if (result.reaches) return { ...result, path: [here, ...result.path] }
        deadEnd ??= { ...result, path: [here, ...result.path] }
      }
    }
    return (
      deadEnd ?? {
        reaches: false,
        path: [here],
        broken: {
          ...here,
          detail: `${carrier.member === undefined ? carrier.symbol.getName() : `${carrier.symbol.getName()}.${carrier.member}`} is not passed on to any tracker here`
        }
      }
    )
  }

  const entries: Array<EntryReach> = []
  // The engine: createJobsRuntime({ ..., <P>: env.__TRACKER_CONFIG__ }).
  const engineCalls = files.flatMap((file) =>
    file.getDescendantsOfKind(SyntaxKind.CallExpression).flatMap((call) => {
      const config = call.getArguments()[0]
      if (
        call.getExpression().getText() !== "createJobsRuntime" ||
        config === undefined ||
        !Node.isObjectLiteralExpression(config)
      )
        return []
      return config
        .getProperties()
        .flatMap((property) =>
          Node.isPropertyAssignment(property) &&
          Node.isPropertyAccessExpression(property.getInitializerOrThrow()) &&
          property.getInitializerOrThrow().asKindOrThrow(SyntaxKind.PropertyAccessExpression).getName() === envKey
            ? [{ call, member: property.getName() }]
            : []
        )
    })
  )
  const runtimeFactory = findFunction("createJobsRuntime")
  const fromEngine = (prefix: ReadonlyArray<ReachLink>): Omit<EntryReach, "entry"> => {
    const engine = engineCalls[0]
    if (engine === undefined || runtimeFactory === undefined) {
      const at = prefix.at(-1)!
      return {
        reaches: false,
        path: prefix,
        broken: { ...at, detail: `no createJobsRuntime({ ...: env.${envKey} }) passes the engine's env on` }
      }
    }
    // Each property the engine fills from the env must reach the tracker.
    const results = engineCalls.map(({ call, member }) => {
      const carrier = parameterCarrier(runtimeFactory, 0, member)
      const hop = link(`createJobsRuntime({ ${member}: env.${envKey} })`, call)
      if (carrier === undefined)
        return {
          reaches: false,
          path: [...prefix, hop],
          broken: { ...hop, detail: "createJobsRuntime takes no config" }
        }
      const result = follow(runtimeFactory, carrier, `createJobsRuntime reads config.${member}`, 0)
      return { ...result, path: [...prefix, hop, ...result.path] }
    })
    return results.find((result) => !result.reaches) ?? results[0]!
  }

  const factory = findFunction("createDurableJobs")
  if (factory !== undefined && factory.getParameters().length >= 2) {
    const carrier = parameterCarrier(factory, 1, "tracker")
    const envProperty = factory
      .getDescendantsOfKind(SyntaxKind.PropertyAssignment)
      .find(
        (property) =>
          property.getName() === envKey && carrier !== undefined && reads(property.getInitializerOrThrow(), carrier)
      )
    const start = link("createDurableJobs(definitions, { tracker })", factory)
    entries.push(
      envProperty === undefined
        ? {
            entry: "createDurableJobs",
            reaches: false,
            path: [start],
            broken: { ...start, detail: `options.tracker is not put in the engine's env as ${envKey}` }
          }
        : { entry: "createDurableJobs", ...fromEngine([start, link(`env.${envKey} = options.tracker`, envProperty)]) }
    )
  }
  if (runtimeFactory !== undefined && engineCalls.length > 0) {
    entries.push({ entry: "createJobsRuntime", ...fromEngine([]) })
  }
  const layerFactory = findFunction("createJobsRuntimeFromLayer")
  if (layerFactory !== undefined) {
    const parameters = layerFactory.getParameters()
    const index = parameters.length - 1
    const last = parameters[index]
    const start = link("createJobsRuntimeFromLayer(core, registry, ...)", layerFactory)
    if (index < 2 || last === undefined) {
      entries.push({
        entry: "createJobsRuntimeFromLayer",
        reaches: false,
        path: [start],
        broken: { ...start, detail: "it takes no tracker: a runtime built from a layer cannot be tracked" }
      })
    } else {
      // `trackerConfig?: ...` itself, or `options?: { tracker? }`.
      const member = /tracker/i.test(last.getNameNode().getText()) ? undefined : "tracker"
      const carrier = parameterCarrier(layerFactory, index, member)
      entries.push({
        entry: "createJobsRuntimeFromLayer",
        ...(carrier === undefined
          ? { reaches: false, path: [start], broken: { ...start, detail: "its last parameter cannot be followed" } }
          : follow(layerFactory, carrier, "createJobsRuntimeFromLayer(core, registry, ...)", 0))
      })
    }
  }
  // The workflow engine: createDurableWorkflows(workflows, { tracker }).
  const workflows = findFunction("createDurableWorkflows")
  if (workflows !== undefined && workflows.getParameters().length >= 2) {
    const carrier = parameterCarrier(workflows, 1, "tracker")
    const what = "createDurableWorkflows(workflows, { tracker })"
    const start = link(what, workflows)
    entries.push({
      entry: "createDurableWorkflows",
      ...(carrier === undefined
        ? { reaches: false, path: [start], broken: { ...start, detail: "its options parameter cannot be followed" } }
        : follow(workflows, carrier, what, 0))
    })
  }
  return { entries, ok: entries.every((entry) => entry.reaches) }
}

/** One line per broken entry, for summaries and todo lists. */
export const brokenReachLines = (reach: ConfigReach): Array<string> =>
  reach.entries
    .filter((entry) => !entry.reaches)
    .map(
      (entry) =>
        `the tracker config given to ${entry.entry} never reaches the tracker: ${entry.broken?.detail ?? "it stops"}` +
        (entry.broken === undefined ? "" : ` (${entry.broken.file}:${entry.broken.line})`)
    )
