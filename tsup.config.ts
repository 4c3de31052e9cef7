import { defineConfig } from "tsup"

export default defineConfig([
  {
    // The runtime entry runs inside a Worker: platform neutral, no Node built-ins.
    // The OpenTelemetry tracker is a subpath of its own: the main entry never loads @opentelemetry.
    entry: { index: "src/index.ts", "otel/index": "src/sinks/otel/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    platform: "neutral",
    target: "es2022",
    clean: true,
    sourcemap: true,
    external: ["effect", "@opentelemetry/api", "@opentelemetry/api-logs"]
  },
  {
    entry: { "codemod/index": "src/codemod/index.ts", "cli/main": "src/cli/main.ts" },
    format: ["esm", "cjs"],
    dts: { entry: { "codemod/index": "src/codemod/index.ts" } },
    platform: "node",
    target: "node20",
    sourcemap: true,
    external: ["effect", "ts-morph", "diff", "tsx"]
  }
])
