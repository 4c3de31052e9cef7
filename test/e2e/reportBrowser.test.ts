import { existsSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { HtmlValidate } from "html-validate"
import { type Browser, chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { renderReport } from "../../examples/runtime/report.js"
import { timelinesOf } from "../../examples/runtime/timeline.js"
import type { JobEventWire } from "durable-effect-tracking"
import { makeJobEvent } from "durable-effect-tracking"

/**
 * The demo's HTML report as a person sees it: valid HTML, and in a real headless Chromium
 * (Debian's `chromium`, which `.ci/run` installs), one lane per instance, one mark per event,
 * each mark named for assistive technology and showing its own card, and only its own, on
 * hover and on keyboard focus.
 */

const chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path))
// CI installs Chromium, so there a missing browser is a failure; elsewhere the browser part is skipped.
const browserTest = chromiumPath !== undefined || process.env["CI"] !== undefined ? it : it.skip

const wire = (event: object): JobEventWire => ({ ...(event as JobEventWire), env: "test", serviceKey: "jobs" })
const at = (ms: number) => Date.UTC(2026, 0, 1) + ms
const task = { instanceId: "instance-task-0001", jobType: "task", jobName: "mailer" } as const
const debounce = { instanceId: "instance-debounce-1", jobType: "debounce", jobName: "clicks" } as const

const events = [
  wire(makeJobEvent({ type: "job.created", ...task }, at(0))),
  wire(makeJobEvent({ type: "task.event.received", ...task }, at(0))),
  wire(makeJobEvent({ type: "alarm.scheduled", ...task, scheduledAt: new Date(at(900)).toISOString() }, at(1))),
  wire(makeJobEvent({ type: "alarm.fired", ...task }, at(900))),
  wire(makeJobEvent({ type: "job.terminated", ...task, reason: "done <now>", source: "job" }, at(950))),
  wire(makeJobEvent({ type: "job.created", ...debounce }, at(100))),
  wire(makeJobEvent({ type: "debounce.event.added", ...debounce, eventCount: 1 }, at(100))),
  wire(makeJobEvent({ type: "debounce.flush.triggered", ...debounce, reason: "maxEvents", eventCount: 3 }, at(400)))
]
const timelines = timelinesOf(events, new Map([[task.instanceId, "task:mailer:m-1"]]))
const html = renderReport({
  title: "Tracking report",
  summary: ["two instances"],
  timelines,
  delays: new Map([[events[3]!.eventId, 2_000]])
})

describe("tracking-report.html", () => {
  it("is valid HTML with accessible marks (html-validate)", async () => {
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
    let dir: string | undefined

    beforeAll(async () => {
      if (chromiumPath === undefined) return
      dir = await mkdtemp(join(tmpdir(), "det-report-"))
      await writeFile(join(dir, "tracking-report.html"), html)
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
      if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    })

    browserTest("shows one lane per instance and one named mark per event", async () => {
      if (browser === undefined || dir === undefined)
        throw new Error("Chromium is not installed (apt-get install -y chromium)")
      const page = await browser.newPage()
      await page.goto(pathToFileURL(join(dir, "tracking-report.html")).href)
      await expect.poll(() => page.locator("section.lane-row").count()).toBe(2)
      expect(await page.locator(".mark").count()).toBe(events.length)
      // Every mark has the img role and a name saying what and when; the late one says so.
      const names = await page
        .getByRole("img")
        .evaluateAll((marks) => marks.map((mark) => mark.getAttribute("aria-label")))
      expect(names).toHaveLength(events.length)
      expect(names).toContain("job.created at +0.000 s")
      expect(names).toContain("alarm.fired at +0.900 s, arrived late")
      expect(await page.getByRole("region", { name: "task mailer task:mailer:m-1" }).locator(".mark").count()).toBe(5)
      await page.close()
    })

    browserTest("shows a mark's own details, and only those, on hover and on keyboard focus", async () => {
      if (browser === undefined || dir === undefined)
        throw new Error("Chromium is not installed (apt-get install -y chromium)")
      const page = await browser.newPage()
      await page.goto(pathToFileURL(join(dir, "tracking-report.html")).href)
      const visibleTips = () => page.locator(".tip:visible").count()
      expect(await visibleTips()).toBe(0)

      const terminated = page.getByRole("img", { name: "job.terminated at +0.950 s" })
      await terminated.hover()
      const card = page.getByRole("tooltip").filter({ visible: true })
      await expect.poll(() => card.count()).toBe(1)
      const text = await card.innerText()
      expect(text).toContain(events[4]!.eventId)
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
      expect(focused).not.toContain(events[4]!.eventId)
      await page.close()
    })
  })
})
