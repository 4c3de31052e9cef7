import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    // The fixture imports its core as a package, and tests (and codemodded copies of the
    // fixture) import this library by its published name: both resolve to source here.
    alias: [
      { find: /^@durable-effect\/core$/, replacement: here("./test/fixtures/core/index.ts") },
      { find: /^durable-effect-tracking\/codemod$/, replacement: here("./src/codemod/index.ts") },
      { find: /^durable-effect-tracking\/otel$/, replacement: here("./src/sinks/otel/index.ts") },
      { find: /^durable-effect-tracking$/, replacement: here("./src/index.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Every temp file of the run under one directory; the run fails if a test leaves one behind.
    globalSetup: ["./test/support/globalSetup.ts"],
    // Hang guards, not speed limits: a busy machine may only make a test slower, never fail it
    // (on 2 cores shared 14 ways, a test that takes 10 s alone took 140 s).
    testTimeout: 600_000,
    hookTimeout: 600_000
  }
})
