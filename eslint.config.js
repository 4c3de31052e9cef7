// ESLint (`npm run lint`, part of `npm test`): rules that keep the tree's structure, not style
// (Prettier formats). What each rule holds:
// - import-x/no-restricted-paths: the boundaries between rooms (imports resolved to files, so
//   `../../jobs/x.js` and a tsconfig path are judged alike).
// - import-x/no-duplicates: one import per module (a separate `import type` is allowed).
// - local/file-cycles: no import cycle between files, type imports included.
// - local/folder-cycles: no cycle between folders of `src/`, at any depth.
// - no-restricted-syntax: the generic rooms name nothing of the jobs package (its event types,
//   job fields, event and context types, maps).
// The local rules are in `scripts/eslint/`.
import { defineConfig } from "eslint/config"
import importX, { createNodeResolver } from "eslint-plugin-import-x"
import tseslint from "typescript-eslint"
import local from "./scripts/eslint/plugin.js"

/** The generic mechanism: knows no jobs package, no codemod, no CLI. */
const generic = ["src/event", "src/tracker", "src/delivery", "src/sinks", "src/instrument", "src/internal"]

const zones = [
  {
    target: generic,
    from: ["src/jobs", "src/workflow", "src/codemod", "src/cli"],
    message:
      "The generic mechanism (event, tracker, delivery, sinks, instrument, internal) knows no jobs or workflow package, codemod or CLI."
  },
  {
    // Each package's knowledge stands on the generic mechanism alone: tracking one package never
    // loads the other's.
    target: "src/workflow",
    from: ["src/jobs", "src/codemod", "src/cli"],
    message: "What knows the workflow package imports nothing of the jobs package, the codemod or the CLI."
  },
  {
    target: "src/jobs",
    from: "src/workflow",
    message: "What knows the jobs package imports nothing of the workflow package."
  },
  {
    target: "src/event",
    from: ["src/tracker", "src/delivery", "src/sinks", "src/instrument", "src/jobs", "src/codemod", "src/cli"],
    message:
      "The event schema stands on its own: it imports no tracker, delivery, sink, instrument, jobs, codemod or CLI."
  },
  {
    target: "src/delivery",
    from: "src/sinks",
    message: "The delivery engine knows no sink: the sinks are built on it."
  },
  {
    target: "src/codemod",
    from: "src/cli",
    message:
      "The CLI imports the codemod, never the other way: the codemod is also a library (durable-effect-tracking/codemod)."
  },
  {
    target: "src",
    from: ["test", "bench", "examples"],
    message: "The library imports nothing of its tests, benchmarks or examples."
  },
  {
    // The fixtures (other packages' code, kept under test/fixtures) are what the demos run.
    target: "examples",
    from: "test",
    except: ["./fixtures"],
    message: "The demos import nothing of the tests, only the fixtures they run (tests may import the demos' pieces)."
  }
]

/**
 * What knows the jobs package by name: its event types (`"job.created"`, ...), the job each event
 * is about (`instanceId`, `jobType`, `jobName`), its events' and context's types and its maps. The
 * generic rooms never name them; a vocabulary (src/jobs/events/jobEvents.ts) says them instead.
 */
const jobsKnowledge = [
  {
    selector:
      "Identifier[name=/^(instanceId|jobType|jobName|JobContext|defaultJobsEventMap|inlineJobsEventMap)$|JobEvent/]",
    message: "The generic mechanism names no job field, job event type or jobs map: take them from the vocabulary."
  },
  {
    // The 20 types exactly: option names such as "retry.maxAttempts" are not event types.
    selector:
      "Literal[value=/^(job\\.(created|started|completed|failed|terminated)|execution\\.(started|succeeded|failed)|retry\\.(scheduled|attempted|exhausted)|alarm\\.(scheduled|fired|cancelled)|task\\.(event\\.received|event\\.processed|idle)|debounce\\.(event\\.added|flush\\.triggered|cleared))$/]",
    message: "The generic mechanism names no job event type: take the types from the vocabulary."
  }
]

/** Every project file but the fixtures (other packages' code) and what is built or installed. */
const cycleTree = { roots: ["src", "test", "bench", "examples", "scripts"], ignore: ["test/fixtures"] }

export default defineConfig(
  { ignores: ["test/fixtures/", "dist/", "coverage/", "node_modules/", "docs/"] },
  {
    files: ["{src,test,bench,examples,scripts}/**/*.{ts,mts,cts,js,mjs,cjs}", "*.{ts,js,mjs}"],
    languageOptions: { parser: tseslint.parser, ecmaVersion: "latest", sourceType: "module" },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { "import-x": importX, local },
    settings: {
      "import-x/resolver-next": [
        createNodeResolver({
          extensions: [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json", ".node"],
          extensionAlias: { ".js": [".ts", ".js"], ".mjs": [".mts", ".mjs"], ".cjs": [".cts", ".cjs"] },
          tsconfig: { configFile: "tsconfig.json" }
        })
      ]
    },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones }],
      "import-x/no-duplicates": "error",
      "local/file-cycles": ["error", cycleTree],
      "local/folder-cycles": ["error", { roots: ["src"] }]
    }
  },
  {
    files: ["src/{event,tracker,delivery,sinks,instrument,internal}/**/*.ts"],
    rules: { "no-restricted-syntax": ["error", ...jobsKnowledge] }
  }
)
