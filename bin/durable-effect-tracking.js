#!/usr/bin/env node
// Thin launcher: the CLI itself is built from src/cli/ into dist/.
import("../dist/cli/main.js").catch((error) => {
  if (error && error.code === "ERR_MODULE_NOT_FOUND") {
    console.error("durable-effect-tracking: the CLI is not built yet; run `npm run build` first.")
    process.exit(2)
  }
  throw error
})
