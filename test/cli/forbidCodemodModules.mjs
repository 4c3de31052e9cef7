// Registered with `node --import` in a child process: any attempt to load ts-morph or the
// TypeScript compiler fails, so a command that runs to completion provably did without them.
import { register } from "node:module"

register("./forbidCodemodModulesHooks.mjs", import.meta.url)
