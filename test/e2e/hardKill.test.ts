import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { type EventCollector, startEventCollector } from "../support/collector.js"
import { type Bundles, sharedBundles, sharedPausingBundle } from "../support/runtime.js"
import { type HardKillReport, runHardKills, seededRandom } from "../support/hardKill.js"
import { runWipeKills, type WipeKillReport } from "../support/wipeKills.js"

// SIGKILL workerd while job instances are called, restart it over the persisted storage, heal
// the collector: with the outbox in mode "always", every event of every call that returned is
// delivered, wipes of the storage (debounce purges) included. A few kills here; the big run,
// both modes (the default one is measured, not asserted): `npm run test:hard-kill`, that is
//   HARD_KILL_ROUNDS=12 HARD_KILL_MODES=always,onFailure vitest run test/e2e/hardKill.test.ts
// (HARD_KILL_SEED picks the kill points and collector states; each report is printed as JSON.)
//
// Then kills inside a wipe: workerd parked at one storage call of a call that purges a debounce
// instance (before or after it), SIGKILLed there, restarted; on key-value and SQLite-backed
// Durable Objects, in each mode; every event of a call that returned is delivered, in both
// modes. HARD_KILL_WIPE_KILLS kills per mode and backend (3 here; `npm run test:hard-kill`
// makes 64 each, 128 per mode, which parks at every storage call of the wiping call in turn).

const kills = Number(process.env.HARD_KILL_ROUNDS ?? 3)
const wipeKills = Number(process.env.HARD_KILL_WIPE_KILLS ?? 3)
const modes = (process.env.HARD_KILL_MODES ?? "always").split(",")
const seed = Number(process.env.HARD_KILL_SEED ?? 14)

const trackerConfig = (endpoint: string, mode: string) => ({
  endpoint,
  env: "e2e",
  serviceKey: "jobs-hard-kill",
  // The collector answers at once (200 or 503); a generous timeout keeps a slow answer on a busy
  // machine from counting as a failure, so that the duplicates counted come from the kills.
  timeoutMs: 3_000,
  flushTimeoutMs: 5_000,
  retry: { maxAttempts: 1 },
  outbox: { mode, maxEvents: 10_000 }
})

let bundles: Bundles
let pausing: string
let collector: EventCollector | undefined
beforeAll(async () => {
  bundles = await sharedBundles({ untracked: false })
  pausing = await sharedPausingBundle()
}, 120_000)
afterEach(async () => {
  await collector?.close()
  collector = undefined
})

describe("hard kills of workerd (SIGKILL) while jobs are called", () => {
  for (const mode of modes) {
    it(
      `outbox mode "${mode}": ${kills} kills at random points`,
      async () => {
        collector = await startEventCollector()
        const report: HardKillReport = await runHardKills({
          script: bundles.tracked,
          collector,
          tracker: trackerConfig(collector.url, mode),
          kills,
          instancesPerKind: 3,
          random: seededRandom(seed)
        })
        console.log(`hard-kill report ${JSON.stringify(report)}`)
        expect(report.callsReturned).toBeGreaterThan(0)
        expect(report.callErrors).toBe(0)
        expect(collector.invalidBodies).toEqual([])
        if (mode === "always") {
          expect(report.lostFromReturnedCalls).toBe(0)
          // A send's event is emitted before its state change and written ahead of it.
          expect(report.storedSendsWithoutEvent).toBe(0)
        }
      },
      120_000 + kills * 30_000
    )
  }
})

describe("hard kills of workerd (SIGKILL) inside a wipe of the storage, at each storage call", () => {
  for (const mode of modes) {
    for (const sqlite of [false, true]) {
      it(
        `outbox mode "${mode}", ${sqlite ? "SQLite" : "key-value"} storage: ${wipeKills} kills parked inside a purge`,
        async () => {
          collector = await startEventCollector()
          const report: WipeKillReport = await runWipeKills({
            script: pausing,
            collector,
            // A parked storage call must not let the flush give up on its bound and answer the
            // call while a save is parked: the bound here is longer than any park lasts.
            tracker: { ...trackerConfig(collector.url, mode), flushTimeoutMs: 600_000 },
            sqlite,
            kills: wipeKills,
            random: seededRandom(seed)
          })
          console.log(`wipe-kill report ${JSON.stringify(report)}`)
          expect(report.kills).toBeGreaterThanOrEqual(wipeKills)
          expect(report.sqliteSeen).toBe(sqlite)
          expect(report.callErrors).toBe(0)
          expect(report.expectedFromReturnedCalls).toBeGreaterThan(0)
          expect(collector.invalidBodies).toEqual([])
          expect(report.lostFromReturnedCalls).toBe(0)
        },
        120_000 + wipeKills * 20_000
      )
    }
  }
})
