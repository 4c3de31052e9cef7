// Registered with `node --import` in a child process: any attempt to load ts-morph or the
// TypeScript compiler fails, so a command that runs to completion provably did without them.
// The hooks see `import`s; `require` (how the codemod loads ts-morph) is guarded here.
import Module, { register } from "node:module"
import { forbiddenModule } from "./forbidCodemodModulesHooks.mjs"

register("./forbidCodemodModulesHooks.mjs", import.meta.url)

const resolveFilename = Module._resolveFilename
Module._resolveFilename = function (request, ...rest) {
  if (forbiddenModule.test(request)) throw new Error(`forbidden module loaded: ${request}`)
  return resolveFilename.call(this, request, ...rest)
}
