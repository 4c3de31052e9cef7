#!/usr/bin/env node
// `npm run test:stress`: runs `npm test` several times in a row while busy processes keep the
// cores loaded, and checks after each run that it left no temp file and no process behind.
//
//   npm run test:stress                       3 runs, one busy process per core
//   npm run test:stress -- --runs 5 --load 4  5 runs, 4 busy processes
//   (or STRESS_RUNS / STRESS_LOAD in the environment)
//
// How it checks, without mistaking other work on the machine for ours:
// - temp files: each run gets a fresh TMPDIR of its own (what `os.tmpdir()` answers in the run
//   and in every process it starts), which must be empty when the run ends. New `miniflare-*`
//   and `det-*` entries in the machine's temp directory are listed too, as a hint: the run's
//   processes did not write there, other processes on the machine may have.
// - processes: each run's environment carries a mark that every process it starts inherits;
//   after the run, no live process may carry it (Linux: /proc/<pid>/environ). Strays are
//   reported, then killed. The busy processes carry a mark of their own and are killed at the
//   end whatever happens (failure, Ctrl-C).
// Exits 0 only if every run passed and nothing was left behind.
import { spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"

const option = (name, variable, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  const raw = index >= 0 ? process.argv[index + 1] : process.env[variable]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) {
    console.error(`test:stress: --${name} (or ${variable}) must be a whole number, got "${raw}"`)
    process.exit(2)
  }
  return value
}

const runs = option("runs", "STRESS_RUNS", 3)
const load = option("load", "STRESS_LOAD", availableParallelism())
const npm = process.platform === "win32" ? "npm.cmd" : "npm"
const markVariable = "DET_TEST_STRESS_MARK"
const session = randomUUID()
const outerTmp = tmpdir()
const ours = (name) => /^(miniflare-|det-)/.test(name)

/** Live processes whose environment carries `mark` (Linux only; elsewhere: undefined). */
const processesMarked = (mark) => {
  if (!existsSync("/proc/self/environ")) return undefined
  const found = []
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1").split("\0")
      if (!environ.includes(`${markVariable}=${mark}`)) continue
      const state = readFileSync(`/proc/${entry}/stat`, "latin1").split(") ")[1]?.[0]
      if (state === "Z") continue // exited, waiting for its parent to reap it
      const command = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" ").trim()
      found.push({ pid: Number(entry), command: command.slice(0, 160) })
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found
}

const killAll = (processes) => {
  for (const { pid } of processes) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// The load: one busy loop per process, marked, so the end can prove they are all gone.
const loadMark = `${session}-load`
const busy = []
const stopLoad = () => {
  for (const child of busy) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
}
process.once("exit", stopLoad)
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    console.error(`\ntest:stress: ${signal}, stopping the load`)
    stopLoad()
    process.exit(130)
  })
}

const runOnce = (index) =>
  new Promise((resolve) => {
    const mark = `${session}-run-${index}`
    const tmp = mkdtempSync(join(outerTmp, "det-stress-"))
    const started = performance.now()
    const child = spawn(npm, ["test"], {
      stdio: "inherit",
      env: { ...process.env, TMPDIR: tmp, [markVariable]: mark }
    })
    const finish = async (code) => {
      const seconds = (performance.now() - started) / 1000
      // Give the kernel a moment to reap what the run's processes ended (not a check on time:
      // a process still alive after this is reported either way).
      let strays = processesMarked(mark)
      for (let attempt = 0; strays !== undefined && strays.length > 0 && attempt < 20; attempt++) {
        await sleep(250)
        strays = processesMarked(mark)
      }
      const leftovers = readdirSync(tmp)
      rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
      if (strays !== undefined) killAll(strays)
      resolve({ index, code, seconds, leftovers, strays })
    }
    child.once("error", (error) => {
      console.error(`test:stress: could not start npm test: ${error.message}`)
      void finish(1)
    })
    child.once("exit", (code, signal) => void finish(code ?? (signal === null ? 1 : 128)))
  })

const main = async () => {
  const tmpBefore = new Set(readdirSync(outerTmp).filter(ours))
  console.log(`test:stress: ${runs} run(s) of npm test, ${load} busy process(es) on ${availableParallelism()} core(s)`)
  for (let i = 0; i < load; i++) {
    busy.push(
      spawn(process.execPath, ["-e", "for (;;) {}"], {
        stdio: "ignore",
        env: { ...process.env, [markVariable]: loadMark }
      })
    )
  }

  const results = []
  try {
    for (let index = 1; index <= runs; index++) {
      console.log(`\ntest:stress: run ${index} of ${runs}`)
      const result = await runOnce(index)
      results.push(result)
      const problems = [
        result.code === 0 ? undefined : `npm test exited ${result.code}`,
        result.leftovers.length === 0 ? undefined : `temp files left: ${result.leftovers.join(", ")}`,
        result.strays === undefined || result.strays.length === 0
          ? undefined
          : `processes left (now killed): ${result.strays.map((p) => `${p.pid} ${p.command}`).join("; ")}`
      ].filter((problem) => problem !== undefined)
      console.log(
        `test:stress: run ${index}: ${problems.length === 0 ? "passed, nothing left behind" : problems.join("; ")} (${result.seconds.toFixed(1)} s)`
      )
    }
  } finally {
    stopLoad()
  }

  // The load is gone too.
  let loadLeft = processesMarked(loadMark)
  for (let attempt = 0; loadLeft !== undefined && loadLeft.length > 0 && attempt < 20; attempt++) {
    await sleep(250)
    loadLeft = processesMarked(loadMark)
  }
  const newInTmp = readdirSync(outerTmp).filter((name) => ours(name) && !tmpBefore.has(name))

  console.log("\ntest:stress: summary")
  console.table(
    results.map((r) => ({
      run: r.index,
      exit: r.code,
      seconds: Number(r.seconds.toFixed(1)),
      "temp files left": r.leftovers.length,
      "processes left": r.strays === undefined ? "not checked (no /proc)" : r.strays.length
    }))
  )
  if (newInTmp.length > 0) {
    console.log(
      `note: new in ${outerTmp} meanwhile (not written by the runs, whose TMPDIR was their own): ${newInTmp.join(", ")}`
    )
  }
  const failed =
    results.length < runs ||
    results.some((r) => r.code !== 0 || r.leftovers.length > 0 || (r.strays?.length ?? 0) > 0) ||
    (loadLeft?.length ?? 0) > 0
  if ((loadLeft?.length ?? 0) > 0)
    console.log(`test:stress: busy processes still alive: ${loadLeft.map((p) => p.pid).join(", ")}`)
  console.log(
    failed ? "test:stress: FAILED" : `test:stress: ${runs} of ${runs} runs passed under load; nothing left behind`
  )
  process.exitCode = failed ? 1 : 0
}

main().catch((error) => {
  console.error(`test:stress: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  stopLoad()
  process.exitCode = 1
})
