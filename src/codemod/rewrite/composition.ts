import { Node, SyntaxKind } from "../source/tsMorph.js"
import type { Block, CallExpression, Expression, Identifier } from "ts-morph"
import { knownServiceLayers } from "../../jobs/knownLayers.js"
import type { ImportedBinding } from "../source/syntax.js"

/** A jobs service layer at the head of a provide chain. */
export interface LayerHead {
  readonly node: Identifier
  readonly binding: ImportedBinding
  /** Whether one of the layers provided to it carries the core layer, and so the tracker. */
  readonly underTracker: boolean
}

export interface CompositionAnalysis {
  /** The known service layers heading provide chains, by exported name, in source order. */
  readonly heads: ReadonlyMap<string, ReadonlyArray<LayerHead>>
  /** Heads of provide chains that are not known service layers. */
  readonly others: ReadonlyArray<{ readonly layer: string; readonly line: number }>
  /** Whether a layer expression's outputs include what the core layer provides (the tracker). */
  readonly carriesCore: (expression: Node | undefined) => boolean
}

interface Composition {
  readonly head: Expression
  readonly steps: ReadonlyArray<{ readonly merges: boolean; readonly dependencies: ReadonlyArray<Node> }>
}

/**
 * Reads a layer composition by what the code is: `X.pipe(Layer.provideMerge(a), ...)`,
 * `pipe(X, Layer.provide(b))` and the data-first `Layer.provideMerge(X, a)`, whatever `Layer`,
 * `pipe` and the layers are called locally. It follows which locals carry the core layer:
 * `provideMerge` and `merge` pass their dependencies' outputs on, `provide` does not.
 */
export const analyseComposition = (
  body: Block,
  coreName: string,
  imports: ReadonlyMap<string, ImportedBinding>
): CompositionAnalysis => {
  const layerNamespaces = new Set(
    [...imports.values()]
      .filter(
        (binding) =>
          (binding.module === "effect" && binding.imported === "Layer") ||
          (binding.module === "effect/Layer" && binding.imported === "*")
      )
      .map((binding) => binding.local)
  )
  const layerFunction = (call: CallExpression): string | undefined => {
    const callee = call.getExpression()
    if (Node.isPropertyAccessExpression(callee)) {
      const target = callee.getExpression()
      return Node.isIdentifier(target) && layerNamespaces.has(target.getText()) ? callee.getName() : undefined
    }
    if (Node.isIdentifier(callee)) {
      const binding = imports.get(callee.getText())
      return binding?.module === "effect/Layer" ? binding.imported : undefined
    }
    return undefined
  }
  const isPipeFunction = (callee: Node): boolean => {
    if (!Node.isIdentifier(callee)) return false
    const binding = imports.get(callee.getText())
    return (
      binding !== undefined &&
      binding.imported === "pipe" &&
      (binding.module === "effect" || binding.module === "effect/Function")
    )
  }

  // Which expressions have the tracker among their outputs once the core layer carries it.
  const trackedLocals = new Set<string>([coreName])
  const carriesCore = (expression: Node | undefined): boolean => {
    if (expression === undefined) return false
    if (
      Node.isParenthesizedExpression(expression) ||
      Node.isAsExpression(expression) ||
      Node.isSatisfiesExpression(expression)
    ) {
      return carriesCore(expression.getExpression())
    }
    if (Node.isIdentifier(expression)) return trackedLocals.has(expression.getText())
    if (Node.isArrayLiteralExpression(expression)) return expression.getElements().some(carriesCore)
    if (!Node.isCallExpression(expression)) return false
    const composition = compositionOf(expression)
    if (composition !== undefined) {
      let tracked = carriesCore(composition.head)
      for (const step of composition.steps) if (step.merges && step.dependencies.some(carriesCore)) tracked = true
      return tracked
    }
    const fn = layerFunction(expression)
    if (fn === "merge" || fn === "mergeAll") return expression.getArguments().some(carriesCore)
    return false
  }

  const provideStep = (call: Node, dataFirst: boolean) => {
    if (!Node.isCallExpression(call)) return undefined
    const fn = layerFunction(call)
    if (fn !== "provide" && fn !== "provideMerge") return undefined
    const args = call.getArguments()
    if (args.length !== (dataFirst ? 2 : 1)) return undefined
    const dependency = args[args.length - 1]!
    const dependencies = Node.isArrayLiteralExpression(dependency) ? dependency.getElements() : [dependency]
    return { merges: fn === "provideMerge", dependencies }
  }
  const compositionOf = (call: CallExpression): Composition | undefined => {
    const callee = call.getExpression()
    const args = call.getArguments()
    let head: Node | undefined
    let operations: ReadonlyArray<Node> = []
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === "pipe") {
      head = callee.getExpression()
      operations = args
    } else if (isPipeFunction(callee) && args.length >= 2) {
      head = args[0]
      operations = args.slice(1)
    } else {
      const step = provideStep(call, true)
      return step === undefined ? undefined : { head: args[0] as Expression, steps: [step] }
    }
    const steps = operations.map((operation) => provideStep(operation, false)).filter((step) => step !== undefined)
    return steps.length === 0 || head === undefined ? undefined : { head: head as Expression, steps }
  }

  for (const declaration of body.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    if (carriesCore(declaration.getInitializer())) trackedLocals.add(declaration.getName())
  }

  // The service layers at the head of a provide chain, found by what they are.
  const heads = new Map<string, Array<LayerHead>>()
  const others: Array<{ layer: string; line: number }> = []
  for (const call of body.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const composition = compositionOf(call)
    if (composition === undefined) continue
    const head = composition.head
    if (!Node.isIdentifier(head)) continue
    const binding = imports.get(head.getText())
    if (binding === undefined || binding.typeOnly || !knownServiceLayers.has(binding.imported)) {
      others.push({ layer: head.getText(), line: head.getStartLineNumber() })
      continue
    }
    const underTracker = composition.steps.some((step) => step.dependencies.some(carriesCore))
    heads.set(binding.imported, [...(heads.get(binding.imported) ?? []), { node: head, binding, underTracker }])
  }
  return { heads, others, carriesCore }
}
