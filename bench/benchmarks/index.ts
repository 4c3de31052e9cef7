import type { BenchmarkResult } from "../stats.js"
import { workerBundle } from "./bundle.js"
import { cliStart } from "./cliStart.js"
import { codemod } from "./codemod.js"
import { eventId } from "./eventId.js"
import { perEvent } from "./perEvent.js"
import { perEventSinks } from "./perEventSinks.js"
import { perEventWorkerd } from "./perEventWorkerd.js"
import { off, on, proxyVsHandPlaced } from "./runtime.js"
import type { Scale } from "./scale.js"
import { emitSizing, httpFlush } from "./trackerCost.js"
import { delivery, emit, outageMemory } from "./tracker.js"

export type { Scale } from "./scale.js"

export interface Benchmark {
  readonly name: string
  readonly run: (scale: Scale) => Promise<BenchmarkResult>
}

/** Every benchmark, in the order `npm run bench` runs them. */
export const benchmarks: ReadonlyArray<Benchmark> = [
  { name: "off", run: off },
  { name: "on", run: on },
  { name: "proxy-vs-hand-placed", run: proxyVsHandPlaced },
  { name: "per-event", run: perEvent },
  { name: "per-event-sinks", run: perEventSinks },
  { name: "per-event-workerd", run: perEventWorkerd },
  { name: "emit-sizing", run: emitSizing },
  { name: "http-flush", run: httpFlush },
  { name: "emit", run: emit },
  { name: "event-id", run: eventId },
  { name: "delivery", run: delivery },
  { name: "outage-memory", run: outageMemory },
  { name: "codemod", run: codemod },
  { name: "cli-start", run: cliStart },
  { name: "worker-bundle", run: workerBundle }
]
