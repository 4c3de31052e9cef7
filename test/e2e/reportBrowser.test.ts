import { existsSync } from "node:fs"
import { mkdir, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { HtmlValidate } from "html-validate"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { renderReport } from "../../examples/runtime/report.js"
import { timelinesOf } from "../../examples/runtime/timeline.js"
import { tempDir, type TempDir } from "../support/tempDir.js"
import type { JobEventWire } from "durable-effect-tracking"
import { makeJobEvent } from "durable-effect-tracking"

/**
 * The demo's HTML report as a person sees it: valid HTML, and in a real headless Chromium
 * (Debian's `chromium`, which `.ci/run` installs): one lane per instance, runs as bars as long
 * as they took, failures red and striped or diamond-shaped with their error in plain sight,
 * each mark and bar named for assistive technology and showing its own card on hover and
 * keyboard focus, and a filter by job type and outcome that works without a script.
 */

const chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path))
// CI installs Chromium, so there a missing browser is a failure; elsewhere the browser part is skipped.
const browserTest = chromiumPath !== undefined || process.env["CI"] !== undefined ? it : it.skip
// axe-core (a pinned devDependency) runs in the page for the accessibility check.
const axePath = resolve("node_modules/axe-core/axe.min.js")
// Where the screenshot goes for a person to look at (`.tmp/` is ignored by git).
const outputDir = resolve(process.env["REPORT_OUTPUT_DIR"] ?? ".tmp/report")

const wire = (event: object): JobEventWire => ({ ...(event as JobEventWire), env: "test", serviceKey: "jobs" })
const at = (ms: number) => Date.UTC(2026, 0, 1) + ms
const iso = (ms: number) => new Date(at(ms)).toISOString()
const task = { instanceId: "instance-task-0001", jobType: "task", jobName: "mailer" } as const
const poller = { instanceId: "instance-continuous-1", jobType: "continuous", jobName: "poller" } as const
const debounce = { instanceId: "instance-debounce-1", jobType: "debounce", jobName: "clicks" } as const
const longMessage = `quota exceeded for tenant ${"x".repeat(300)}`

const events = [
  // A task whose first attempt fails, is retried, and succeeds.
  wire(makeJobEvent({ type: "job.created", ...task }, at(0))),
  wire(makeJobEvent({ type: "task.event.received", ...task }, at(0))),
  wire(makeJobEvent({ type: "execution.started", ...task, attempt: 1 }, at(10))),
  wire(
    makeJobEvent(
      {
        type: "execution.failed",
        ...task,
        attempt: 1,
        durationMs: 120,
        willRetry: true,
        error: { tag: "SmtpError", message: "connection refused by smtp.example.com:25" }
      },
      at(130)
    )
  ),
  wire(makeJobEvent({ type: "retry.scheduled", ...task, attempt: 2, resumeAt: iso(600) }, at(131))),
  wire(makeJobEvent({ type: "alarm.fired", ...task }, at(600))),
  wire(makeJobEvent({ type: "retry.attempted", ...task, attempt: 2 }, at(600))),
  wire(makeJobEvent({ type: "execution.started", ...task, attempt: 2 }, at(601))),
  wire(makeJobEvent({ type: "execution.succeeded", ...task, attempt: 2, durationMs: 240 }, at(841))),
  wire(makeJobEvent({ type: "job.terminated", ...task, reason: "done <now>", source: "job" }, at(950))),
  // A continuous job that fails twice and gives up.
  wire(makeJobEvent({ type: "job.created", ...poller }, at(200))),
  wire(makeJobEvent({ type: "job.started", ...poller }, at(200))),
  wire(makeJobEvent({ type: "execution.started", ...poller, runCount: 1 }, at(210))),
  wire(
    makeJobEvent(
      { type: "execution.failed", ...poller, runCount: 1, durationMs: 80, error: { message: longMessage } },
      at(290)
    )
  ),
  wire(makeJobEvent({ type: "retry.scheduled", ...poller, attempt: 2, resumeAt: iso(500) }, at(300))),
  wire(makeJobEvent({ type: "execution.started", ...poller, runCount: 2 }, at(500))),
  wire(
    makeJobEvent(
      { type: "execution.failed", ...poller, runCount: 2, durationMs: 60, error: { message: "still over quota" } },
      at(560)
    )
  ),
  wire(
    makeJobEvent(
      {
        type: "retry.exhausted",
        ...poller,
        attempts: 2,
        reason: "maxAttempts",
        error: { message: "still over quota" }
      },
      at(700)
    )
  ),
  // A debounce job that flushes once, successfully.
  wire(makeJobEvent({ type: "job.created", ...debounce }, at(100))),
  wire(makeJobEvent({ type: "debounce.event.added", ...debounce, eventCount: 1 }, at(100))),
  wire(makeJobEvent({ type: "debounce.flush.triggered", ...debounce, reason: "maxEvents", eventCount: 3 }, at(400))),
  wire(makeJobEvent({ type: "execution.started", ...debounce }, at(401))),
  wire(makeJobEvent({ type: "execution.succeeded", ...debounce, durationMs: 50 }, at(451)))
]
const byType = (type: string) => events.filter((event) => event.type === type)
const timelines = timelinesOf(events, new Map([[task.instanceId, "task:mailer:m-1"]]))
const html = renderReport({
  title: "Tracking report",
  summary: ["three instances"],
  timelines,
  delays: new Map([[byType("alarm.fired")[0]!.eventId, 2_000]])
})

const lane = (page: Page, name: string) => page.getByRole("region", { name })

describe("tracking-report.html", () => {
  it("is valid HTML (html-validate)", async () => {
    // Positions are computed per mark, so inline styles are the one rule the report opts out of.
    const validator = new HtmlValidate({ extends: ["html-validate:recommended"], rules: { "no-inline-style": "off" } })
    const report = await validator.validateString(html)
    expect(
      report.results.flatMap((result) => result.messages.map((message) => `${message.ruleId}: ${message.message}`))
    ).toEqual([])
    expect(report.valid).toBe(true)
  })

  describe("in headless Chromium", () => {
    let browser: Browser | undefined
    let dir: TempDir | undefined
    let url = ""

    beforeAll(async () => {
      if (chromiumPath === undefined) return
      dir = tempDir("det-report-")
      await writeFile(join(dir.path, "tracking-report.html"), html)
      url = pathToFileURL(join(dir.path, "tracking-report.html")).href
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync"
        ]
      })
    })

    afterAll(async () => {
      await browser?.close()
      dir?.remove()
    })

    const open = async (): Promise<Page> => {
      if (browser === undefined) throw new Error("Chromium is not installed (apt-get install -y chromium)")
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
      await page.goto(url)
      await expect.poll(() => page.locator("section.lane-row").count()).toBe(3)
      return page
    }

    browserTest("draws each run as a bar and every other event as a named mark, and a screenshot of it", async () => {
      const page = await open()
      // 5 execution.started, each paired with its end: 5 bars; the other events as marks.
      expect(await page.locator(".run").count()).toBe(5)
      const names = await page
        .locator(".mark")
        .evaluateAll((marks) => marks.map((mark) => mark.getAttribute("aria-label") ?? ""))
      // Events in the same moment share one mark that names them all; every other event is named once.
      const named = names.join(" | ")
      for (const event of events.filter((e) => !e.type.startsWith("execution."))) expect(named).toContain(event.type)
      expect(names).toContain("2 events at +0.000 s: job.created, task.event.received")
      expect(names).toContain("2 events at +0.600 s: alarm.fired (arrived late), retry.attempted")
      expect(names).toContain("retry.exhausted at +0.700 s")
      const runs = await page
        .locator(".run")
        .evaluateAll((bars) => bars.map((bar) => bar.getAttribute("aria-label") ?? ""))
      expect(runs).toContain(
        "attempt 1 failed after 120 ms: SmtpError: connection refused by smtp.example.com:25, at +0.010 s"
      )
      expect(runs).toContain("attempt 2 succeeded in 240 ms, at +0.601 s")
      // Counts per instance.
      expect(await lane(page, "task mailer task:mailer:m-1").locator(".counts").innerText()).toMatch(
        /2 runs\s*1 failed\s*1 retry/
      )
      expect(await lane(page, "continuous poller instance-con").locator(".counts").innerText()).toMatch(
        /2 runs\s*2 failed\s*1 retry\s*✕ retries exhausted/
      )
      await mkdir(outputDir, { recursive: true })
      await writeFile(join(outputDir, "tracking-report.html"), html)
      await page.screenshot({ path: join(outputDir, "tracking-report.png"), fullPage: true })
      await page.close()
    })

    browserTest("draws failures in a colour and a shape no success has", async () => {
      const page = await open()
      const style = (selector: string) =>
        page
          .locator(selector)
          .first()
          .evaluate((element) => {
            // A shape is the element itself, or its ::before when the element is only its frame.
            const view = element.ownerDocument.defaultView!
            const own = view.getComputedStyle(element)
            const before = view.getComputedStyle(element, "::before")
            const css = own.backgroundColor === "rgba(0, 0, 0, 0)" && before.content !== "none" ? before : own
            return {
              color: css.backgroundColor,
              image: css.backgroundImage,
              radius: css.borderRadius,
              transform: css.transform
            }
          })
      const ok = await style(".run.succeeded")
      const failed = await style(".run.failed")
      expect(failed.color).not.toBe(ok.color)
      expect(ok.image).toBe("none")
      expect(failed.image).toContain("repeating-linear-gradient")
      // Marks: a failure is a red diamond; plain events are circles, retries squares, none of them red.
      const failureMark = await style(".mark.failure")
      const others = await Promise.all([style(".mark.plain"), style(".mark.retry")])
      expect(failureMark.color).toBe("rgb(220, 38, 38)")
      expect(failureMark.transform).toMatch(/^matrix\(0\.707/)
      for (const other of [ok, ...others]) expect(other.color).not.toBe(failureMark.color)
      for (const other of others) {
        expect(other.transform).not.toBe(failureMark.transform)
      }
      expect(others[0]!.radius).toBe("50%")
      // And in words: the failed bar's label says it failed and why, without hovering.
      const label = page.locator(".run.failed .run-label").first()
      expect(await label.isVisible()).toBe(true)
      expect(await label.innerText()).toBe(
        "✕ failed after 120 ms: SmtpError: connection refused by smtp.example.com:25"
      )
      const long = await lane(page, "continuous poller instance-con")
        .locator(".run.failed .run-label")
        .first()
        .innerText()
      expect(long).toMatch(/^✕ failed after 80 ms: quota exceeded for tenant x+…$/)
      expect(long.length).toBeLessThan(120)
      expect(
        await page.getByText("✕ retries exhausted after 2 attempts (maxAttempts): still over quota").isVisible()
      ).toBe(true)
      await page.close()
    })

    browserTest("draws runs as long as they took, on an even axis", async () => {
      const page = await open()
      const ticks = await page
        .locator(".axis span")
        .evaluateAll((spans) => spans.map((span) => ({ text: span.textContent, box: span.getBoundingClientRect() })))
      expect(ticks.map((tick) => tick.text)).toEqual(["0", "+200 ms", "+400 ms", "+600 ms", "+800 ms", "+1000 ms"])
      const center = (i: number) => ticks[i]!.box.x + ticks[i]!.box.width / 2
      const pxPerMs = (center(2) - center(1)) / 200
      const zero = ticks[0]!.box.x
      // Ticks are evenly spaced.
      expect(center(3) - center(2)).toBeCloseTo(center(2) - center(1), 0)
      const bars = await page
        .locator(".run")
        .evaluateAll((elements) =>
          elements.map((bar) => ({ name: bar.getAttribute("aria-label") ?? "", box: bar.getBoundingClientRect() }))
        )
      const ends = events.filter((event) => event.type === "execution.succeeded" || event.type === "execution.failed")
      expect(bars).toHaveLength(ends.length)
      for (const end of ends) {
        if (end.type !== "execution.succeeded" && end.type !== "execution.failed") continue
        const from = Date.parse(end.timestamp) - at(0) - end.durationMs
        const bar = bars.find((candidate) => candidate.name.includes(`at +${(from / 1000).toFixed(3)} s`))
        expect(bar, `a bar starting at ${from} ms`).toBeDefined()
        expect(Math.abs(bar!.box.width - end.durationMs * pxPerMs)).toBeLessThan(2)
        expect(Math.abs(bar!.box.x - (zero + from * pxPerMs))).toBeLessThan(2)
      }
      await page.close()
    })

    browserTest("filters by job type and by outcome, with a click or the keyboard", async () => {
      const page = await open()
      const shown = () =>
        page
          .locator("section.lane-row")
          .evaluateAll((lanes) =>
            lanes
              .filter((lane) => lane.ownerDocument.defaultView!.getComputedStyle(lane).display !== "none")
              .map((lane) => lane.getAttribute("aria-label"))
          )
      const all = ["task mailer task:mailer:m-1", "continuous poller instance-con", "debounce clicks instance-deb"]
      expect(await shown()).toEqual(all)

      await page.getByRole("checkbox", { name: "continuous (1)" }).click()
      await expect.poll(shown).toEqual([all[0], all[2]])
      await page.getByRole("checkbox", { name: "continuous (1)" }).click()
      await expect.poll(shown).toEqual(all)

      await page.getByRole("radio", { name: "With failures (2)" }).click()
      await expect.poll(shown).toEqual([all[0], all[1]])
      await page.getByRole("radio", { name: "Without failures (1)" }).click()
      await expect.poll(shown).toEqual([all[2]])
      // Both filters at once, from the keyboard: no debounce lane, nothing without failures left.
      await page.getByRole("checkbox", { name: "debounce (1)" }).focus()
      await page.keyboard.press("Space")
      await expect.poll(shown).toEqual([])
      await page.getByRole("radio", { name: "All (3)" }).check()
      await expect.poll(shown).toEqual([all[0], all[1]])
      await page.close()
    })

    browserTest("shows a mark's or a bar's own details, and only those, on hover and on keyboard focus", async () => {
      const page = await open()
      const visibleTips = () => page.locator(".tip:visible").count()
      expect(await visibleTips()).toBe(0)

      const terminated = page.getByRole("img", { name: "job.terminated at +0.950 s" })
      await terminated.hover()
      const card = page.getByRole("tooltip").filter({ visible: true })
      await expect.poll(() => card.count()).toBe(1)
      const text = await card.innerText()
      expect(text).toContain(byType("job.terminated")[0]!.eventId)
      expect(text).toContain("done <now>")
      expect(text).toMatch(/source\s+job/)
      // The card is the one the mark names as its description.
      expect(await card.getAttribute("id")).toBe(await terminated.getAttribute("aria-describedby"))

      await page.mouse.move(0, 0)
      await expect.poll(visibleTips).toBe(0)
      await page.getByRole("img", { name: "debounce.flush.triggered at +0.400 s" }).focus()
      await expect.poll(visibleTips).toBe(1)
      const focused = await page.getByRole("tooltip").filter({ visible: true }).innerText()
      expect(focused).toContain("maxEvents")
      expect(focused).not.toContain(byType("job.terminated")[0]!.eventId)

      // A run's card holds both of its events, every field.
      await page.getByRole("img", { name: /^attempt 1 failed/ }).focus()
      await expect.poll(visibleTips).toBe(1)
      const run = await page.getByRole("tooltip").filter({ visible: true }).innerText()
      expect(run).toContain(byType("execution.started")[0]!.eventId)
      expect(run).toContain(byType("execution.failed")[0]!.eventId)
      expect(run).toContain("smtp.example.com")
      await page.close()
    })

    browserTest("passes an accessibility check (axe-core)", async () => {
      const page = await open()
      await page.addScriptTag({ path: axePath })
      const violations = await page.evaluate(async () => {
        const axe = (
          globalThis as unknown as {
            axe: {
              run: () => Promise<{ violations: Array<{ id: string; help: string; nodes: Array<unknown> }> }>
            }
          }
        ).axe
        const result = await axe.run()
        return result.violations.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.length})`)
      })
      expect(violations).toEqual([])
      await page.close()
    })
  })
})
