const forbidden = /^(ts-morph|typescript|@ts-morph\/common)(\/|$)/

export async function resolve(specifier, context, nextResolve) {
  if (forbidden.test(specifier)) throw new Error(`forbidden module loaded: ${specifier}`)
  return nextResolve(specifier, context)
}
