export const forbiddenModule = /^(ts-morph|typescript|@ts-morph\/common)(\/|$)/

export async function resolve(specifier, context, nextResolve) {
  if (forbiddenModule.test(specifier)) throw new Error(`forbidden module loaded: ${specifier}`)
  return nextResolve(specifier, context)
}
