import { startSuiteTemp } from "./suiteTemp.js"

// Vitest global setup: every temp file of the run goes under one directory (TMPDIR), and the
// run fails if a test leaves anything there: each test removes what it makes, Miniflare's
// `miniflare-<hex>` directories included (examples/runtime/miniflare.ts: startMiniflare).
export default function setup(): () => void {
  const suite = startSuiteTemp()
  return () => {
    const left = suite.finish()
    if (left.length > 0) {
      // An error thrown here is only printed; the exit code is what fails the run.
      console.error(
        `\nFAIL: tests left temp files behind (removed now): ${left.join(", ")}; a test must remove what it makes\n`
      )
      process.exitCode = 1
    }
  }
}
