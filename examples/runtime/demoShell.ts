// What both demos (`npm start`, `npm run demo:workflow`) do around their story: print steps,
// stop everything they started on the way out, wait for deliveries to settle, print timelines.
import { type ArrivalDelays, type InstanceTimeline, renderTimelines } from "./timeline.js"
import type { ShownEvent } from "./eventView.js"
import { waitUntil } from "./wait.js"

export const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined
export const bold = (text: string) => (color ? `\u001b[1m${text}\u001b[0m` : text)
export const dim = (text: string) => (color ? `\u001b[2m${text}\u001b[0m` : text)
export const step = (text: string) => console.log(`\n${bold(`▸ ${text}`)}`)
export const say = (text: string) => console.log(`  ${text}`)

// Everything started is stopped on the way out: normal end, failure, Ctrl-C.
export const cleanups: Array<() => Promise<void> | void> = []
let cleaning: Promise<void> | undefined
export const cleanUp = (): Promise<void> =>
  (cleaning ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup()
      } catch {
        // keep cleaning the rest
      }
    }
  })())
// Miniflare exits the process itself on a signal (after stopping workerd), before any async
// cleanup could run: temp directories are also removed, synchronously, on exit.
export const removeOnExit: Array<() => void> = []

/** Installs the exit and signal handlers (once, by the demo's script). */
export const cleanUpOnExit = (): void => {
  process.once("exit", () => {
    for (const remove of removeOnExit) remove()
  })
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping workerd and the collector, removing temp files`)
      void cleanUp().finally(() => process.exit(130))
    })
  }
}

/** Polls `count` until two looks in a row agree: the runs' last deliveries have landed. */
export const settled = async (count: () => number | Promise<number>): Promise<void> => {
  let seen = -1
  await waitUntil(
    "the events to settle",
    async () => {
      const now = await count()
      const same = now === seen
      seen = now
      return same ? true : undefined
    },
    { everyMs: 300, withinMs: 10_000 }
  )
}

/** The timelines, indented under the step that shows them. */
export const printTimelines = <E extends ShownEvent>(
  timelines: ReadonlyArray<InstanceTimeline<E>>,
  delays?: ArrivalDelays
): void =>
  console.log(
    renderTimelines(timelines, { color, ...(delays === undefined ? {} : { delays }) })
      .split("\n")
      .map((line) => (line === "" ? line : `  ${line}`))
      .join("\n")
  )

/** Stops everything, then says where the report is and how long it took. */
export const finish = async (started: number, reportPath: string): Promise<void> => {
  await cleanUp()
  step("Done")
  say(`HTML report: ${reportPath}`)
  say(dim(`finished in ${((performance.now() - started) / 1000).toFixed(1)} s; workerd stopped, temp files removed`))
}
